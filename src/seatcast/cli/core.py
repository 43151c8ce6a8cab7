"""Core commands: ``elections``, ``results``, ``project``, ``backtest``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from seatcast.api import fit_source, open_store
from seatcast.backtest.runner import BACKTESTS, INPUTS, BacktestResult, run_backtest
from seatcast.cli.app import DbOption, Format, FormatOption, app
from seatcast.cli.output import console, emit, pct
from seatcast.data import parties as party_info
from seatcast.data.frame import seat_counts
from seatcast.errors import InputError
from seatcast.models import MODELS
from seatcast.projection import Projection, project


def parse_share_options(values: list[str] | None, *, option: str = "--share") -> dict[str, float]:
    """``["con=43.6", "lab=32.1"]`` -> ``{"con": 43.6, "lab": 32.1}``, with clear errors."""
    out: dict[str, float] = {}
    for item in values or []:
        party, sep, value = item.partition("=")
        if not sep or not party.strip():
            raise InputError(f"{option} {item!r}: expected PARTY=PERCENT, e.g. con=43.6")
        key = party.strip().lower()
        if key in out:  # keeping the last one silently would hide a typo in the other
            raise InputError(f"{option} gives {key} twice ({key}={out[key]:g} and {item!r}): give each party once")
        try:
            out[key] = float(value)
        except ValueError:
            raise InputError(f"{option} {item!r}: {value!r} is not a number") from None
    return out


def parse_nation_options(values: list[str] | None) -> dict[str, dict[str, float]]:
    """``["Scotland:snp=45", "Scotland:con=25"]`` -> ``{"Scotland": {"snp": 45, "con": 25}}``."""
    out: dict[str, dict[str, float]] = {}
    for item in values or []:
        nation, sep, rest = item.partition(":")
        if not sep:
            raise InputError(f"--nation-share {item!r}: expected NATION:PARTY=PERCENT, e.g. Scotland:snp=45")
        given = out.setdefault(nation.strip(), {})
        for party, share in parse_share_options([rest], option="--nation-share").items():
            if party in given:
                raise InputError(f"--nation-share gives {nation.strip()}:{party} twice ({given[party]:g} and "
                                 f"{share:g}): give each party once")
            given[party] = share
    return out


@app.command()
def elections(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the elections in the store (bundled and imported)."""
    infos = open_store(db).elections()
    rows = [i.to_dict() for i in infos]

    def table() -> None:
        from rich.table import Table

        # The id and date are what people copy from this table, so they never wrap or truncate
        # (a date cut to "2019-12-…" is useless), nor do the short fixed-width ones; at 80 columns
        # only the free-text name and source give way, folding onto more lines.
        t = Table(title="Elections")
        t.add_column("id", no_wrap=True, min_width=max((len(i.id) for i in infos), default=2))
        t.add_column("name", overflow="fold")
        t.add_column("date", no_wrap=True, min_width=10)
        t.add_column("kind", no_wrap=True, min_width=8)
        t.add_column("seats", justify="right", no_wrap=True, min_width=5)
        t.add_column("candidacies", justify="right", no_wrap=True, min_width=11)
        t.add_column("source", overflow="fold")
        for i in infos:
            t.add_row(i.id, i.name, i.date or "", i.kind, str(i.seats), str(i.candidacies), i.source[:60])
        console().print(t)

    emit(fmt, {"elections": rows}, rows=rows, table=table)


@app.command()
def results(
    election: Annotated[str, typer.Argument(help="Election id, e.g. ge2019.")],
    seat: Annotated[str, typer.Argument(help="Seat name or ONS id (case-insensitive).")],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show one seat's result."""
    el = open_store(db).load(election)
    c = el.seat(seat)
    win = c.winner
    second = c.runner_up
    cands = [
        {"name": k.name, "party": k.party_code, "label": k.party_label, "votes": k.votes,
         "share": round(k.share, 6), "sitting_mp": k.sitting_mp, "former_mp": k.former_mp}
        for k in c.candidacies
    ]
    data = {
        "election": el.id, "id": c.id, "name": c.name, "region": c.region, "nation": c.nation,
        "electorate": c.electorate, "valid_votes": c.valid_votes, "turnout": c.turnout,
        "winner": {"name": win.name, "party": win.party_code},
        "majority": (win.votes - second.votes) if (second and win.votes is not None and second.votes is not None)
        else None,
        "majority_share": round(c.majority_share, 6),
        "candidates": cands,
    }

    def table() -> None:
        from rich.table import Table

        t = Table(title=f"{c.name} ({c.id}), {el.name}")
        if el.is_notional:
            # A notional result is an estimate of the old votes on new boundaries: one share per
            # party, with no candidates, votes or MPs, and its labels are bare codes ("BRX"). Rows
            # of dashes read as missing data, so show only what exists and say why below the table.
            t.add_column("party")
            t.add_column("share", justify="right")
            for k in c.candidacies:
                t.add_row(party_info.name(k.party_code), pct(k.share))
        else:
            for col in ("candidate", "party", "votes", "share", "MP"):
                t.add_column(col, justify="right" if col in ("votes", "share") else "left")
            for k in c.candidacies:
                t.add_row(k.name or "-", k.party_label, f"{k.votes:,}" if k.votes is not None else "-",
                          pct(k.share), "sitting" if k.sitting_mp else ("former" if k.former_mp else ""))
        con = console()
        con.print(t)
        if el.is_notional:  # a line of its own: a rich caption would wrap under the narrow table
            con.print("Notional result: estimated party shares only, no candidates or votes.")
        maj = data["majority"]
        con.print(f"Winner: {win.name or win.party_label} ({win.party_code}); majority "
                  f"{maj:,} ({pct(c.majority_share)})" if maj is not None else
                  f"Winner: {party_info.name(win.party_code)} ({win.party_code}); majority {pct(c.majority_share)}")

    emit(fmt, data, rows=cands, table=table)


def _seat_totals_table(title: str, columns: dict[str, dict[str, Any]],
                       names: dict[str, str] | None = None) -> Any:
    """Seats per party, one column per source; ``names`` are an imported election's party names."""
    from rich.table import Table

    t = Table(title=title)
    t.add_column("party")
    for name in columns:
        t.add_column(name, justify="right")
    parties: dict[str, None] = {}
    for col in columns.values():
        parties.update(dict.fromkeys(col))
    for p in parties:
        t.add_row(party_info.name(p, names), *[str(col.get(p, 0)) for col in columns.values()])
    return t


@app.command("project")
def project_cmd(
    base: Annotated[str, typer.Option(help="Base election id, e.g. ge2019n24.")],
    share: Annotated[list[str] | None, typer.Option("--share", "-s", help="PARTY=PERCENT (GB), repeatable.")] = None,
    nation_share: Annotated[
        list[str] | None, typer.Option("--nation-share", help="NATION:PARTY=PERCENT, e.g. Scotland:snp=45.")
    ] = None,
    polls: Annotated[str | None, typer.Option(
        help="A polls CSV file (final_polls.csv columns) or an election id, e.g. ge2024 (its final polls).")] = None,
    model: Annotated[str, typer.Option(help=f"Model: {', '.join(MODELS)}, or auto (covariate on UK bases).")] = "auto",
    seat: Annotated[str | None, typer.Option(help="Show one seat's projected shares.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Project every seat from national vote shares."""
    from seatcast.data.polls_file import blame_polls_file, read_polls

    from_polls = read_polls(polls) if polls else {}
    overrides = parse_share_options(share)
    shares = {**from_polls, **overrides}
    nations = parse_nation_options(nation_share)
    if not shares and not nations:
        raise InputError("give national shares with --share PARTY=PERCENT (or --polls FILE|ELECTION)")
    store = open_store(db)
    base_election = store.load(base)
    names = party_info.election_names(base_election)
    with blame_polls_file(polls, overrides):
        proj = project(base_election, shares, model=model, nations=nations, store=store, fits=fit_source(store))
    if seat is not None:
        _emit_seat(proj, seat, fmt, names)
        return
    data = proj.to_dict()

    def table() -> None:
        con = console()
        base_seats = seat_counts(proj.setup.base_winners)
        con.print(_seat_totals_table(f"Projection from {base} ({proj.model})",
                                     {"base": base_seats, "projected": proj.seats_predicted}, names))
        changes = proj.changes()
        if changes:
            from rich.table import Table

            t = Table(title=f"Seats changing hands ({len(changes)})")
            for col in ("seat", "from", "to"):
                t.add_column(col)
            for ch in changes:
                t.add_row(ch["name"], names.get(ch["from"], ch["from"]), names.get(ch["to"], ch["to"]))
            con.print(t)
        for note in proj.setup.notes:
            con.print(f"[dim]{note}[/dim]")

    rows = [{"id": r["id"], "name": r["name"], "region": r["region"], "winner": r["winner"], **r["shares"]}
            for r in data["seats"]]
    emit(fmt, data, rows=rows, table=table)


def _emit_seat(proj: Projection, seat: str, fmt: Format, names: dict[str, str] | None = None) -> None:
    i = proj.seat_index(seat)
    shares = proj.seat_shares(seat)
    base_row = proj.frame.shares[i]
    base_shares = {p: float(base_row[j]) for j, p in enumerate(proj.parties) if base_row[j] > 0}
    winner = str(proj.winners[i])
    data: dict[str, Any] = {
        "base": proj.frame.election_id, "model": proj.model, "id": proj.frame.seat_ids[i],
        "name": proj.frame.names[i], "winner": winner, "base_winner": str(proj.setup.base_winners[i]),
        "shares": shares, "base_shares": base_shares,
    }
    rows: list[dict[str, Any]] = [
        {"party": p, "base": base_shares.get(p, 0.0), "projected": s} for p, s in shares.items()
    ]

    def table() -> None:
        from rich.table import Table

        t = Table(title=f"{data['name']}: projected from {data['base']} ({proj.model})")
        for col in ("party", "base", "projected"):
            t.add_column(col, justify="left" if col == "party" else "right")
        for r in rows:
            t.add_row(party_info.name(str(r["party"]), names), pct(float(r["base"])), pct(float(r["projected"])))
        console().print(t)
        console().print(f"Projected winner: {party_info.name(winner, names)}")

    emit(fmt, data, rows=rows, table=table)


def backtest_table(results: list[BacktestResult]) -> Any:
    """A rich table of backtest scores, one row per result."""
    from rich.table import Table

    t = Table(title="Backtest")
    for col in ("election", "base", "model", "inputs", "correct (GB)", "seat error", "share MAE"):
        t.add_column(col, justify="right" if col in ("correct (GB)", "seat error", "share MAE") else "left")
    for r in results:
        t.add_row(r.election, r.base, r.model, r.inputs, f"{r.seats_correct_gb}/{r.n_seats_gb}",
                  f"{r.seat_total_error:.0f}", f"{r.share_mae:.2f}")
    return t


@app.command()
def backtest(
    election: Annotated[str, typer.Argument(help=f"Target election: {', '.join(BACKTESTS)}, or 'all'.")],
    model: Annotated[str, typer.Option(help=f"{', '.join(MODELS)}, auto (covariate on UK bases), or 'all'.")] = "auto",
    inputs: Annotated[str, typer.Option(help="polls (final-poll average) or actual (actual GB shares).")] = "polls",
    by_nation: Annotated[bool, typer.Option(
        "--by-nation/--gb-only",
        help="Also use the Scotland-only and Wales-only polls (or actual nation shares); --gb-only: GB shares only.",
    )] = True,
    probabilistic: Annotated[bool, typer.Option(
        "--probabilistic", help="Also simulate and score win probabilities (Brier, log loss, calibration).")] = False,
    poll_average: Annotated[str, typer.Option(
        "--poll-average", help="mean (plain mean of the final polls) or house (house-effect-aware average).")] = "mean",
    sims: Annotated[int, typer.Option(help="Simulations for --probabilistic.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed for --probabilistic.")] = 0,
    per_seat: Annotated[bool, typer.Option(
        "--per-seat",
        help="CSV: one row per seat (winners, projected and actual shares) instead of the summary.")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Score a model on a past election using only what was known before it.

    The JSON gives every seat's call under ``seats``; ``--format csv --per-seat`` the same as
    CSV, one row per seat and backtest.
    """
    if inputs not in INPUTS:
        raise InputError(f"--inputs must be one of {', '.join(INPUTS)}, not {inputs!r}")
    if poll_average not in ("mean", "house"):
        raise InputError(f"--poll-average must be mean or house, not {poll_average!r}")
    store = open_store(db)
    targets = list(BACKTESTS) if election == "all" else [election]
    models = list(MODELS) if model == "all" else [model]
    fits = fit_source(store)
    results = [run_backtest(e, model=m, inputs=inputs, by_nation=by_nation, store=store, average=poll_average,
                            fits=fits)
               for e in targets for m in models]
    dicts = [r.to_dict() for r in results]
    if probabilistic:  # always simulates from the final polls (see seatcast.simulate.backtest)
        from seatcast.simulate.backtest import run_probabilistic

        for d, r in zip(dicts, results, strict=True):
            d.update(run_probabilistic(r.election, model=r.model, n_sims=sims, seed=seed, store=store,
                                       by_nation=by_nation)[0])
    rows = [{k: v for k, v in d.items() if not isinstance(v, dict)} for d in dicts]
    if per_seat:
        rows = [{"election": r.election, "model": r.model, "inputs": r.inputs, **seat}
                for r in results for seat in r.to_frame().to_dict("records")]
    if fmt is Format.json:
        for d, r in zip(dicts, results, strict=True):
            d["seats"] = r.seat_records()
    data: Any = dicts[0] if len(dicts) == 1 else {"backtests": dicts}

    def table() -> None:
        con = console()
        con.print(backtest_table(results))
        if len(results) == 1:
            r = results[0]
            con.print(_seat_totals_table(f"{r.election} seats", {"predicted": r.seats_predicted,
                                                                   "actual": r.seats_actual}))

    emit(fmt, data, rows=rows, table=table)
