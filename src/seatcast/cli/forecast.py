"""Commands ``forecast``, ``plot calibration`` and ``plot seats``: probabilistic forecasts.

``--polls`` takes either a CSV file of polls in the columns of the bundled ``final_polls.csv``
(``pollster, fieldwork_end, con, lab, ld, snp, pc, grn, ukip_brexit_reform``; party codes such
as ``ruk`` or ``green`` work as column names too; ``ukip_brexit_reform`` is read as Reform UK),
averaged the same way (each pollster's latest poll, then the mean per party), or an election id
such as ``ge2024``, meaning that election's bundled final polls. ``--share`` overrides or adds
parties.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seatcast.api import open_store
from seatcast.cli.app import DbOption, Format, FormatOption, app, plot_app
from seatcast.cli.core import parse_nation_options, parse_share_options
from seatcast.cli.output import check_image_path, console, emit
from seatcast.data import parties as party_info
from seatcast.data.polls_file import blame_polls_file
from seatcast.models import MODELS


def progress_bar(total: int, enabled: bool) -> Any:
    """A rich progress bar and the callback the engine calls (a no-op when ``enabled`` is false)."""
    from contextlib import nullcontext

    if not enabled:
        return nullcontext(), None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                   TimeRemainingColumn(), transient=True, console=console_err())
    task = bar.add_task("sims", total=total)
    return bar, lambda done, _total: bar.update(task, completed=done)


def console_err() -> Any:
    """A rich console on stderr, so progress never mixes with JSON on stdout."""
    from rich.console import Console

    return Console(stderr=True)


def _run_forecast(base: str, polls: str | None, share: list[str] | None, nation_share: list[str] | None,
                  model: str, sims: int, seed: int | None, workers: int, dask: str | None, db: Any,
                  show_progress: bool, accel: str | None = None) -> Any:
    """The CLI's options to :func:`seatcast.api.forecast` (the one implementation), with a progress bar."""
    from seatcast.api import forecast as run_forecast

    overrides = parse_share_options(share)
    ctx, callback = progress_bar(sims, show_progress and sims >= 20_000)
    with ctx, blame_polls_file(polls, overrides):
        return run_forecast(base, overrides, polls=polls, nations=parse_nation_options(nation_share),
                            model=model, sims=sims, seed=seed, workers=workers, dask=dask, accel=accel,
                            progress=callback, db=db)


PollsOption = Annotated[str | None, typer.Option(
    help="A polls CSV file (final_polls.csv columns) or an election id, e.g. ge2024 (its final polls).")]
ShareOption = Annotated[list[str] | None, typer.Option("--share", "-s", help="PARTY=PERCENT (GB), repeatable.")]
NationOption = Annotated[list[str] | None, typer.Option("--nation-share", help="NATION:PARTY=PERCENT.")]
SimsOption = Annotated[int, typer.Option(help="Number of simulated elections.")]
SeedOption = Annotated[int | None, typer.Option(help="Random seed (same seed, same output).")]
WorkersOption = Annotated[int, typer.Option(help="Local worker processes.")]
DaskOption = Annotated[str | None, typer.Option("--dask", help="Dask scheduler address, e.g. tcp://host:8786.")]
AccelOption = Annotated[str | None, typer.Option(
    help="numpy (default) or numba (the optional compiled loop; same result); or set SEATCAST_ACCEL.")]


@app.command()
def forecast(
    base: Annotated[str, typer.Option(help="Base election id, e.g. ge2019n24.")],
    polls: PollsOption = None,
    share: ShareOption = None,
    nation_share: NationOption = None,
    sims: SimsOption = 100_000,
    seed: SeedOption = None,
    model: Annotated[str, typer.Option(help=f"Model: {', '.join(MODELS)}, or auto (covariate on UK bases).")] = "auto",
    workers: WorkersOption = 1,
    dask: DaskOption = None,
    accel: AccelOption = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Simulate many elections: seat win probabilities, seat ranges, chance of a majority."""
    result = _run_forecast(base, polls, share, nation_share, model, sims, seed, workers, dask, db,
                           _progress_wanted(), accel)
    data = result.to_dict()
    rows = [{"id": r["id"], "name": r["name"], **{f"p_{p}": v for p, v in r["p_win"].items()}}
            for r in data["seats"]]

    def table() -> None:
        from rich.table import Table

        names = party_info.election_names(open_store(db).load(base))  # an imported file's party names
        t = Table(title=f"Forecast from {base} ({result.model}), {result.n_sims:,} simulations, seed {result.seed}")
        for col in ("party", "mean", "median", "90% range", "P(majority)", "P(largest)"):
            t.add_column(col, justify="left" if col == "party" else "right")
        for p, s in data["parties"].items():
            t.add_row(party_info.name(p, names), f"{s['seats_mean']:.1f}", str(s["seats_median"]),
                      f"{s['seats_p05']}-{s['seats_p95']}", f"{s['p_majority']:.1%}", f"{s['p_largest']:.1%}")
        con = console()
        con.print(t)
        con.print(f"P(hung parliament) = {data['p_hung']:.1%}")

    emit(fmt, data, rows=rows, table=table)


@plot_app.command("calibration")
def plot_calibration_cmd(
    election: Annotated[str, typer.Argument(help="Backtest election, e.g. ge2019.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file to write (png, svg, pdf).")],
    model: Annotated[str, typer.Option(help="Model (auto: covariate on UK bases).")] = "auto",
    by_nation: Annotated[bool, typer.Option(
        "--by-nation/--gb-only",
        help="Also use the Scotland-only and Wales-only polls, as backtest does; --gb-only: GB polls only.",
    )] = True,
    sims: SimsOption = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Reliability diagram of a probabilistic backtest (predicted vs observed win frequency).

    Same defaults as ``seatcast backtest ELECTION --probabilistic`` (by-nation polls, 10 000
    sims, seed 0), so the two report the same Brier score; the title names the model that ran
    (``auto`` resolved, e.g. ``covariate``) and the polls used.
    """
    from seatcast.plots.calibration import plot_calibration
    from seatcast.simulate.backtest import run_probabilistic

    check_image_path(output)
    scores, result = run_probabilistic(election, model=model, n_sims=sims, seed=seed, store=open_store(db),
                                       by_nation=by_nation)
    polls = "GB + Scotland/Wales polls" if by_nation else "GB polls only"
    ax = plot_calibration(scores["calibration"],
                          title=f"{election} ({result.model}, {polls}): Brier {scores['brier']:.3f}")
    ax.figure.savefig(output, dpi=120, bbox_inches="tight")
    data = {"output": str(output), "election": election, "model": result.model, "by_nation": by_nation,
            "n_sims": sims, "seed": seed, "brier": scores["brier"], "log_loss": scores["log_loss"]}
    emit(fmt, data, table=lambda: console().print(f"wrote {output}"))


@plot_app.command("seats")
def plot_seats_cmd(
    base: Annotated[str, typer.Option(help="Base election id, e.g. ge2019n24.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file to write (png, svg, pdf).")],
    polls: PollsOption = None,
    share: ShareOption = None,
    nation_share: NationOption = None,
    sims: SimsOption = 20_000,
    seed: SeedOption = 0,
    model: Annotated[str, typer.Option(help="Model (auto: covariate on UK bases).")] = "auto",
    workers: WorkersOption = 1,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Distribution of each party's simulated seat total."""
    from seatcast.plots.seats import plot_seat_distributions

    check_image_path(output)
    result = _run_forecast(base, polls, share, nation_share, model, sims, seed, workers, None, db,
                           fmt is Format.table)
    ax = plot_seat_distributions(result)
    ax.figure.savefig(output, dpi=120, bbox_inches="tight")
    data = {"output": str(output), "base": base, "model": result.model, "n_sims": result.n_sims,
            "seed": result.seed}
    emit(fmt, data, table=lambda: console().print(f"wrote {output}"))


def _progress_wanted() -> bool:
    """Whether ``forecast`` draws its progress bar: whenever stderr is a terminal, whatever ``--format``.

    The bar goes to stderr (:func:`console_err`), so JSON or CSV on stdout stays clean, and a
    long default-model run (about a minute per 100 000 simulations on one core) is not silent;
    when stderr is a file or pipe nothing is drawn. Short runs skip it (``_run_forecast``).
    """
    return bool(console_err().is_terminal)
