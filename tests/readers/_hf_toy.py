"""A toy classification data set and model in the shape the Hugging Face ``Trainer`` expects
(dict items with ``labels``, a forward returning ``loss`` and ``logits``), shared by the tests that
train with the real Trainer. torch is imported on call, so importing this module costs nothing."""

from __future__ import annotations


def toy_data_and_model():
    """(Data class taking a size, Model class): 4 features, 2 classes, the label is the sum's sign."""
    import torch

    class Data(torch.utils.data.Dataset):
        def __init__(self, n):
            g = torch.Generator().manual_seed(0)
            self.x = torch.randn(n, 4, generator=g)
            self.y = (self.x.sum(1) > 0).long()

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return {"x": self.x[i], "labels": self.y[i]}

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(4, 2)

        def forward(self, x, labels=None):
            logits = self.layer(x)
            return {"loss": torch.nn.functional.cross_entropy(logits, labels), "logits": logits}

    return Data, Model
