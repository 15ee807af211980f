"""The public searches, scikit-learn ``BaseSearchCV`` subclasses, and their frame."""
