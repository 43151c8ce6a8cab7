"""The broadcasters' exit polls, 2015-2024: seat totals as announced at 10 pm (bundled).

The exit poll is the one projection public before any result; election night starts from it.
``oth`` is the remainder of the 650 seats (Northern Ireland, the Speaker, independents).
Source and caveats: ``data/bundled/uk/exit_polls/SOURCE.md``.
"""

from __future__ import annotations

import csv
import io
from functools import cache

from seatcast.data.bundled import open_text
from seatcast.errors import UnknownNameError


@cache
def _table() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(open_text("exit_polls/exit_polls.csv.gz"))):
        out.setdefault(row["election"], {})[row["party"]] = int(row["seats"])
    return out


def exit_poll(election_id: str) -> dict[str, int]:
    """Seat totals of an election's exit poll, by party code (``oth``: the rest of the 650)."""
    table = _table()
    key = election_id.lower()
    if key not in table:
        raise UnknownNameError("election with a bundled exit poll", election_id, table)
    return dict(table[key])


def exit_poll_elections() -> tuple[str, ...]:
    """The elections whose exit poll is bundled."""
    return tuple(_table())
