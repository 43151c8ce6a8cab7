"""The typer application objects every command module registers on.

Command modules (``core``, ``importing``, ``forecast``, ``scenarios``, ``web``, ``night``,
``covariate``) each add their commands to :data:`app` (or :data:`plot_app`), so the package
``__init__`` only has to import them.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="seatcast",
    help="First-past-the-post elections: results, projections, forecasts and candidate scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
plot_app = typer.Typer(help="Plots (matplotlib): calibration, seat distributions, backtests.", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


class Format(enum.StrEnum):
    """Output formats every command offers."""

    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="SEATCAST_DB", help="SQLite database path (default: per-user data folder)."),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")]
