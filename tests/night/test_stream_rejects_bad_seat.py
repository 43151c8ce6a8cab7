"""A bad line in the results stream rejects its whole seat; undecodable bytes cost one line, never the night."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.errors import DataError, SeatcastError
from seatcast.night.stream import Declaration, declarations, follow, read_rows

HEADER = "district_id,district_name,region,party,candidate,votes"


def _decls(lines: list[str | None]) -> tuple[list[Declaration], list[SeatcastError], list[SeatcastError]]:
    errors: list[SeatcastError] = []
    rejected: list[SeatcastError] = []
    out = list(declarations(read_rows(lines, file="res.csv", on_error=errors.append), on_reject=rejected.append))
    return out, errors, rejected


def test_non_numeric_votes_reject_the_whole_seat_not_just_the_row() -> None:
    decls, errors, rejected = _decls([
        HEADER, ",Seat A,R,Labour,A,20000", ",Seat A,R,Reform UK,B,9000", ",Seat A,R,Conservative,C,lots",
        ",Seat B,R,Labour,D,100", ",Seat B,R,Green,E,50",
    ])
    assert [d.seat_key for d in decls] == ["Seat B"]
    assert len(errors) == 1 and isinstance(errors[0], DataError)
    assert (errors[0].file, errors[0].row, errors[0].field) == ("res.csv", 4, "votes")
    assert len(rejected) == 1 and "Seat A" in str(rejected[0]) and "not declared" in str(rejected[0])


def test_negative_votes_in_the_first_row_reject_that_seat_only() -> None:
    decls, errors, rejected = _decls([
        HEADER, ",Seat A,R,Labour,A,200", ",Seat B,R,Labour,D,-100", ",Seat B,R,Green,E,50", ",Seat C,R,Green,F,5",
    ])
    assert [d.seat_key for d in decls] == ["Seat A", "Seat C"]
    assert "negative" in str(errors[0]) and errors[0].row == 3  # type: ignore[attr-defined]
    assert "Seat B" in str(rejected[0])


def test_broken_json_line_rejects_both_neighbouring_seats() -> None:
    def row(seat: str, party: str, votes: int) -> str:
        return json.dumps({"district_id": "", "district_name": seat, "region": "R", "party": party,
                           "candidate": party, "votes": votes})

    decls, errors, rejected = _decls([
        row("Seat A", "Labour", 10), '{"district_name": "Seat', row("Seat B", "Labour", 5),
        None, row("Seat C", "Green", 7),
    ])
    assert [d.seat_key for d in decls] == ["Seat C"]  # a blank line or pause ends the doubt
    assert "not JSON" in str(errors[0]) and errors[0].row == 2  # type: ignore[attr-defined]
    assert {s for s in ("Seat A", "Seat B") if any(s in str(r) for r in rejected)} == {"Seat A", "Seat B"}


def test_a_later_complete_valid_set_declares_the_rejected_seat() -> None:
    decls, _, rejected = _decls([
        HEADER, ",Seat A,R,Labour,A,20000", ",Seat A,R,Reform UK,B,x", None,
        ",Seat A,R,Labour,A,20000", ",Seat A,R,Reform UK,B,21000",
    ])
    assert len(rejected) == 1
    assert [d.votes() for d in decls] == [{("lab", "A"): 20000, ("ruk", "B"): 21000}]


def test_undecodable_bytes_are_reported_with_their_line_and_skipped(tmp_path: Path) -> None:
    f = tmp_path / "res.csv"
    f.write_bytes((HEADER + "\n,Seat A,R,Labour,A,10\n\n,Seat B,R,Labour,Si\xe2n,5\n").encode("latin-1")
                  + b",Seat B,R,Green,X,9\n\n,Seat C,R,Green,Y,3\n")
    decls, errors, rejected = _decls(list(follow(f)))
    assert [d.seat_key for d in decls] == ["Seat A", "Seat C"]
    assert len(errors) == 1 and errors[0].row == 4 and "UTF-8" in str(errors[0])  # type: ignore[attr-defined]
    assert "Seat B" in str(rejected[0])


def test_night_cli_survives_a_bad_byte_and_does_not_declare_the_damaged_seat(tmp_path: Path) -> None:
    f = tmp_path / "res.csv"
    body = (HEADER + "\n,Derby North,EM,Labour,A,20000\n,Derby North,EM,Conservative,B,21000\n\n"
            ",Sunderland Central,NE,Labour,A,20000\n").encode() + b",Sunderland Central,NE,Conserv\xff,B,1\n\n" \
        + b",Sunderland Central,NE,Labour,A,20000\n,Sunderland Central,NE,Conservative,B,15000\n"
    f.write_bytes(body)
    res = CliRunner().invoke(app, ["night", "--base", "ge2017", "--results", str(f), "--format", "json",
                                   "--sims", "100"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["last_seat"] for x in lines] == ["Derby North", "Sunderland Central"]
    assert [x["declared"] for x in lines] == [1, 2]
    assert "row 6" in res.stderr and "UTF-8" in res.stderr and "Traceback" not in res.stderr
