"""Imported elections in the CLI: parties shown by the names the file gave, and an explicit transfer rule.

The sample is ``tests/fixtures/generic_small.csv``: codes ``a``/``b``/``c`` for "Alpha Party",
"Beta League" and "Gamma Greens", none of them in the default (UK) transfer matrix.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seatcast.api import open_store
from seatcast.cli import app
from seatcast.data.parties import election_names, label_names
from seatcast.data.store import Store
from seatcast.scenarios.split import split_seat
from seatcast.scenarios.transfers import COVERAGE, NEUTRAL, coverage, matrix_for

DATA = Path(__file__).parents[1] / "fixtures"
SAMPLE = DATA / "generic_small.csv"
EID = "t_disp"
runner = CliRunner()


def file_names() -> dict[str, str]:
    """Code -> party name, read straight from the sample file (the expectation, not the code under test)."""
    with SAMPLE.open(newline="") as f:
        return {r["party_code"]: r["party"] for r in csv.DictReader(f) if r["party_code"]}


def file_votes() -> dict[str, dict[str, tuple[str, int]]]:
    """District name -> candidate -> (code, votes), from the sample file."""
    out: dict[str, dict[str, tuple[str, int]]] = {}
    with SAMPLE.open(newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["district_name"], {})[r["candidate"]] = (r["party_code"] or "ind", int(r["votes"]))
    return out


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def flat(text: str) -> str:
    """Table output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module", autouse=True)
def _imported(store_path: Path) -> Iterator[None]:
    """Import the sample once for the module; leave the session store without it afterwards."""
    result = runner.invoke(app, ["import", str(SAMPLE), "--election", EID, "--db", str(store_path)])
    assert result.exit_code == 0, result.output
    yield
    s = open_store(store_path)
    if s.has(EID):
        s.delete(EID)


# ---- 1. party names ---------------------------------------------------------------------


def test_the_store_keeps_the_names_a_fresh_handle_reads_them(store_path: Path) -> None:
    with Store(store_path, fill=False) as fresh:  # no cache: what the database itself holds
        assert election_names(fresh.load(EID)) == file_names()


def test_bundled_uk_elections_bring_no_names_of_their_own(store: Store) -> None:
    assert election_names(store.load("ge2019")) == {}


def test_label_names_takes_the_commonest_label_and_skips_pools() -> None:
    pairs = [("lab", "Labour"), ("lab", "Labour and Co-operative"), ("lab", "Labour"),
             ("ind", "Independent"), ("oth", "Monster Raving Loony"), ("x", " X Party ")]
    assert label_names(pairs) == {"lab": "Labour", "x": "X Party"}


def test_import_summary_shows_names_and_json_keeps_codes() -> None:
    names = file_names()
    table = flat(invoke("import", str(SAMPLE), "--election", EID))
    for name in names.values():
        assert name in table
    assert "│ A │" not in table
    d = json.loads(invoke("import", str(SAMPLE), "--election", EID, "-o", "json"))
    assert set(d["seats_won"]) == {"a", "b", "c", "ind"}
    assert d["party_names"] == names


def test_project_tables_show_names_json_keeps_codes() -> None:
    names = file_names()
    args = ("project", "--base", EID, "--share", "a=40", "--share", "b=35", "--share", "c=12")
    table = flat(invoke(*args))
    for name in names.values():
        assert name in table
    assert "Independent" in table
    d = json.loads(invoke(*args, "--format", "json"))
    assert set(d["seats_predicted"]) <= {"a", "b", "c", "ind", "oth"}
    one = flat(invoke(*args, "--seat", "Norbury"))
    winner = json.loads(invoke(*args, "--seat", "Norbury", "--format", "json"))["winner"]
    assert f"Projected winner: {names[winner]}" in one


def test_forecast_table_shows_names() -> None:
    args = ("forecast", "--base", EID, "--share", "a=40", "--share", "b=35", "--share", "c=12",
            "--sims", "300", "--seed", "2")
    table = flat(invoke(*args))
    d = json.loads(invoke(*args, "--format", "json"))
    for code in d["parties"]:
        if code in file_names():
            assert file_names()[code] in table


def test_uk_tables_unchanged() -> None:
    table = flat(invoke("project", "--base", "ge2019", "--share", "con=40", "--share", "lab=35"))
    assert "Conservative" in table and "Labour" in table


# ---- 2. transfers -----------------------------------------------------------------------


def test_uk_elections_keep_the_default_matrix(store: Store) -> None:
    votes = store.load("ge2019").vote_shares()
    assert coverage(votes) >= COVERAGE and matrix_for(votes).source == "default"
    assert json.loads(invoke("split", "Derby North", "--election", "ge2019", "--format", "json"))["transfers"] \
        == "default"


def test_coverage_is_by_votes_not_by_a_colliding_code() -> None:
    assert matrix_for({"lab": 0.45, "nat": 0.40, "grn": 0.15}).source == NEUTRAL
    assert matrix_for({"con": 0.45, "lab": 0.40, "ld": 0.10, "yorks": 0.05}).source == "default"


def test_imported_split_uses_the_neutral_rule_nobody_abstains(store: Store) -> None:
    seats = file_votes()
    el = store.load(EID)
    r = split_seat(el, "North Cape")
    assert r.transfers == NEUTRAL
    cape = seats["North Cape"]
    dropped = next(c for c in r.candidates if c.party == "b")
    rest = {code: v for code, v in cape.values() if code != "b"}
    for code, v in rest.items():  # each gets the dropped votes in proportion to its own
        assert dropped.votes_without[code] == pytest.approx(v + cape["Bob Bird"][1] * v / sum(rest.values()),
                                                            abs=0.1)
    for name, district in seats.items():  # every vote moves: the seat's total is kept
        total = sum(v for _, v in district.values())
        for c in split_seat(el, name).candidates:
            assert sum(c.votes_without.values()) == pytest.approx(total, abs=0.5)


def test_split_and_systems_say_which_rule_ran() -> None:
    d = json.loads(invoke("split", "--all", "--election", EID, "--format", "json"))
    assert d["transfers"] == NEUTRAL and d["n_seats"] == 0  # proportional moves never change the leader
    for args in (("split", "--all", "--election", EID), ("split", "Norbury", "--election", EID),
                 ("systems", "--election", EID)):
        out = flat(invoke(*args))
        assert "Transfers: proportional" in out and "nobody abstains" in out and "--transfers FILE" in out
    s = json.loads(invoke("systems", "--election", EID, "--format", "json"))
    assert s["transfers"] == NEUTRAL and s["systems"]["av"]["seats"] == s["systems"]["fptp"]["seats"]
    assert "Beta League" in flat(invoke("systems", "--election", EID))


def test_a_user_matrix_over_the_neutral_rule(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("from_party,to_party,fraction\nc,b,0.9\n")
    south = file_votes()["Southend"]
    a, b, c = (next(v for code, v in south.values() if code == p) for p in "abc")
    assert a > b and b + 0.9 * c > a  # the hand check: Gamma's voters decide Southend
    d = json.loads(invoke("split", "--all", "--election", EID, "--transfers", str(m), "--format", "json"))
    assert d["transfers"] == str(m)
    assert [(s["seat"], s["party"], s["winner_without"]) for s in d["seats"]] == [("Southend", "c", "b")]
    out = flat(invoke("split", "--all", "--election", EID, "--transfers", str(m)))
    assert "Gamma Greens" in out and "For a party it gives no row" in out
    n = json.loads(invoke("split", "Norbury", "--election", EID, "--transfers", str(m), "--format", "json"))
    total = sum(v for _, v in file_votes()["Norbury"].values())
    for cand in n["candidates"]:  # rows the file does not give follow the neutral rule: nobody abstains
        assert sum(cand["votes_without"].values()) == pytest.approx(total, abs=0.5)
