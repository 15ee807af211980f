"""Resuming: checkpoints, what identifies a search, and earlier work a search starts from."""
