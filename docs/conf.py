"""Sphinx configuration of skhyper's documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
The code examples are run by ``tests/test_docs.py``.
"""

import skhyper

project = "skhyper"
author = "The skhyper developers"
copyright = "The skhyper developers"
release = skhyper.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md"]
root_doc = "index"

# numpydoc renders the Parameters / Attributes sections; the methods are
# listed by autodoc itself.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"member-order": "bysource"}
# scikit-learn's own docstrings, which numpydoc pulls in for the attributes
# the searches inherit (``n_features_in_``, ...), refer to scikit-learn's
# glossary, which this site does not have.
suppress_warnings = ["ref.term"]

# Figures of the ``.. plot::`` examples, drawn by running them at build time.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.figsize": (7.0, 4.0)}

html_theme = "alabaster"
html_theme_options = {
    "description": "Hyperparameter search for scikit-learn",
    "page_width": "1180px",
    "sidebar_width": "230px",
    "fixed_sidebar": True,
}
html_static_path = []
html_title = f"skhyper {release}"

myst_heading_anchors = 3
