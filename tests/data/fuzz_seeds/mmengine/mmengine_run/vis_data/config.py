model = dict(
    type='RTMDet',
    bbox_head=dict(type='RTMDetSepBNHead', num_classes=1, in_channels=96))
max_epochs = 3
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
