"""Optional extras: which extra brings which module, and the one-line error when it is missing.

A plain ``pip install seatcast`` has no web server, plots, Dask, numba or PyMC. Whatever needs
one of them calls :func:`require_extra` first, so the user reads which extra to install instead
of a ``ModuleNotFoundError`` traceback. The test suite's ``need()`` names the same extra when it
skips.
"""

from __future__ import annotations

import importlib.util

from seatcast.errors import MissingExtraError

#: The extra (``pyproject.toml``'s optional dependencies) that installs each optional module.
EXTRAS: dict[str, str] = {
    "fastapi": "web", "uvicorn": "web", "httpx": "web", "orjson": "web",
    "matplotlib": "plot",
    "dask": "dask", "distributed": "dask",
    "numba": "accel",
    "pymc": "mrp", "pytensor": "mrp", "arviz": "mrp",
}


def install_hint(module: str) -> str:
    """How to install ``module`` (``pip install 'seatcast[web]'``)."""
    extra = EXTRAS.get(module.split(".")[0])
    return f"pip install 'seatcast[{extra}]'" if extra else f"pip install {module}"


def has_module(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a half-installed module
        return False


def require_extra(*modules: str, what: str) -> None:
    """Raise :class:`MissingExtraError` naming the extra if any of ``modules`` is missing.

    ``what`` is what needs it, as the user asked for it (``seatcast serve``, ``--dask``).
    """
    for module in modules:
        if not has_module(module):
            extra = EXTRAS.get(module.split(".")[0], module)
            raise MissingExtraError(f"{what} needs the optional extra '{extra}' ({module} is not installed): "
                                    f"{install_hint(module)}")
