"""Reading a polls CSV (or an election's bundled final polls) into a poll average.

The format is that of the bundled ``final_polls.csv`` (``pollster, fieldwork_end, con, lab, ld,
snp, pc, grn, ukip_brexit_reform``; party codes such as ``ruk`` or ``green`` work as column names
too; ``ukip_brexit_reform`` is read as Reform UK), averaged the same way: each pollster's latest
poll, then the mean per party. Here, not in the CLI, because the Python API (``seatcast.forecast``)
and the ``project``, ``forecast`` and ``plot seats`` commands all read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from seatcast.errors import DataError, InputError, UnknownNameError

_META = {"election_date", "pollster", "fieldwork_end", "fieldwork_start", "sample_size", "other", "client",
         "method", "note", "fieldwork_text", "house", "is_mrp"}
_RENAME = {"grn": "green", "ukip_brexit_reform": "ruk", "bxp": "brx"}


def read_polls(spec: str) -> dict[str, float]:
    """The poll average (percent) from a polls CSV file, or an election's bundled final polls."""
    from seatcast.data.polls import ELECTION_DATES, poll_average

    path = Path(spec).expanduser()
    if not path.exists():
        if spec.lower() in ELECTION_DATES:
            return poll_average(spec.lower())
        if path.suffix or len(path.parts) > 1:  # meant as a file: say so, not "unknown election"
            raise InputError(f"--polls: no such polls file: {path}")
        raise InputError(f"--polls {spec!r}: no such file, and not an election with final polls "
                         f"({', '.join(ELECTION_DATES)})")
    import pandas as pd

    _check_poll_rows(path)
    try:
        df = pd.read_csv(path)
    except Exception as exc:
        raise DataError(f"cannot read polls: {exc}", file=str(path)) from None
    df.columns = [_RENAME.get(str(c).strip().lower(), str(c).strip().lower()) for c in df.columns]
    if "pollster" in df.columns:
        sort = [c for c in ("pollster", "fieldwork_end") if c in df.columns]
        df = df.sort_values(sort, kind="stable").groupby("pollster", as_index=False).tail(1)
    parties = [c for c in df.columns if c not in _META]
    if not parties:
        raise DataError("no party columns (expected e.g. con, lab, ld)", file=str(path))
    out: dict[str, float] = {}
    for p in parties:
        values = pd.to_numeric(df[p], errors="coerce")
        if values.notna().any():
            out[p] = round(float(values.mean()), 4)
    return out


@contextmanager
def blame_polls_file(polls: str | None, overrides: Mapping[str, float]) -> Iterator[None]:
    """Turn an unknown party that came from a polls CSV's header into an error naming file and column.

    The file is read without a base election, so only the projection knows which parties exist;
    it would report just the code, leaving the user to guess that a column header is to blame.
    ``overrides`` are the ``--share`` options: a party named there is the option's fault.
    """
    try:
        yield
    except UnknownNameError as exc:
        if (exc.kind == "party" and polls and exc.name not in overrides and Path(polls).expanduser().is_file()
                and exc.name in read_polls(polls)):  # read again on this error path only
            raise DataError(f"{exc} (a party column of the polls file: rename or drop it)",
                            file=polls, field=exc.name) from None
        raise


def _check_poll_rows(path: Path) -> None:
    """Reject a polls file with a row of the wrong length or a share that is not a percentage.

    pandas would turn an extra field into an index column and a bad number into a silent gap;
    a blank cell is allowed (that pollster did not report the party).
    """
    import csv

    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read polls: {exc}", file=str(path)) from None
    if not rows:
        raise DataError("empty file", file=str(path), row=1)
    header = [_RENAME.get(c.strip().lower(), c.strip().lower()) for c in rows[0]]
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataError(f"row has {len(row)} fields but the header (row 1) has {len(header)}",
                            file=str(path), row=n)
        for col, cell in zip(header, row, strict=True):
            if col in _META or not cell.strip():
                continue
            try:
                value = float(cell)
            except ValueError:
                raise DataError(f"{cell!r} is not a number", file=str(path), row=n, field=col) from None
            if not 0.0 <= value <= 100.0:
                raise DataError(f"{cell!r} is not a percentage between 0 and 100", file=str(path), row=n,
                                field=col)
