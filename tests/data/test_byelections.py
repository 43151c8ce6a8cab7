"""The by-election loader: the bundled file as documented, clear errors, and "held before" filtering."""

from __future__ import annotations

from pathlib import Path

import pytest

from seatcast.data.byelections import (
    COLUMNS,
    ByCandidate,
    ByElection,
    bundled_byelections,
    byelections_before,
    parse_byelections,
    read_byelections,
)
from seatcast.errors import DataError

HEADER = ",".join(COLUMNS)


def _row(date: str = "2016-12-01", seat: str = "E14000896", party: str = "LD", votes: str = "20510",
         ge: str = "ge2015") -> str:
    return f"{date},{seat},Richmond Park,England,Liberal Democrat,{party},Sarah,Olney,{votes},77243,{ge}"


def test_bundled_file_holds_the_59_byelections_per_parliament() -> None:
    held = bundled_byelections()
    assert len(held) == 59
    per = {ge: sum(b.previous_general_election == ge for b in held) for ge in ("ge2010", "ge2015", "ge2017", "ge2019")}
    assert per == {"ge2010": 21, "ge2015": 10, "ge2017": 5, "ge2019": 23}
    assert sum(len(b.candidates) for b in held) == 582
    assert [b.date for b in held] == sorted(b.date for b in held)


def test_bundled_results_match_the_documented_spot_checks() -> None:
    by = {(b.date, b.seat): b for b in bundled_byelections()}
    shropshire = by[("2021-12-16", "E14000849")]
    assert shropshire.winner == "ld" and shropshire.valid_votes == 38022
    assert shropshire.shares()["ld"] == pytest.approx(17957 / 38022)
    rochdale = by[("2024-02-29", "E14000897")]
    assert rochdale.winner == "wpb" and rochdale.valid_votes == 31107
    assert sum(b.seat == "E14000548" for b in bundled_byelections()) == 2  # Batley and Spen, 2016 and 2021


def test_byelections_before_never_returns_one_held_on_or_after_the_date() -> None:
    before = byelections_before("2019-12-12")
    assert before and all(b.date < "2019-12-12" for b in before)
    assert {b.date for b in before} == {b.date for b in bundled_byelections() if b.date < "2019-12-12"}
    on_the_day = ByElection("2019-12-12", "E1", "X", "England", 1, "ge2017", (ByCandidate("lab", "A", 1),))
    assert byelections_before("2019-12-12", source=[on_the_day]) == ()
    since = byelections_before("2024-07-04", since="2019-12-12")
    assert len(since) == 23 and all(b.previous_general_election == "ge2019" for b in since)


def test_shares_add_candidates_of_one_code() -> None:
    b = ByElection("2020-01-01", "E1", "X", "England", 100, "ge2019",
                   (ByCandidate("lab", "A", 50), ByCandidate("ind", "B", 30), ByCandidate("ind", "C", 20)))
    assert b.shares() == {"lab": 0.5, "ind": 0.5} and b.winner == "lab"


def test_file_in_the_bundled_layout_reads(tmp_path: Path) -> None:
    path = tmp_path / "by.csv"
    path.write_text("\n".join([HEADER, _row(), _row(party="Ind", votes="18638")]) + "\n")
    (b,) = read_byelections(path)
    assert b.seat == "E14000896" and b.winner == "ld" and b.valid_votes == 39148


@pytest.mark.parametrize(("row", "field", "fragment"), [
    (_row(votes="12x"), "votes", "not a non-negative whole number"),
    (_row(votes="-5"), "votes", "not a non-negative whole number"),
    (_row(date="01/12/2016"), "date", "not a date"),
    (_row(ge="2015"), "previous_general_election", "general-election id"),
    (_row(seat=""), "ons_id", "empty"),
])
def test_bad_cell_names_file_row_and_field(row: str, field: str, fragment: str) -> None:
    with pytest.raises(DataError) as info:
        parse_byelections("\n".join([HEADER, _row(), row]), "by.csv")
    assert info.value.file == "by.csv" and info.value.row == 3 and info.value.field == field
    assert fragment in str(info.value) and str(info.value).startswith("by.csv, row 3, field")


def test_missing_column_is_named() -> None:
    header = HEADER.replace(",electorate", "")
    with pytest.raises(DataError, match=r"missing column.*electorate"):
        parse_byelections(header + "\n", "by.csv")


def test_one_byelection_in_two_parliaments_is_an_error() -> None:
    with pytest.raises(DataError, match="row 3, field 'previous_general_election'"):
        parse_byelections("\n".join([HEADER, _row(), _row(party="Con", votes="10", ge="ge2017")]), "by.csv")
