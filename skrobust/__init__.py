"""skrobust: scikit-learn estimators for learning from imperfect labels.

Three settings are covered, each in its own subpackage:

- :mod:`skrobust.noise`: labels flipped by a class-conditional noise process
  (transition-matrix estimation, confident learning, noise correction);
- :mod:`skrobust.pu`: positive-unlabeled data (class-prior estimation, PU classifiers);
- :mod:`skrobust.llp`: labels known only as per-bag class proportions.

:mod:`skrobust.datasets` simulates each kind of corruption, :mod:`skrobust.utils`
holds the validators and the cross-fitting helper they share, and
:mod:`skrobust.testing` ships hypothesis strategies for all these data shapes.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__", "show_versions"]


def _package_version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def show_versions():
    """Print the versions of Python, skrobust and every (optional) dependency.

    Paste the output into a bug report: it names the platform, the interpreter and
    the installed version of each package skrobust can use, with ``None`` for an
    optional package that is not installed.

    Returns
    -------
    None
        The report goes to standard output.

    See Also
    --------
    sklearn.show_versions : The same report for scikit-learn.

    References
    ----------
    .. [1] scikit-learn developers, ``sklearn.show_versions``,
       https://scikit-learn.org/stable/modules/generated/sklearn.show_versions.html

    Examples
    --------
    >>> import skrobust
    >>> skrobust.show_versions()  # doctest: +ELLIPSIS
    <BLANKLINE>
    System:
        python: ...
    """
    import platform
    import sys

    deps = [
        "pip",
        "setuptools",
        "numpy",
        "scipy",
        "scikit-learn",
        "joblib",
        "threadpoolctl",
        "torch",
        "skorch",
        "matplotlib",
        "hypothesis",
        "pytest",
        "sphinx",
        "dask",
        "ray",
        "cleanlab",
        "pulearn",
        "pu-toolbox",
        "biquality-learn",
        "llp-learn",
    ]
    print("\nSystem:")
    print(f"{'python':>16}: {sys.version.splitlines()[0]}")
    print(f"{'executable':>16}: {sys.executable}")
    print(f"{'machine':>16}: {platform.platform()}")
    print("\nPython dependencies:")
    print(f"{'skrobust':>16}: {__version__}")
    for name in deps:
        print(f"{name:>16}: {_package_version(name)}")
