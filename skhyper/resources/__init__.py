"""The halving resources: subsamples of the folds, and fold models that continue training."""
