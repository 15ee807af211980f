"""Small intersphinx inventories of the objects these pages link to.

Sphinx links to another project's documentation through that project's
``objects.inv``, normally downloaded at build time. The documentation builds
without network, so the inventories of the projects Debian does not package
documentation for (NumPy, matplotlib, joblib, distributed, Python) are written
here from the list below. A reference missing from the list fails the build
(``-n -W``): add it with the page it has on the project's site.
"""

import zlib
from pathlib import Path

# project: [(name, "domain:role", page on the project's site, display name)]
# A page ending in "$" stands for the page followed by the name.
OBJECTS = {
    "python": [
        ("None", "py:data", "library/constants.html#$", "-"),
        ("True", "py:data", "library/constants.html#$", "-"),
        ("False", "py:data", "library/constants.html#$", "-"),
        ("bltin-boolean-values", "std:label", "library/stdtypes.html#$",
         "Boolean Type - bool"),
        ("bool", "py:class", "library/functions.html#$", "-"),
        ("list", "py:class", "library/stdtypes.html#$", "-"),
        ("tuple", "py:class", "library/stdtypes.html#$", "-"),
        ("str", "py:class", "library/stdtypes.html#$", "-"),
        ("dict", "py:class", "library/stdtypes.html#$", "-"),
        ("float", "py:class", "library/functions.html#$", "-"),
        ("int", "py:class", "library/functions.html#$", "-"),
        ("object", "py:class", "library/functions.html#$", "-"),
        ("callable", "py:function", "library/functions.html#$", "-"),
        ("iterable", "std:term", "glossary.html#term-iterable", "iterable"),
        ("sequence", "std:term", "glossary.html#term-sequence", "sequence"),
        ("generator", "std:term", "glossary.html#term-generator", "generator"),
        ("contextlib.contextmanager", "py:function", "library/contextlib.html#$",
         "-"),
        ("collections.namedtuple", "py:function", "library/collections.html#$",
         "-"),
        ("pickle", "py:module", "library/pickle.html#module-pickle", "-"),
        ("concurrent.futures", "py:module",
         "library/concurrent.futures.html#module-concurrent.futures", "-"),
    ],
    "numpy": [
        ("numpy", "py:module", "reference/index.html#module-numpy", "-"),
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#$",
         "-"),
        ("numpy.dtype", "py:class", "reference/generated/numpy.dtype.html#$", "-"),
        ("numpy.inf", "py:data", "reference/constants.html#$", "-"),
        ("numpy.nan", "py:data", "reference/constants.html#$", "-"),
        ("numpy.random.RandomState", "py:class", "reference/random/legacy.html#$",
         "-"),
        ("numpy.random.Generator", "py:class",
         "reference/random/generator.html#$", "-"),
        ("array_like", "std:term", "glossary.html#term-array_like", "array_like"),
        ("arrays.scalars", "std:label", "reference/arrays.scalars.html#$",
         "Scalars"),
    ],
    "matplotlib": [
        ("matplotlib", "py:module", "index.html#module-matplotlib", "-"),
        ("matplotlib.axes.Axes", "py:class", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.axes.Axes.scatter", "py:method", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.axes.Axes.step", "py:method", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.axes.Axes.barh", "py:method", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.axes.Axes.plot", "py:method", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.figure.Figure", "py:class", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.lines.Line2D", "py:class", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.colors.Colormap", "py:class", "api/_as_gen/$.html#$", "-"),
        ("matplotlib.collections.PathCollection", "py:class",
         "api/collections_api.html#$", "-"),
        ("matplotlib.collections.QuadMesh", "py:class",
         "api/collections_api.html#$", "-"),
        ("matplotlib.legend.Legend", "py:class", "api/legend_api.html#$", "-"),
        ("matplotlib.colorbar.Colorbar", "py:class", "api/colorbar_api.html#$",
         "-"),
        ("matplotlib.container.BarContainer", "py:class",
         "api/container_api.html#$", "-"),
    ],
    "joblib": [
        ("joblib", "py:module", "index.html#module-joblib", "-"),
        ("joblib.Parallel", "py:class", "generated/$.html#$", "-"),
        ("joblib.parallel_backend", "py:function", "generated/$.html#$", "-"),
        ("joblib.parallel_config", "py:function", "generated/$.html#$", "-"),
        ("joblib.register_parallel_backend", "py:function", "generated/$.html#$",
         "-"),
        ("joblib.Memory", "py:class", "generated/$.html#$", "-"),
    ],
    "distributed": [
        ("distributed", "py:module", "index.html#module-distributed", "-"),
        ("distributed.Client", "py:class", "api.html#$", "-"),
        ("distributed.LocalCluster", "py:class", "api.html#$", "-"),
    ],
    # Used only where Debian's python-scipy-doc is not installed.
    "scipy": [
        ("scipy.stats", "py:module", "reference/stats.html#module-scipy.stats", "-"),
        ("scipy.stats.loguniform", "py:data", "reference/generated/$.html#$", "-"),
        ("scipy.stats.uniform", "py:data", "reference/generated/$.html#$", "-"),
        ("scipy.stats.randint", "py:data", "reference/generated/$.html#$", "-"),
        ("scipy.stats.norm", "py:data", "reference/generated/$.html#$", "-"),
    ],
}


def _line(name, role, page, display):
    page = page.replace("$.html", f"{name}.html")
    return f"{name} {role} -1 {page} {display}\n"


def write_inventories(directory):
    """Write ``<project>.inv`` in ``directory``; return their paths by project."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for project, objects in OBJECTS.items():
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n"
            "# Version: \n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        body = "".join(_line(*entry) for entry in objects)
        path = directory / f"{project}.inv"
        path.write_bytes(header.encode() + zlib.compress(body.encode()))
        paths[project] = str(path)
    return paths
