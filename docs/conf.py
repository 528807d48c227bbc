"""Sphinx configuration for the skrobust documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
"""

import os
import sys
from pathlib import Path

# The examples multiply small matrices. On a busy 2-core machine, OpenBLAS's
# threads spin-wait on each other and one logistic-regression fit on the digits
# goes from 0.05 s to 3 s; one BLAS thread avoids that. This must happen before
# numpy is first imported, which the matplotlib import below does.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402

# Examples and autodoc run headless: pick the non-interactive backend before any
# example imports pyplot.
matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

DOCS_DIR = Path(__file__).resolve().parent
# Import the checkout being documented, not some other installed copy.
sys.path.insert(0, str(DOCS_DIR.parent))

import skrobust  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "skrobust"
author = "The skrobust developers"
copyright = "The skrobust developers"
release = skrobust.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"
nitpicky = False
# No network where the docs are built, so no intersphinx: references to numpy,
# scipy or scikit-learn objects render as plain code.

autosummary_generate = True
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Gallery -----------------------------------------------------------------

# The gallery's sections, in reading order; a folder joins once it exists.
_GALLERY_SECTIONS = ["noise", "pu", "llp", "neural", "applications", "papers"]
_EXAMPLES_DIR = DOCS_DIR.parent / "examples"

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "subsection_order": [
        f"../examples/{name}"
        for name in _GALLERY_SECTIONS
        if (_EXAMPLES_DIR / name).is_dir()
    ],
    "within_subsection_order": "FileNameSortKey",
    # Execute every plot_*.py; other files are shown without running.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "reference_url": {"skrobust": None},
    "doc_module": ("skrobust",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skrobust {release}"
html_theme_options = {
    "github_url": "https://github.com/skrobust/skrobust",
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_show_sourcelink = False
html_last_updated_fmt = None
