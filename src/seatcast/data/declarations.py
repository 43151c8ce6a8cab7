"""When each seat declared on election night (bundled for 2015, 2017, 2019 and 2024).

The real order is what an election-night replay needs: results arrive neither at random nor by
any rule of thumb, and the first hour of a real night (Sunderland, Newcastle, Blyth) is unlike
the country. Times are local clock times to the minute (``SOURCE.md`` of the bundled folder
gives each year's source and licence: 2015-2019 the House of Commons Library; 2024 mixed, with
the Library's own recorded times kept beside them). Several seats often share a minute; their
order within it is unknown, and the file (and so :func:`declaration_order`) breaks such ties by
``ons_id``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from seatcast.data.bundled import open_text
from seatcast.errors import UnknownNameError

#: Elections whose declaration times are bundled.
DECLARATION_ELECTIONS: tuple[str, ...] = ("ge2015", "ge2017", "ge2019", "ge2024")


@dataclass(frozen=True)
class Declaration:
    """One seat's declaration: its ONS id, name and local clock time."""

    ons_id: str
    name: str
    declared_at: datetime
    source: str  # "library" (2015-2019) or the 2024 file's own ``source`` column


@cache
def declarations(election_id: str) -> tuple[Declaration, ...]:
    """Every seat of a bundled election, in the order it declared (ties by ``ons_id``)."""
    key = election_id.lower()
    if key not in DECLARATION_ELECTIONS:
        raise UnknownNameError("election with declaration times", election_id, DECLARATION_ELECTIONS)
    rows = csv.DictReader(io.StringIO(open_text(f"declarations/{key}_declarations.csv.gz")))
    out = [Declaration(r["ons_id"], r["constituency_name"], datetime.fromisoformat(r["declared_at"]),
                       r.get("source") or "library") for r in rows]
    out.sort(key=lambda d: (d.declared_at, d.ons_id))
    return tuple(out)


def declaration_order(election_id: str) -> list[str]:
    """The ONS ids of an election's seats in their real declaration order."""
    return [d.ons_id for d in declarations(election_id)]
