"""``seatcast import``: all or nothing, atomic replacement, and imported elections used as bases."""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from seatcast.api import open_store
from seatcast.cli import app
from seatcast.data.importer import import_file
from seatcast.data.loaders import generic_code
from seatcast.data.store import Store
from seatcast.errors import DataError, InputError

DATA = Path(__file__).parents[1] / "fixtures"
BAD = DATA / "bad"
TEST_IDS = ("t_avalon", "t_atomic", "t_cli", "t_hypo", "t_hoc24")


@pytest.fixture(scope="module", autouse=True)
def _cleanup(store_path: Path) -> Iterator[None]:
    """Leave the session store as other test modules expect it: without this module's imports."""
    yield
    s = open_store(store_path)
    for eid in TEST_IDS:
        if s.has(eid):
            s.delete(eid)


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read through a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def test_import_then_load(store: Store) -> None:
    report = import_file(DATA / "generic_small.csv", "t_avalon", store=store, name="Avalon 2023", date="2023-05-01")
    assert (report.seats, report.candidacies, report.format) == (6, 19, "generic")
    assert report.regions == ("North", "South")
    el = store.load("t_avalon")
    assert (el.kind, el.name, el.date) == ("imported", "Avalon 2023", date(2023, 5, 1))
    assert el.seat("Northgate").winner.votes == 5200
    info = next(i for i in store.elections() if i.id == "t_avalon")
    assert not info.bundled and info.seats == 6


def test_failed_import_leaves_the_database_exactly_as_it_was(store: Store) -> None:
    import_file(DATA / "generic_small.csv", "t_atomic", store=store)
    before = dump(store.path)
    for name in ("negative_votes.csv", "duplicate_candidate.csv", "empty_district.csv", "missing_column.csv",
                 "unknown_format.csv", "empty_file.csv"):
        with pytest.raises(DataError):  # bad file, existing id: the old election must survive intact
            import_file(BAD / name, "t_atomic", store=store)
        with pytest.raises(DataError):  # bad file, new id: nothing may appear
            import_file(BAD / name, "t_new_never", store=store)
    assert dump(store.path) == before
    assert not store.has("t_new_never")


def test_a_failure_during_the_write_rolls_back(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import_file(DATA / "generic_small.csv", "t_atomic", store=store)
    before = dump(store.path)
    original = Store._write

    def write_then_fail(conn: sqlite3.Connection, el: object, *, bundled: bool) -> None:
        original(conn, el, bundled=bundled)  # type: ignore[arg-type]
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(Store, "_write", staticmethod(write_then_fail))
    with pytest.raises(RuntimeError):
        import_file(DATA / "generic_minimal.csv", "t_atomic", store=store)
    monkeypatch.undo()
    assert dump(store.path) == before
    assert store.load("t_atomic").seat("Northgate").winner.name == "Ada Ames"


def test_reimport_replaces_the_whole_election(store: Store) -> None:
    import_file(DATA / "generic_small.csv", "t_atomic", store=store)
    report = import_file(DATA / "generic_minimal.csv", "t_atomic", store=store)
    assert report.replaced
    el = store.load("t_atomic")
    assert [c.id for c in el.constituencies] == ["1", "2"]
    conn = sqlite3.connect(store.path)
    try:
        n = conn.execute("SELECT COUNT(*) FROM candidacy WHERE election_id = 't_atomic'").fetchone()[0]
    finally:
        conn.close()
    assert n == 4  # nothing of the old six districts is left behind


def test_bundled_ids_are_refused(store: Store) -> None:
    before = dump(store.path)
    with pytest.raises(InputError, match="bundled election"):
        import_file(DATA / "generic_small.csv", "ge2019", store=store)
    with pytest.raises(InputError, match="letters, digits"):
        import_file(DATA / "generic_small.csv", "bad id!", store=store)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        import_file(DATA / "generic_small.csv", "t_atomic", store=store, date="5 May 2023")
    with pytest.raises(InputError, match="--format"):
        import_file(DATA / "generic_small.csv", "t_atomic", store=store, fmt="xlsx")
    assert dump(store.path) == before


def test_hoc_2024_import(store: Store) -> None:
    report = import_file(DATA / "hoc_2024_dialect.csv", "t_hoc24", store=store)
    assert report.format == "hoc" and report.seats_won == {"lab": 1, "snp": 1}
    assert store.load("t_hoc24").seat("Aberdeen South").winner.name == "Stephen Flynn"


# ---- the command line ---------------------------------------------------------------------------

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_cli_import_project_and_results() -> None:
    out = json.loads(invoke("import", str(DATA / "generic_small.csv"), "--election", "t_cli", "--format", "generic",
                            "--name", "Avalon", "--output-format", "json"))
    assert out["election"] == "t_cli" and out["seats"] == 6 and out["seats_won"] == {"a": 2, "b": 2, "c": 1, "ind": 1}

    proj = json.loads(invoke("project", "--base", "t_cli", "--share", "a=40", "--share", "b=35", "--share", "c=12",
                             "--model", "uns", "--format", "json"))
    assert proj["base"] == "t_cli"
    assert sum(proj["seats_predicted"].values()) == 6
    assert {s["region"] for s in proj["seats"]} == {"North", "South"}
    # Hand check of the one seat that changes. With no nominations, Norbury's losing independent
    # (700 votes) is not assumed to stand again: b 4,800 / 9,400 = 51.06%, a 4,300 / 9,400 = 45.74%
    # (South Bay's winning independent stands). Nationally, so, a 38.74% -> 40% (+1.26), b 41.87% ->
    # 35% (-6.87); under UNS a leads by 45.74 - 51.06 + 1.26 + 6.87 = +2.81 points (a little more
    # once the seat is renormalised).
    winners = {s["name"]: s["winner"] for s in proj["seats"]}
    assert winners["Norbury"] == "a"
    norbury = next(s["shares"] for s in proj["seats"] if s["name"] == "Norbury")
    assert "ind" not in norbury
    assert 0.0281 <= norbury["a"] - norbury["b"] < 0.031
    assert winners["South Bay"] == "ind"
    for s in proj["seats"]:  # each share is rounded to six decimals: the sum may be off by a few 1e-7
        assert sum(s["shares"].values()) == pytest.approx(1.0, abs=5e-6)

    for model in ("proportional", "transition"):
        p = json.loads(invoke("project", "--base", "t_cli", "--share", "a=40", "--share", "b=35", "--model", model,
                              "-f", "json"))
        assert sum(p["seats_predicted"].values()) == 6

    res = json.loads(invoke("results", "t_cli", "norbury", "--format", "json"))
    assert res["winner"] == {"name": "Bea Brown", "party": "b"}
    assert res["majority"] == 500 and res["nation"] == "North"
    assert [c["party"] for c in res["candidates"]] == ["b", "a", "ind", "ind"]

    table = invoke("import", str(DATA / "generic_small.csv"), "--election", "t_cli")
    assert "Replaced t_cli" in table


def test_cli_import_bad_file_raises_a_data_error() -> None:
    result = runner.invoke(app, ["import", str(BAD / "non_integer_votes.csv"), "--election", "t_cli_bad"])
    assert isinstance(result.exception, DataError)
    assert str(result.exception).startswith(f"{BAD / 'non_integer_votes.csv'}, row 3, field 'votes'")
    assert not open_store().has("t_cli_bad")


# ---- property: any valid generic election round-trips through import, store and load -------------

LABELS = ["Red", "Blue", "Green Party", "Independent", "Labour & Co-op", "Ünïty", "Others", "CDU/CSU"]


@st.composite
def generic_elections(draw: st.DrawFn) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for d in range(draw(st.integers(1, 6))):
        region = draw(st.sampled_from(["North", "South", "Île"]))
        electorate = draw(st.none() | st.integers(0, 10**6))
        n = draw(st.integers(1, 5))
        votes = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
        if n > 1 and sum(votes) == 0:
            votes[0] = 1
        for j in range(n):
            rows.append({"district_id": f"D{d}", "district_name": f"District, no. {d}", "region": region,
                         "party": draw(st.sampled_from(LABELS)), "candidate": f"Cand \"{j}\"", "votes": votes[j],
                         "electorate": "" if electorate is None else electorate,
                         "incumbent": draw(st.sampled_from(["yes", "no", ""]))})
    return rows


@given(generic_elections())
def test_generic_round_trip(rows: list[dict[str, object]]) -> None:
    s = open_store()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "e.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        import_file(path, "t_hypo", store=s)
    el = s.load("t_hypo")
    got = {(c.id, k.name): (k.votes, k.party_code, k.party_label, k.sitting_mp)
           for c in el.constituencies for k in c.candidacies}
    want = {(str(r["district_id"]), str(r["candidate"])):
            (r["votes"], generic_code(str(r["party"])), r["party"], {"yes": True, "no": False}.get(str(r["incumbent"])))
            for r in rows}
    assert got == want
    for c in el.constituencies:
        total = sum(k.votes or 0 for k in c.candidacies)
        assert c.valid_votes == total
        assert c.region == c.nation
        assert sum(k.share for k in c.candidacies) == pytest.approx(1.0)
