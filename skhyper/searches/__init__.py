"""The public searches: scikit-learn ``BaseSearchCV`` subclasses and what they share."""
