"""A semicolon-separated CSV writes thousands with full stops: 12.000 votes are twelve thousand, never twelve."""

from __future__ import annotations

from pathlib import Path

from seatcast.data.loaders import read_election


def test_semicolon_csv_reads_full_stop_thousands_as_thousands(tmp_path: Path) -> None:
    f = tmp_path / "eu.csv"
    f.write_text("district_id;district_name;region;party;candidate;votes\n"
                 "X1;Seat;R;Labour;A;12.000\nX1;Seat;R;Green;B;9.500\nX2;Other;R;Green;C;1.234.567\n"
                 "X2;Other;R;Labour;D;250\n")
    el = read_election(f, "eu").election
    assert {k.name: k.votes for k in el.seat("X1").candidacies} == {"A": 12000, "B": 9500}
    assert {k.name: k.votes for k in el.seat("X2").candidacies} == {"C": 1234567, "D": 250}


def test_comma_csv_keeps_spreadsheet_decimals(tmp_path: Path) -> None:
    f = tmp_path / "uk.csv"
    f.write_text("district_id,district_name,region,party,candidate,votes\nX1,Seat,R,Labour,A,12.0\n"
                 "X1,Seat,R,Green,B,\"9,500\"\n")
    el = read_election(f, "uk").election
    assert {k.name: k.votes for k in el.seat("X1").candidacies} == {"A": 12, "B": 9500}
