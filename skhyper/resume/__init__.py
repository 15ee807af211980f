"""Resuming: checkpoints, what identifies a search, the earlier work it reuses."""
