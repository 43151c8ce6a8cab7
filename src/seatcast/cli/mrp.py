"""``mrp fit``: multilevel regression and post-stratification from survey microdata."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seatcast.cli.app import Format, FormatOption, app
from seatcast.cli.output import console, emit

mrp_app = typer.Typer(help="Multilevel regression and post-stratification from survey microdata.",
                      no_args_is_help=True)
app.add_typer(mrp_app, name="mrp")


@mrp_app.command("fit")
def mrp_fit(
    survey: Annotated[Path, typer.Option("--survey", help="CSV: seat, vote and one column per demographic.")],
    frame: Annotated[Path, typer.Option("--frame", help="CSV: seat, the same demographics and count.")],
    engine: Annotated[str, typer.Option("--engine", help="vb (statsmodels, default) or pymc "
                                        "(hierarchical multinomial; pip install 'seatcast\\[mrp]').")] = "vb",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the pymc engine (same seed, same output).")] = 0,
    draws: Annotated[int | None, typer.Option("--draws", help="pymc engine: NUTS draws per chain (2 chains) "
                                              "instead of the faster ADVI fit.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Fit a multilevel model on the survey and post-stratify it to every seat."""
    from seatcast.errors import InputError
    from seatcast.models.mrp import fit_mrp_files

    for p in (survey, frame):
        if not p.exists():
            raise InputError(f"no such file: {p}")
    res = fit_mrp_files(survey, frame, engine=engine, seed=seed, draws=draws)
    data = res.to_dict()
    rows: list[dict[str, Any]] = [
        {"seat": str(s), **{str(p): round(float(v), 6) for p, v in row.items()}} for s, row in res.shares.iterrows()
    ]

    def table() -> None:
        from rich.table import Table

        t = Table(title="MRP seat shares (%)")
        t.add_column("seat")
        for p in res.shares.columns:
            t.add_column(str(p), justify="right")
        for r in rows:
            t.add_row(str(r["seat"]), *(f"{100 * float(r[str(p)]):.1f}" for p in res.shares.columns))
        console().print(t)

    emit(fmt, data, rows=rows, table=table)
