"""Sphinx configuration of skhyper's documentation.

Build (what CI runs, warnings are errors, every reference must resolve)::

    python -m sphinx -n -W --keep-going -b html docs docs/_build/html

``docs/screenshots.sh`` builds the same way and photographs the pages in
headless Chromium. The examples of the gallery (``examples/``) are run at
build time; the code examples of the pages are run by ``tests/test_docs.py``.

The build needs no network: links to the other projects' documentation
(intersphinx) are resolved with inventories read from disk, see
``intersphinx_mapping`` below.
"""

import sys
from pathlib import Path

import skhyper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from local_inventories import write_inventories  # noqa: E402

project = "skhyper"
author = "The skhyper developers"
copyright = "The skhyper developers"
release = skhyper.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "myst_parser",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md", "auto_examples/*.ipynb", "**.py"]
root_doc = "index"

# -- references ---------------------------------------------------------------

# numpydoc renders the Parameters / Attributes sections; the methods are
# listed by autodoc itself.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types in Parameters sections ("ndarray of shape (n,)", "matplotlib Axes")
# are prose; numpydoc links the words it knows.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "BaseSearchCV": "sklearn.model_selection.GridSearchCV",
    "RandomState": "numpy.random.RandomState",
}
numpydoc_xref_ignore = "all"
autodoc_default_options = {"member-order": "bysource"}

# The inventories of the other projects' documentation, read from disk so that
# the build needs no network. scikit-learn's, SciPy's and dask's come from the
# Debian packages python-sklearn-doc, python-scipy-doc and python-dask-doc
# (.ci/run installs them); a location that does not exist is skipped. NumPy,
# matplotlib and joblib ship none in Debian: local_inventories.py writes small
# inventories of the objects these pages refer to. The links point at each
# project's site.
_DEBIAN = Path("/usr/share/doc")
_LOCAL = write_inventories(HERE / "_build" / "inventories")


def _inventory(package):
    path = _DEBIAN / package / "html" / "objects.inv"
    return str(path) if path.exists() else None


intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", _inventory("python-sklearn-doc")),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        _inventory("python-scipy-doc") or _LOCAL["scipy"],
    ),
    "dask": ("https://docs.dask.org/en/stable/", _inventory("python-dask-doc")),
    "distributed": ("https://distributed.dask.org/en/stable/", _LOCAL["distributed"]),
    "numpy": ("https://numpy.org/doc/stable/", _LOCAL["numpy"]),
    "matplotlib": ("https://matplotlib.org/stable/", _LOCAL["matplotlib"]),
    "joblib": ("https://joblib.readthedocs.io/en/stable/", _LOCAL["joblib"]),
    "python": ("https://docs.python.org/3/", _LOCAL["python"]),
}
intersphinx_mapping = {
    name: (url, inventory)
    for name, (url, inventory) in intersphinx_mapping.items()
    if inventory is not None
}
intersphinx_timeout = 1
nitpick_ignore = [
    # Attributes every search inherits from scikit-learn's BaseSearchCV as
    # properties; numpydoc links them to member pages this site does not have.
    ("py:obj", "classes_"),
    ("py:obj", "n_features_in_"),
    # scikit-optimize's property on BayesSearchCV, documented among its
    # attributes like the two above.
    ("py:obj", "total_iterations"),
]

# -- figures -----------------------------------------------------------------

# Figures of the ``.. plot::`` examples, drawn by running them at build time.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.figsize": (7.0, 4.0)}

# The gallery: every examples/plot_*.py is run and rendered with its figures;
# each API page lists the examples that use the class.
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skhyper",),
    "reference_url": {"skhyper": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_signature": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "min_reported_time": 10,
}

# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skhyper {release}"
html_static_path = ["_static"]
html_css_files = ["skhyper.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_context = {"default_mode": "light"}
# Pages without sub-pages need no section navigation.
html_sidebars = {
    page: []
    for page in ("index", "getting_started", "which_search", "benchmarks", "api",
                 "architecture")
}
html_show_sourcelink = False

# Copy code without the prompts ``>>>``, ``...`` and ``$``.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

myst_heading_anchors = 3
