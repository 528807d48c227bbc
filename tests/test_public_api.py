"""The public API: ``__all__`` lists, docstrings and parameter validation.

Modelled on scikit-learn's ``sklearn/tests/test_public_functions.py`` and
imbalanced-learn's docstring test: every public name imports, has a numpydoc
docstring with Parameters/Returns as its signature says, an Examples and a
References section, and every public function validated by ``validate_params``
constrains each of its parameters.
"""

import importlib
import importlib.util
import inspect

import pytest
from numpydoc.validate import validate

PUBLIC_MODULES = [
    "skrobust",
    "skrobust.utils",
    "skrobust.datasets",
    "skrobust.noise",
    "skrobust.pu",
    "skrobust.llp",
    "skrobust.metrics",
    "skrobust.testing",
    "skrobust.testing.strategies",
]
# skrobust.losses needs torch, an optional dependency (the floor job runs without).
if importlib.util.find_spec("torch") is not None:
    PUBLIC_MODULES.append("skrobust.losses")

# numpydoc error codes we enforce. Left out: GL01/GL02 (blank-line layout), SA01
# (See Also is encouraged, not required for every helper), ES01 (extended summary),
# RT02 (numpydoc wants a name-less Returns for single values; we name them).
ENFORCED = {
    "GL08",  # the object has no docstring
    "SS01",
    "SS02",
    "SS03",
    "SS05",  # one-line summary present, capitalised, ends in '.'
    "PR01",
    "PR02",
    "PR03",  # parameters documented, no extra, in signature order
    "PR07",
    "PR09",  # every parameter has a description ending in '.'
    "RT01",  # Returns section present for functions that return
    "EX01",  # Examples section present
}


def _public_objects():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if name.startswith("__"):
                continue
            yield f"{module_name}.{name}", getattr(module, name)


PUBLIC = sorted(dict(_public_objects()).items())


def test_all_lists_import():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        assert module.__all__ == sorted(module.__all__), module_name
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_import_skrobust_does_not_import_torch_or_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys, skrobust, skrobust.utils, skrobust.datasets, skrobust.noise, "
        "skrobust.pu, skrobust.llp;"
        "bad = [m for m in ('torch', 'matplotlib', 'hypothesis', 'skorch') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("qualname, obj", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_docstring(qualname, obj):
    if inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
        pytest.skip("NamedTuple results document Attributes, not Parameters")
    if inspect.isclass(obj) and issubclass(obj, Warning):
        needed = {"GL08", "SS01", "SS02", "SS03", "EX01"}
    else:
        needed = ENFORCED
    errors = [
        (code, msg) for code, msg in validate(qualname)["errors"] if code in needed
    ]
    assert not errors, "\n".join(f"{code}: {msg}" for code, msg in errors)
    doc = inspect.getdoc(obj)
    assert "References\n----------" in doc, f"{qualname} has no References section"


def _validated_functions():
    for qualname, obj in PUBLIC:
        if inspect.isfunction(obj) and hasattr(obj, "_skl_parameter_constraints"):
            yield qualname, obj


VALIDATED = list(_validated_functions())


def test_some_functions_are_validated():
    assert len(VALIDATED) >= 5


@pytest.mark.parametrize("qualname, func", VALIDATED, ids=[q for q, _ in VALIDATED])
def test_validate_params_covers_signature(qualname, func):
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        generate_valid_param,
        make_constraint,
    )

    constraints = func._skl_parameter_constraints
    params = inspect.signature(func).parameters
    assert set(constraints) == set(params), (
        f"{qualname}: constraints {sorted(constraints)} vs signature {sorted(params)}"
    )
    required = {
        name: generate_valid_param(make_constraint(constraints[name][0]))
        for name, p in params.items()
        if p.default is inspect.Parameter.empty
    }
    for name in params:
        with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter"):
            func(**{**required, name: object()})
