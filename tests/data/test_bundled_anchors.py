"""Published figures the bundled data must reproduce."""

from __future__ import annotations

from seatcast.data.store import Store


def test_ge2019_seats(store: Store) -> None:
    won = store.load("ge2019").seats_won()
    assert (won["con"], won["lab"], won["snp"], won["ld"]) == (365, 202, 48, 11)
    assert sum(won.values()) == 650


def test_ge2024_seats(store: Store) -> None:
    won = store.load("ge2024").seats_won()
    expect = {"lab": 411, "con": 121, "ld": 72, "snp": 9, "ruk": 5, "green": 4, "pc": 4}
    assert {p: won[p] for p in expect} == expect


def test_all_seat_totals(store: Store) -> None:
    expect = {"ge2010": (306, 258, 57), "ge2015": (330, 232, 8), "ge2017": (317, 262, 12)}
    for el, (con, lab, ld) in expect.items():
        won = store.load(el).seats_won()
        assert (won["con"], won["lab"], won["ld"]) == (con, lab, ld)


def test_notional_winners(store: Store) -> None:
    won = store.load("ge2019n24").seats_won()
    assert (won["con"], won["lab"], won["snp"], won["ld"]) == (372, 200, 48, 8)


def test_derby_north_2019(store: Store) -> None:
    seat = store.load("ge2019").seat("Derby North")
    assert seat.winner.name == "Amanda Solloway" and seat.winner.party_code == "con"
    williamson = next(c for c in seat.candidacies if c.name == "Chris Williamson")
    assert williamson.party_code == "ind" and williamson.votes == 635 and williamson.sitting_mp is True


def test_derby_north_2017(store: Store) -> None:
    seat = store.load("ge2017").seat("E14000662")
    votes = {c.party_code: c.votes for c in seat.candidacies}
    assert votes["lab"] == 23622 and votes["con"] == 21607


def test_votes_add_up(store: Store) -> None:
    for el in ("ge2010", "ge2015", "ge2017", "ge2019", "ge2024"):
        for c in store.load(el).constituencies:
            assert sum(k.votes or 0 for k in c.candidacies) == c.valid_votes
