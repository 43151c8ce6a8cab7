"""The typer application objects every command module registers on.

Command modules (``core``, ``importing``, ``forecast``, ``scenarios``, ``web``, ``night``,
``covariate``) each add their commands to :data:`app` (or :data:`plot_app`), so the package
``__init__`` only has to import them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand
from typer.models import CommandFunctionType


class Command(TyperCommand):
    """A command whose usage line names arguments in capitals (``import [OPTIONS] FILE``).

    typer writes a required argument as ``{file}``, which reads like a template placeholder
    left unfilled; the capitals are what click and most command-line tools print.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # typer's vendored click.Context
        """The usage pieces, with ``{name}`` as ``NAME`` and ``[name]`` as ``[NAME]``."""
        out = []
        for piece in super().collect_usage_pieces(ctx):
            if piece.startswith("{") and "}" in piece:
                inner, _, rest = piece[1:].partition("}")
                piece = inner.upper() + rest
            elif piece.startswith("[") and piece != self.options_metavar:
                inner, _, rest = piece[1:].partition("]")
                piece = f"[{inner.upper()}]{rest}"
            out.append(piece)
        return out


class Typer(typer.Typer):
    """A typer app whose commands default to :class:`Command`."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[CommandFunctionType], CommandFunctionType]:
        """Register a command (see :meth:`typer.Typer.command`), as a :class:`Command` by default."""
        if kwargs.get("cls") is None:
            kwargs["cls"] = Command
        return super().command(*args, **kwargs)


app = Typer(
    name="seatcast",
    help="First-past-the-post elections: results, projections, forecasts and candidate scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
plot_app = Typer(help="Plots (matplotlib): calibration, seat distributions, backtests.", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.callback()
def _plot_root() -> None:
    """Plots (matplotlib): calibration, seat distributions, backtests."""
    from seatcast.extras import require_extra

    require_extra("matplotlib", what="seatcast plot")


def _show_version(value: bool) -> None:
    """Print the installed package's version (from its metadata, so it never drifts) and exit."""
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"seatcast {version('seatcast')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from seatcast import __version__

            typer.echo(f"seatcast {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """First-past-the-post elections: results, projections, forecasts and candidate scenarios."""


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
