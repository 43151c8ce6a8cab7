"""``plot backtest``: predicted against actual shares of a backtest, and a map of the seats it called wrong.

(The forecast plots, ``plot calibration`` and ``plot seats``, live with ``forecast`` in
:mod:`seatcast.cli.forecast`.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seatcast.cli.app import DbOption, Format, FormatOption, plot_app
from seatcast.cli.output import check_image_path, console, emit


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
