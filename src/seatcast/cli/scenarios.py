"""Scenario commands: ``split``, ``systems``, ``scenario`` and ``incumbency``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seatcast.api import open_store
from seatcast.cli.app import DbOption, Format, FormatOption, app
from seatcast.cli.output import console, emit, pct, plural
from seatcast.data import parties as party_info
from seatcast.errors import InputError

TransfersOption = Annotated[
    Path | None, typer.Option("--transfers", help="Transfer matrix CSV (from_party,to_party,fraction).")]


def _matrix(path: Path | None, election: Any) -> Any:
    """The transfer rule for ``election``: the user's file over the election's own default, or that default.

    Always a matrix, never ``None``, so the table can say which rule ran (``describe``).
    """
    from seatcast.scenarios.transfers import load_matrix, matrix_for

    base = matrix_for(election.vote_shares())
    return load_matrix(path, base=base) if path is not None else base


def _counterfactual_inputs(db: Path | None, election: str, transfers: Path | None
                           ) -> tuple[Any, Any, dict[str, str]]:
    """What ``split`` and ``systems`` both start from: the election, its transfer rule, its party names."""
    el = open_store(db).load(election)
    return el, _matrix(transfers, el), party_info.election_names(el)


def _transfer_note(matrix: Any) -> str:
    from seatcast.scenarios.transfers import describe

    return f"[dim]{describe(matrix)}[/dim]"


@app.command()
def split(
    seat: Annotated[str | None, typer.Argument(help="Seat name or id (omit with --all).")] = None,
    election: Annotated[str, typer.Option(help="Election id, e.g. ge2019.")] = "ge2019",
    all_seats: Annotated[bool, typer.Option("--all", help="Every seat where one candidate decided it.")] = False,
    transfers: TransfersOption = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Ask, per candidate, whether the winner changes had they not stood (voters move by the transfers)."""
    from seatcast.scenarios.split import split_all, split_seat

    el, matrix, names = _counterfactual_inputs(db, election, transfers)

    def nm(code: str) -> str:  # an imported election's parties by name; UK codes as before
        return party_info.name(code, names) if names else code
    if all_seats:
        data = split_all(el, matrix)

        def table_all() -> None:
            from rich.table import Table

            t = Table(title=f"{election}: seats where one candidate changed the winner ({data['n_seats']})")
            for col in ("seat", "winner", "margin", "candidate", "party", "votes", "winner without"):
                t.add_column(col, justify="right" if col in ("margin", "votes") else "left")
            for r in data["seats"]:
                t.add_row(r["seat"], nm(r["winner"]), f"{r['margin']:,.0f}", r["candidate"], nm(r["party"]),
                          f"{r['votes']:,.0f}", nm(r["winner_without"]))
            con = console()
            con.print(t)
            con.print("Spoilers by party: "
                      + (", ".join(f"{nm(p)} {n}" for p, n in data["spoilers_by_party"].items()) or "none"))
            con.print("Would have won without the spoiler: "
                      + (", ".join(f"{nm(p)} {n}" for p, n in data["losers_by_party"].items()) or "none"))
            con.print(_transfer_note(matrix))

        emit(fmt, data, rows=data["seats"], table=table_all)
        return
    if seat is None:
        raise InputError("give a SEAT, or --all for every seat")
    res = split_seat(el, seat, matrix)
    d = res.to_dict()

    def table() -> None:
        from rich.table import Table

        t = Table(title=f"{res.seat} ({election}): winner {party_info.name(res.winner, names)}, "
                        f"margin {res.margin:,.0f}")
        for col in ("candidate", "party", "votes", "winner without them"):
            t.add_column(col, justify="right" if col == "votes" else "left")
        for c in res.candidates:
            changed = c.winner_without != res.winner and not (c.party == res.winner and c.name == res.winner_name)
            t.add_row(c.name or "-", nm(c.party), f"{c.votes:,.0f}",
                      f"{nm(c.winner_without)} ({c.winner_without_name})" + ("  <- spoiler" if changed else ""))
        console().print(t)
        console().print(_transfer_note(matrix))

    rows = [{k: v for k, v in c.items() if k != "votes_without"} for c in d["candidates"]]
    emit(fmt, d, rows=rows, table=table)


@app.command()
def systems(
    election: Annotated[str, typer.Option(help="Election id, e.g. ge2019.")] = "ge2019",
    transfers: TransfersOption = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The same votes under FPTP, AV (instant runoff) and regional D'Hondt, with Gallagher indices."""
    from seatcast.systems import compare_systems

    el, matrix, party_names = _counterfactual_inputs(db, election, transfers)
    res = compare_systems(el, matrix)
    d = res.to_dict()
    names = list(d["systems"])
    parties = list(d["vote_share"])
    rows = [{"party": p, "vote_share": d["vote_share"][p],
             **{n: d["systems"][n]["seats"].get(p, 0) for n in names}} for p in parties]

    def table() -> None:
        from rich.table import Table

        t = Table(title=f"{election}: the same votes, three counting rules")
        t.add_column("party")
        t.add_column("votes", justify="right")
        for n in names:
            t.add_column(n.upper() if n != "dhondt" else "D'Hondt (regions)", justify="right")
        for r in rows:
            if any(r[n] for n in names) or r["vote_share"] >= 0.005:
                t.add_row(party_info.name(r["party"], party_names), pct(r["vote_share"]), *[str(r[n]) for n in names])
        t.add_row("Gallagher index", "", *[f"{d['systems'][n]['gallagher']:.2f}" for n in names])
        con = console()
        con.print(t)
        con.print(f"[dim]AV changes the winner in {plural(d['seats_changed_by_av'], 'seat')}.[/dim]")
        con.print(_transfer_note(matrix))

    emit(fmt, d, rows=rows, table=table)


@app.command()
def scenario(
    file: Annotated[Path, typer.Argument(help="Scenario TOML file (see examples/derby-north-2019.toml).")],
    sims: Annotated[int | None, typer.Option("--sims", help="Monte Carlo simulations per stage.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (same seed, same output).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Run a scenario: the forecast with and without each step."""
    from seatcast.scenarios.run import run_file

    run = run_file(file, open_store(db), sims=sims, seed=seed)
    d = run.to_dict()
    rows = []
    for s in d["seats"]:
        for st in s["stages"]:
            rows.append({"seat": s["seat"], "stage": st["label"], "winner": st["winner"],
                         **{f"share_{p}": v for p, v in st["shares"].items()},
                         **{f"p_win_{p}": v for p, v in st.get("p_win", {}).items()}})

    def table() -> None:
        from rich.table import Table

        con = console()
        con.print(f"[bold]{run.title or run.source}[/bold]  base {run.base}, model {run.model}"
                  + (f", {run.n_sims} simulations, seed {run.seed}" if run.n_sims else " (point projection)"))
        t = Table(title="Seats per stage" + (" (mean of simulations)" if run.n_sims else ""))
        t.add_column("stage")
        parties = list(d["stages"][0]["seats_predicted"])[:6]
        for p in parties:
            t.add_column(p, justify="right")
        for st in d["stages"]:
            fc = st.get("forecast")
            t.add_row(st["label"], *[f"{fc[p]['seats_mean']:.1f}" if fc and p in fc else
                                      str(st["seats_predicted"].get(p, 0)) for p in parties])
        con.print(t)
        for s in d["seats"]:
            st_t = Table(title=f"{s['seat']} (base winner {s['base_winner']})")
            st_t.add_column("stage")
            st_t.add_column("winner")
            st_t.add_column("shares")
            if run.n_sims:
                st_t.add_column("P(win)")
            for st in s["stages"]:
                shares = ", ".join(f"{p} {pct(v)}" for p, v in sorted(st["shares"].items(), key=lambda x: -x[1])[:5])
                cells = [st["label"], st["winner"], shares]
                if run.n_sims:
                    cells.append(", ".join(f"{p} {v:.3f}" for p, v in
                                           sorted(st["p_win"].items(), key=lambda x: -x[1])[:4]))
                st_t.add_row(*cells)
            con.print(st_t)
            if "p_win_change" in s:
                con.print("Change in P(win) with all steps: " + ", ".join(
                    f"{p} {v:+.3f}" for p, v in sorted(s["p_win_change"].items(), key=lambda x: -abs(x[1]))))
            act = s.get("actual_for_comparison_only")
            if act:
                con.print(f"[dim]Actual {act['election']} result (for comparison only, not used): winner "
                          f"{act['winner']}; " + ", ".join(f"{c['name']} ({c['party']}) {c['votes']:,}"
                                                           if c["votes"] is not None else c["party"]
                                                           for c in act["candidates"]) + "[/dim]")

    emit(fmt, d, rows=rows, table=table)


@app.command()
def incumbency(
    election: Annotated[str | None, typer.Option(help="Estimate for this election (earlier elections only).")] = None,
    backtest: Annotated[bool, typer.Option("--backtest", help="Score ge2019 and ge2024 with and without.")] = False,
    model: Annotated[str, typer.Option(help="Swing model for --backtest.")] = "transition",
    sims: Annotated[int | None, typer.Option("--sims", help="Simulations for the Brier score (--backtest).")] = None,
    seed: Annotated[int, typer.Option(
        "--seed", help="Random seed of the --backtest simulations (same seed, same output).")] = 1,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Incumbency effects and the independent prior, or (with --backtest) their backtest."""
    from seatcast.data.polls import ELECTION_DATES
    from seatcast.scenarios.incumbency import estimate_incumbency
    from seatcast.scenarios.incumbency_backtest import incumbency_backtest

    store = open_store(db)
    if backtest:
        results = [incumbency_backtest(e, store=store, model=model, sims=sims, seed=seed).to_dict()
                   for e in ("ge2019", "ge2024")]
        rows = [{"election": r["election"], "model": r["model"], "n_affected": r["n_affected"],
                 **{f"{k}_without": v for k, v in r["without"].items()},
                 **{f"{k}_with": v for k, v in r["with"].items()}} for r in results]

        def table_bt() -> None:
            from rich.table import Table

            t = Table(title="Incumbency/independent models: affected seats, without -> with")
            for col in ("election", "seats", "correct", "share MAE", "Brier"):
                t.add_column(col, justify="left" if col == "election" else "right")
            for r in results:
                w, x = r["without"], r["with"]
                t.add_row(r["election"], str(r["n_affected"]),
                          f"{w['seats_correct']:.0f} -> {x['seats_correct']:.0f}",
                          f"{w['share_mae']:.2f} -> {x['share_mae']:.2f}",
                          f"{w['brier']:.4f} -> {x['brier']:.4f}" if "brier" in w else "-")
            console().print(t)

        emit(fmt, {"backtests": results}, rows=rows, table=table_bt)
        return
    before = None
    if election:  # an unknown id is an error, never a silent estimate from every election
        held = store.load(election).date
        before = ELECTION_DATES.get(election) or (held.isoformat() if held else None)
        if before is None:
            raise InputError(f"--election {election}: has no polling date, so 'earlier elections' is undefined")
    est = estimate_incumbency(store, before=before).to_dict()

    def table() -> None:
        con = console()
        con.print(f"Sitting MP stands again: {est['stand'] * 100:+.2f} pts (se {est['stand_se'] * 100:.2f}); "
                  f"retires: {est['retire'] * 100:+.2f} pts (se {est['retire_se'] * 100:.2f})")
        ind = est["independent"]
        con.print(f"Former MP as independent: median {pct(ind['median'])}, 90% interval "
                  f"{pct(ind['q05'])}-{pct(ind['q95'])} ({ind['n_cases']} cases)")
        for c in ind["cases"]:
            con.print(f"  {c['election']} {c['seat']}: {c['name']} {pct(c['share'])}")

    emit(fmt, est, rows=est["independent"]["cases"], table=table)
