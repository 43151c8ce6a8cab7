"""The ``night`` command: project the remaining seats as results are declared, or replay a past night."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from seatcast.api import open_store
from seatcast.cli.app import DbOption, Format, FormatOption, app
from seatcast.cli.output import console, emit
from seatcast.data import parties as party_info
from seatcast.data.exit_polls import exit_poll as bundled_exit_poll
from seatcast.errors import InputError, SeatcastError
from seatcast.fit.night_tables import NightFitted, night_fitted
from seatcast.night.exit_poll import parse_exit_poll, parse_shares, prior_at_exit_poll
from seatcast.night.model import NightProjection, NightSettings
from seatcast.night.orders import ORDER_ALIASES, ORDERS
from seatcast.night.prior import prior_from_projection, read_forecast_prior
from seatcast.night.replay import CHECKPOINTS, ReplayResult, base_of, exit_poll_error, replay
from seatcast.night.stream import NightSession, declarations, decode_line, follow, read_rows
from seatcast.projection import project
from seatcast.simulate.limits import check_sims


def _warn(exc: SeatcastError) -> None:
    print(f"error: {exc}", file=sys.stderr)


def _stdin_lines() -> Iterator[str]:
    """Standard input line by line, as bytes decoded per line: a byte that is not UTF-8 costs one line."""
    for line in sys.stdin.buffer:
        yield decode_line(line)


def _json_line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def _print_projection(proj: NightProjection, changes: list[dict[str, Any]], *, title: str) -> None:
    from rich.table import Table

    t = Table(title=title)
    for col in ("party", "seats", "90% interval"):
        t.add_column(col, justify="left" if col == "party" else "right")
    for p, mean in proj.seats_mean.items():
        lo, hi = proj.seats_interval[p]
        t.add_row(party_info.name(p), f"{mean:.1f}", f"{lo}-{hi}")
    con = console()
    con.print(t)
    if changes:
        c = Table(title="Undeclared seats most likely to change hands")
        for col in ("seat", "from", "likely", "P(change)"):
            c.add_column(col, justify="right" if col == "P(change)" else "left")
        for ch in changes:
            c.add_row(ch["name"], ch["from"], ch["likely"], f"{ch['p_change']:.0%}")
        con.print(c)


def _print_replay(res: ReplayResult) -> None:
    from rich.table import Table

    ep = exit_poll_error(res.election)
    t = Table(title=f"Replay of {res.election} from {res.base}: seat-total error after N declarations")
    rows = res.summary()
    cols = [(k, label) for k, label in (
        ("real_error", "real order"), ("stress_error", "stress order"), ("random_error_mean", "random orders (mean)"),
        ("random_error_max", "random (max)"), ("real_covered", "covered: real"), ("stress_covered", "covered: stress"),
        ("random_covered", "covered: random")) if any(k in r for r in rows)]
    t.add_column("declared", justify="right")
    for _, label in cols:
        t.add_column(label, justify="right")
    for row in rows:
        t.add_row(str(row["declared"]), *(str(row.get(k, "")) for k, _ in cols))
    con = console()
    con.print(t)
    con.print(f"prior (before any declaration): error {res.prior_error:.1f}; exit poll: "
              f"{'n/a' if ep is None else f'{ep:.1f}'}; random orders: {res.runs}, seed {res.seed}; "
              f"interval scale {res.interval_scale}; trust {res.trust}"
              + (f"; prior moved to the exit poll {dict(res.exit_poll)}" if res.exit_poll else ""))
    for note in res.notes:
        con.print(f"[dim]{note}[/dim]")


def _settings(sims: int, interval_scale: float | None, trust: float | None, fitted: NightFitted) -> NightSettings:
    """The night model's settings: explicit options win over the learned values."""
    scale = fitted.interval_scale if interval_scale is None else interval_scale
    return NightSettings(n_sims=sims, interval_scale=scale, trust=fitted.trust if trust is None else trust)


def _notes(fitted: NightFitted, interval_scale: float | None, trust: float | None) -> tuple[str, ...]:
    """Where each value came from (an explicit option replaces the learned value's note)."""
    notes = list(fitted.notes)
    if interval_scale is not None:
        notes[0] = f"interval scale {interval_scale}: set explicitly"
    if trust is not None:
        notes[1] = f"trust {trust}: set explicitly"
    return tuple(notes)


@app.command()
def night(
    base: Annotated[str | None, typer.Option(help="Base election id, e.g. ge2019n24 (live mode).")] = None,
    prior: Annotated[Path | None, typer.Option(help="Forecast JSON from `seatcast forecast --format json`.")] = None,
    results: Annotated[str | None, typer.Option(help="Results file (CSV or JSON lines), or - for stdin.")] = None,
    replay_election: Annotated[str | None, typer.Option("--replay", help="Replay a past election: ge2017...")] = None,
    order: Annotated[str, typer.Option(
        help="Replay order: real (the bundled declaration times), random, stress (a made-up extreme order), "
             "both (real and random) or all.")] = "real",
    exit_poll: Annotated[list[str] | None, typer.Option(
        "--exit-poll", help="The exit poll's seats as PARTY=SEATS (repeatable), or 'bundled' in a replay: "
                            "the prior is moved to match it before the first declaration.")] = None,
    exit_poll_share: Annotated[list[str] | None, typer.Option(
        "--exit-poll-share", help="Optional: the exit poll's vote share as PARTY=PERCENT (repeatable), "
                                  "matched too.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulations and random orders.")] = 0,
    runs: Annotated[int, typer.Option(help="Random orders in a replay.")] = 20,
    sims: Annotated[int, typer.Option(help="Simulations per projection.")] = 2000,
    interval_scale: Annotated[float | None, typer.Option(
        help="Widen the simulated 5-95% range by this factor (default: rolling-origin calibration: "
             "a replay uses earlier elections' replays only, live use all of them).")] = None,
    trust: Annotated[float | None, typer.Option(
        help="Factor on the night model's prior sds (default: learned on earlier nights' real orders).")] = None,
    follow_file: Annotated[bool, typer.Option("--follow", help="Keep reading a growing results file.")] = False,
    idle_timeout: Annotated[float, typer.Option(help="With --follow: stop after this many idle seconds.")] = 600.0,
    top: Annotated[int, typer.Option(help="Undeclared seats listed as likely to change hands.")] = 10,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Project the parliament as seats declare (live), or replay a past election's night."""
    if top < 0:
        raise InputError(f"--top must be at least 0, not {top}")
    check_sims(sims, what="--sims")
    store = open_store(db)
    prior_kind = "exit poll" if exit_poll else "polls"
    if replay_election is not None:
        order = ORDER_ALIASES.get(order, order)
        if order not in (*ORDERS, "both", "all"):
            raise InputError(f"--order must be real, random, stress, both or all, not {order!r}")
        orders = ("real", "random") if order == "both" else ORDERS if order == "all" else (order,)
        target = store.load(replay_election)
        base_el = store.load(base or base_of(replay_election))
        fitted = night_fitted(target.date, prior_kind)
        settings = _settings(sims, interval_scale, trust, fitted)
        poll = None
        if exit_poll:
            poll = bundled_exit_poll(target.id) if exit_poll == ["bundled"] else parse_exit_poll(exit_poll)
        elif exit_poll_share:
            raise InputError("--exit-poll-share needs --exit-poll (the seat totals)")
        res = replay(target, base_el, orders=orders, runs=runs, seed=seed, settings=settings,
                     checkpoints=(*CHECKPOINTS, len(target)), store=store, own_groups=fitted.own_groups,
                     exit_poll=poll, exit_poll_shares=parse_shares(exit_poll_share),
                     notes=_notes(fitted, interval_scale, trust))
        if fmt is Format.json:
            for cp in res.checkpoints:
                _json_line(cp.to_dict())
            _json_line({"summary": res.to_dict()})
            return
        emit(fmt, res.to_dict(), rows=res.summary(), table=lambda: _print_replay(res))
        return
    fitted = night_fitted(None, prior_kind)
    settings = _settings(sims, interval_scale, trust, fitted)
    if base is None or results is None:
        raise InputError("give --base and --results FILE|- (live mode), or --replay ELECTION")
    base_el = store.load(base)
    if prior is not None:
        night_prior, said = read_forecast_prior(prior, base_el, option="--prior", other_base="--base")
        if not said:
            print(f"note: --prior {prior} does not say its base; assuming {base}", file=sys.stderr)
    else:
        night_prior = prior_from_projection(project(base_el, model="transition"), base_el,
                                            source=f"no change from {base} (no --prior given)")
    if exit_poll:
        if exit_poll == ["bundled"]:
            raise InputError("--exit-poll bundled is for replays; live, give the seats: --exit-poll lab=410 ...")
        night_prior = prior_at_exit_poll(night_prior, parse_exit_poll(exit_poll), settings,
                                         shares=parse_shares(exit_poll_share))
    elif exit_poll_share:
        raise InputError("--exit-poll-share needs --exit-poll (the seat totals)")
    print(f"prior: {night_prior.source}", file=sys.stderr)
    how = "set by --interval-scale" if interval_scale is not None else "calibrated on every bundled replay"
    print(f"90% intervals: simulated range widened x{settings.interval_scale} ({how}); trust {settings.trust}",
          file=sys.stderr)
    session = NightSession(night_prior, base_el, settings=settings, seed=seed)
    if results == "-":
        lines: Any = _stdin_lines()
        label = "<stdin>"
    else:
        path = Path(results)
        if not path.exists():
            raise InputError(f"--results {results}: no such file")
        lines = follow(path, idle_timeout=idle_timeout if follow_file else 0.0)
        label = str(path)
    for decl in declarations(read_rows(lines, file=label, on_error=_warn), on_reject=_warn):
        try:
            kind = session.apply(decl)
        except SeatcastError as exc:
            _warn(exc)
            continue
        if kind == "duplicate":
            print(f"note: {decl.seat_name or decl.seat_key} declared again with the same votes; ignored",
                  file=sys.stderr)
            continue
        seat = night_prior.names[night_prior.seat_ids.index(base_el.seat(decl.seat_key if base_el.has_seat(
            decl.seat_key) else decl.seat_name).id)]
        proj = session.project(last_seat=seat)
        changes = proj.likely_changes(night_prior, top)
        if fmt is Format.table:
            _print_projection(proj, changes, title=f"{proj.declared} declared; last: {seat}"
                              + (" (corrected)" if kind == "corrected" else ""))
        else:
            _json_line({**proj.to_dict(), "corrected": kind == "corrected", "likely_changes": changes})
    if session.n_declared == 0:
        print("note: no declarations in the stream", file=sys.stderr)
    elif session.n_declared < night_prior.n_seats:
        print(f"note: stream ended with {session.n_declared} of {night_prior.n_seats} seats declared",
              file=sys.stderr)
