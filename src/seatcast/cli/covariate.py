"""Commands of the covariate model: ``mrp fit`` and ``plot backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seatcast.cli.app import DbOption, Format, FormatOption, app, plot_app
from seatcast.cli.output import check_image_path, console, emit

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


@plot_app.command("backtest")
def plot_backtest_cmd(
    election: Annotated[str, typer.Argument(help="Target election: ge2015, ge2017, ge2019, ge2024.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Image file to write (png, pdf, svg).")],
    model: Annotated[str, typer.Option(help="Swing model.")] = "covariate",
    inputs: Annotated[str, typer.Option(help="polls or actual.")] = "polls",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Predicted vs actual share per seat and party, and a hex map of the seats called wrong."""
    from seatcast.api import fit_source, open_store
    from seatcast.backtest.runner import run_backtest
    from seatcast.models.covariate.features import boundaries_of
    from seatcast.plots.backtest import miss_title, plot_backtest

    check_image_path(out, option="--out")
    store = open_store(db)
    result = run_backtest(election, model=model, inputs=inputs, store=store, by_nation=True, fits=fit_source(store))
    target = store.load(election)
    path = plot_backtest(result, target, boundaries_of(target), out)
    data = {"output": str(path), "election": election, "model": result.model, "inputs": inputs,
            "seats_correct_gb": result.seats_correct_gb, "n_seats_gb": result.n_seats_gb}
    emit(fmt, data, table=lambda: console().print(
        f"wrote {path} ({result.seats_correct_gb}/{result.n_seats_gb} GB seats right); map: "
        + miss_title(result).replace("\n", " ")))
