"""Each browser's workspace on the server: the store, the checkpoints, the runs in training."""
