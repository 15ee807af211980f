"""The halving resources: subsamples of the folds, fold models that continue."""
