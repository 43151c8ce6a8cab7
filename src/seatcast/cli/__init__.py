"""The ``seatcast`` command line: a thin layer over the Python API.

Modules register their commands on :data:`seatcast.cli.app.app`; importing them here is what
makes the commands appear. Errors seatcast raises on purpose print as one line and exit 2.
"""

from __future__ import annotations

import importlib
import sys

from seatcast.cli.app import app
from seatcast.errors import SeatcastError

_COMMAND_MODULES = ("core", "importing", "forecast", "scenarios", "web", "night", "mrp", "plots", "models")
for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"seatcast.cli.{_name}")
    except ModuleNotFoundError as exc:  # a module not written yet; never hide a missing dependency
        if exc.name != f"seatcast.cli.{_name}":
            raise


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SeatcastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


__all__ = ["app", "main"]
