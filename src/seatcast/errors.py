"""The package's own exceptions: every one names what was wrong and where.

A user who feeds seatcast a bad file, an unknown seat or an impossible share gets one of these,
never a bare ``KeyError`` or ``ValueError`` from deep inside numpy or pandas.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SeatcastError(Exception):
    """Base class of every error seatcast raises on purpose."""


class DataError(SeatcastError):
    """Bad input data: a malformed file, a missing column, negative votes...

    Parameters
    ----------
    message:
        What is wrong.
    file, row, field:
        Where it is wrong; ``row`` counts data rows from 1 as a spreadsheet shows them
        (the header is row 1, so the first data row is row 2).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


#: An unknown name with no close match lists the valid ones when there are at most this many.
MAX_LISTED = 40


class UnknownNameError(SeatcastError, KeyError):
    """An unknown election, seat or party, with the nearest names as suggestions."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        pool = [str(c) for c in choices]
        self.suggestions = suggest(name, pool)
        if self.suggestions:
            hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?"
        elif 0 < len(pool) <= MAX_LISTED:  # nothing close: a short list of the valid names beats a dead end
            hint = f"; choose one of {', '.join(sorted(pool))}"
        else:  # hundreds of seats: listing them would bury the message
            hint = ""
        super().__init__(f"unknown {kind} {name!r}{hint}")

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


class ScenarioError(SeatcastError):
    """A scenario file or step that cannot be applied (unknown seat, bad transfer row...)."""


class InputError(SeatcastError):
    """Bad user input to a projection: shares out of range, an unknown model..."""


class MissingExtraError(SeatcastError):
    """An optional extra (web, plot, dask, accel, mrp) is needed but not installed; names the pip command."""


def check_seed(seed: int | None, *, what: str = "seed") -> None:
    """Reject a negative seed with a clear error (numpy's SeedSequence takes non-negative integers only)."""
    if seed is not None and seed < 0:
        raise InputError(f"{what} must be a non-negative integer, not {seed}")


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` of ``choices`` closest to ``name`` (case-insensitive)."""
    pool = list(choices)
    lowered = {c.lower(): c for c in pool}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    # Substring matches help with partial names such as "Derby" -> "Derby North".
    subs = [c for c in pool if name.lower() in c.lower() and lowered.get(c.lower()) not in hits]
    return [lowered[h] for h in hits] + subs[: max(0, n - len(hits))]
