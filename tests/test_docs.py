"""Keep the documentation honest without building it.

CI builds the Sphinx site separately; these tests catch the cheaper failures
early: an example that no longer runs, a public name missing from the API
reference (or a reference to a name that no longer exists), and a user-guide
snippet whose output changed.
"""

import doctest
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").rglob("plot_*.py"))

# Subpackages whose every public name (``__all__``) must appear in docs/api.
DOCUMENTED_MODULES = [
    "skrobust.utils",
    "skrobust.datasets",
    "skrobust.testing",
    "skrobust.noise",
    "skrobust.pu",
    "skrobust.llp",
    "skrobust.metrics",
    "skrobust.losses",
    "skrobust.neural",
]
# Names in ``__all__`` that are not objects with a reference page.
UNDOCUMENTED_NAMES = {"__version__"}


def _documented_names():
    """Fully qualified names listed in the autosummary tables under docs/api."""
    names = set()
    for page in sorted((DOCS / "api").glob("*.rst")):
        current_module = None
        in_autosummary = False
        for line in page.read_text(encoding="utf-8").splitlines():
            directive = re.match(r"\.\.\s+(\S+)::\s*(\S*)", line)
            if directive:
                kind, argument = directive.groups()
                in_autosummary = kind == "autosummary"
                if kind in ("currentmodule", "module"):
                    current_module = argument
                continue
            if not in_autosummary or not line.strip():
                continue
            if not line.startswith(" "):
                in_autosummary = False
                continue
            entry = line.strip()
            if entry.startswith(":"):
                continue
            if current_module and not entry.startswith("skrobust."):
                entry = f"{current_module}.{entry}"
            names.add(entry)
    return names


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_example_runs(path, tmp_path):
    pytest.importorskip("matplotlib")
    # One BLAS thread, as docs/conf.py sets for the gallery: the examples multiply
    # small matrices, and OpenBLAS threads spin-waiting on a busy 2-core machine
    # (or beside pytest-xdist workers) make them many times slower.
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    # A fresh interpreter per example, so one example's state cannot leak into
    # the next.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')",
            str(path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"{path.name} failed with exit code {result.returncode}:\n"
        f"{result.stderr[-3000:]}"
    )


def test_examples_found():
    # Guards the glob above: an empty parametrisation would pass silently.
    assert EXAMPLES, "no examples/**/plot_*.py found"


@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_public_names_are_in_api_reference(module_name):
    module = importlib.import_module(module_name)
    documented = _documented_names()
    missing = [
        name
        for name in module.__all__
        if name not in UNDOCUMENTED_NAMES and f"{module_name}.{name}" not in documented
    ]
    assert not missing, (
        f"{module_name}.__all__ names missing from the autosummary tables in "
        f"docs/api/: {missing}"
    )


def test_strategies_are_in_api_reference():
    strategies = pytest.importorskip("skrobust.testing.strategies")
    documented = _documented_names()
    missing = [
        name
        for name in strategies.__all__
        if f"skrobust.testing.strategies.{name}" not in documented
    ]
    assert not missing, f"strategies missing from docs/api/testing.rst: {missing}"


def test_api_reference_names_exist():
    for full_name in sorted(_documented_names()):
        module_name, _, attribute = full_name.rpartition(".")
        if module_name == "skrobust.testing.strategies":
            pytest.importorskip("hypothesis")
        if module_name in ("skrobust.losses", "skrobust.neural"):
            pytest.importorskip("torch")
        if module_name == "skrobust.neural":
            pytest.importorskip("skorch")
        module = importlib.import_module(module_name)
        assert hasattr(module, attribute), f"docs/api lists {full_name}: not found"


USER_GUIDE_PAGES = sorted((DOCS / "user_guide").glob("*.rst"))


@pytest.mark.parametrize("page", USER_GUIDE_PAGES, ids=lambda p: p.name)
def test_user_guide_snippets(page):
    text = page.read_text(encoding="utf-8")
    if "hypothesis" in text:
        pytest.importorskip("hypothesis")
    if "import torch" in text or "skrobust.neural" in text:
        pytest.importorskip("torch")
    if "skrobust.neural" in text:
        pytest.importorskip("skorch")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        verbose=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} snippets of {page.name} failed"
