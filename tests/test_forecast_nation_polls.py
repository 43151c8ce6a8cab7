"""``forecast --polls ELECTION`` adds the Scotland-only and Wales-only final polls, as ``backtest`` does."""

from __future__ import annotations

from pathlib import Path

from seatcast.api import _with_nation_polls
from seatcast.data.polls import nation_poll_averages


def test_election_polls_bring_the_bundled_nation_polls() -> None:
    nations, inputs = _with_nation_polls("ge2024", None)
    assert nations == nation_poll_averages("ge2024")
    assert inputs == {"polls": "ge2024", "nation_polls": ["Scotland", "Wales"]}


def test_a_nation_given_explicitly_is_kept_and_not_reported_as_added() -> None:
    mine = {"Scotland": {"snp": 40.0, "lab": 25.0}}
    nations, inputs = _with_nation_polls("GE2024", mine)
    assert nations["Scotland"] == mine["Scotland"]
    assert nations["Wales"] == nation_poll_averages("ge2024")["Wales"]
    assert inputs["nation_polls"] == ["Wales"]


def test_a_polls_file_or_no_polls_adds_no_nation(tmp_path: Path) -> None:
    f = tmp_path / "ge2024"
    f.write_text("pollster,con,lab\nA,20,40\n", encoding="utf-8")
    assert _with_nation_polls(str(f), None) == ({}, {})
    assert _with_nation_polls(None, None) == ({}, {})
