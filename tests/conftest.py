"""Suite-wide settings: frameworks run offline, headless and on the CPU."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MLFLOW_TRACKING_URI", "")
os.environ.pop("MLFLOW_TRACKING_URI") if not os.environ.get("MLFLOW_TRACKING_URI") else None
