"""Split-vote analysis and other counting rules on toy seats worked by hand, and on Derby North 2019."""

from __future__ import annotations

from pathlib import Path

import pytest

from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.data.store import Store
from seatcast.errors import DataError
from seatcast.scenarios.split import split_all, split_seat
from seatcast.scenarios.transfers import default_matrix, load_matrix
from seatcast.systems import compare_systems, dhondt, gallagher, irv_winner


def seat(sid: str, name: str, region: str, cands: list[tuple[str, str, int]]) -> Constituency:
    total = sum(v for _, _, v in cands)
    ks = tuple(Candidacy(n, p, p.upper(), v, v / total) for n, p, v in sorted(cands, key=lambda c: -c[2]))
    return Constituency(sid, name, region, "England", None, total, ks)


TOY = Election("toy", "Toy", (
    seat("T1", "Toyton", "North", [("A", "con", 400), ("B", "lab", 380), ("C", "green", 100)]),
    seat("T2", "Avshire", "North", [("D", "con", 40), ("E", "lab", 35), ("F", "ld", 25)]),
    seat("T3", "Safeseat", "South", [("G", "lab", 600), ("H", "con", 200), ("I", "green", 50)]),
))


def test_toy_seat_by_hand() -> None:
    # Default green row: lab .40, con .04 stand; ld .20, snp .08, pc .05, right .02, other .06
    # (.41) name nobody here and go to lab and con in proportion (x .85/.44); .15 abstains.
    r = split_seat(TOY, "Toyton")
    d = r.to_dict()
    assert d["seat"] == "Toyton" and d["winner"] == "con" and d["margin"] == 20
    green = next(c for c in r.candidates if c.party == "green")
    assert green.votes_without["lab"] == pytest.approx(380 + 100 * 0.40 * 0.85 / 0.44)
    assert green.votes_without["con"] == pytest.approx(400 + 100 * 0.04 * 0.85 / 0.44)
    assert [c["winner_without"] for c in d["candidates"]] == ["lab", "con", "lab"]
    assert [c.name for c in r.spoilers] == ["C"]
    assert {"name", "party", "votes", "winner_without"} <= set(d["candidates"][0])


def test_user_matrix_and_abstention(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    csv.write_text("from_party,to_party,fraction\ngreen,lab,0.1\ngreen,con,0.1\n")
    r = split_seat(TOY, "Toyton", load_matrix(csv))
    green = next(c for c in r.candidates if c.party == "green")
    assert green.votes_without == {"con": pytest.approx(410), "lab": pytest.approx(390)}  # 80 abstain
    assert green.winner_without == "con" and not r.spoilers


def test_bad_matrix_rows_name_file_and_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("from_party,to_party,fraction\nlab,ld,0.6\nlab,green,0.6\n")
    with pytest.raises(DataError, match=r"bad\.csv, row 3.*add up to 1\.200"):
        load_matrix(bad)
    bad.write_text("from_party,to_party,fraction\nlab,ld,lots\n")
    with pytest.raises(DataError, match=r"row 2, field 'fraction'"):
        load_matrix(bad)


def test_split_all_totals() -> None:
    d = split_all(TOY)
    # Toyton's Greens and Avshire's Liberal Democrats each cost Labour the seat; in Avshire Labour
    # also cost the LDs it: without E (35), lab row .30 to ld and .08 to con, x .82/.38, gives
    # ld 25 + 22.7 = 47.7 against con 40 + 6.0 = 46.0.
    assert d["n_seats"] == 2
    assert d["spoilers_by_party"] == {"green": 1, "lab": 1, "ld": 1} and d["losers_by_party"] == {"lab": 2, "ld": 1}
    assert [(r["candidate"], r["winner_without"]) for r in d["seats"]] == [("C", "lab"), ("E", "ld"), ("F", "lab")]


def test_irv_dhondt_gallagher_by_hand() -> None:
    # Avshire: LD eliminated; ld row: lab .35, con .20 stand, .28 re-spread (x .83/.55), .17 abstain.
    idx, rounds = irv_winner(TOY.seat("Avshire"), default_matrix())
    assert TOY.seat("Avshire").candidacies[idx].party_code == "lab" and rounds == 2
    assert dhondt({"a": 100, "b": 80, "c": 30}, 5) == {"a": 3, "b": 2}
    assert gallagher({"a": 0.5, "b": 0.5}, {"a": 1, "b": 1}) == 0.0
    res = compare_systems(TOY).to_dict()
    assert res["systems"]["fptp"]["seats"] == {"con": 2, "lab": 1}
    assert res["systems"]["av"]["seats"] == {"lab": 3}  # AV elects the Condorcet-ish Labour in both marginals
    assert res["seats_changed_by_av"] == 2
    assert sum(res["systems"]["dhondt"]["seats"].values()) == 3


def test_derby_north_2019(store: Store) -> None:
    d = split_seat(store.load("ge2019"), "derby north").to_dict()
    assert d["winner"] == "con"
    will = next(c for c in d["candidates"] if c["name"] == "Chris Williamson")
    assert will["votes"] == 635 and will["winner_without"] == "con"  # 635 votes could not bridge 2,540


def test_systems_ge2019(store: Store) -> None:
    d = compare_systems(store.load("ge2019")).to_dict()
    for k in ("fptp", "av", "dhondt"):
        assert sum(d["systems"][k]["seats"].values()) == 650
    assert d["systems"]["fptp"]["seats"]["con"] == 365
    assert d["systems"]["dhondt"]["gallagher"] < d["systems"]["fptp"]["gallagher"]
