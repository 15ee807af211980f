"""Ask/tell optimization over a :class:`skhyper.space.Space`.

Nothing in this package knows about scikit-learn's search classes: it sees
points in the unit cube and their scores.
"""
