"""Readers that turn result files into validated :class:`~seatcast.data.schema.Election` records.

Formats:

``hoc``
    House of Commons Library candidate files (CSV or XLSX) in every header dialect the Library
    has used: the 2024 files (``ONS ID``, ``Candidate first name``, ``Votes``...), the 2017 and
    2019 files (``ons_id``, ``firstname``, ``surname``, ``votes``...) and the normalised form
    bundled with seatcast (:data:`HOC_COLUMNS`). Headers are matched ignoring case, spacing,
    punctuation and a byte-order mark. Party codes are the Library's abbreviations in lower case.
    Files with no valid-votes column get each seat's valid votes as the sum of its candidates'.
``generic``
    Any FPTP election, one row per candidate:
    ``district_id,district_name,region,party,candidate,votes`` plus optional ``electorate``,
    ``incumbent`` (yes/no) and ``party_code`` (see ``docs/generic-format.md``). Regions stand in
    for nations: projections swing each region as one group.
``notional``
    Party shares per seat (the bundled 2019 notional result on the 2024 boundaries).

Every reader validates the whole file before it returns: nothing half-read ever reaches the
store. Problems are collected row by row and raised together as one :class:`DataProblems` (a
:class:`~seatcast.errors.DataError`) whose file, row and field are those of the first problem.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import IO

from seatcast.data.parties import IND, OTHER, code_from_label, normalise_code
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.errors import DataError

#: What a reader accepts: a path, or an open binary file (a gzip file object included).
Source = str | os.PathLike[str] | IO[bytes] | io.BufferedIOBase

#: The input formats ``seatcast import`` knows.
FORMATS: tuple[str, ...] = ("hoc", "generic")

#: The normalised House of Commons Library dialect bundled with seatcast.
HOC_COLUMNS = [
    "ons_id", "constituency_name", "region_name", "country_name", "electorate", "valid_votes",
    "party_name", "party_abbreviation", "candidate_first_name", "candidate_surname",
    "sitting_mp", "former_mp", "votes",
]

#: The generic schema: required columns, then optional ones.
GENERIC_COLUMNS = ("district_id", "district_name", "region", "party", "candidate", "votes")
GENERIC_OPTIONAL = ("electorate", "incumbent", "party_code")

#: House of Commons Library columns (seatcast's name -> header spellings, normalised).
_HOC_ALIASES: dict[str, tuple[str, ...]] = {
    "ons_id": ("ons_id",),
    "constituency_name": ("constituency_name",),
    "region_name": ("region_name",),
    "country_name": ("country_name",),
    "electorate": ("electorate",),
    "valid_votes": ("valid_votes",),
    "party_name": ("party_name",),
    "party_abbreviation": ("party_abbreviation", "party_abbrev"),
    "first_name": ("candidate_first_name", "firstname", "first_name"),
    "surname": ("candidate_surname", "surname"),
    "sitting_mp": ("sitting_mp",),
    "former_mp": ("former_mp",),
    "votes": ("votes",),
}
_HOC_REQUIRED = ("ons_id", "constituency_name", "region_name", "country_name", "party_name",
                 "party_abbreviation", "first_name", "surname", "votes")

#: Abbreviations the Library spelled differently in its briefing files than in its harmonised
#: data (the 2019 CBP-8749 file writes ``Brexit`` where the bundled data has ``BRX``).
_HOC_CODE_ALIASES = {"brexit": "brx", "speaker": "spk"}

#: Labels that mean "not a party" in a generic file.
_IND_LABELS = frozenset({"independent", "ind"})
_OTHER_LABELS = frozenset({"other", "others"})

#: How many problems one error reports before it stops listing them.
MAX_PROBLEMS = 20
#: How far down a sheet the header row may sit (the Library's XLSX files put titles above it).
HEADER_SEARCH_ROWS = 20

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_INT = re.compile(r"[+-]?\d+")
_INT_FLOAT = re.compile(r"[+-]?\d+\.0*")
_INT_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")


class DataProblems(DataError):
    """Every problem found in one file, raised as one error.

    Its ``file``, ``row`` and ``field`` are those of the first problem, so callers that handle a
    plain :class:`DataError` still point at the right place; :attr:`problems` holds them all.
    """

    def __init__(self, file: str, problems: Sequence[Problem], *, more: int = 0) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        message = first.message
        rest = [p.where() + ": " + p.message for p in self.problems[1:]]
        extra = len(rest) + more
        if extra:
            message += f" (and {extra} more problem{'s' if extra > 1 else ''}: " + "; ".join(rest)
            message += ("; ..." if more else "") + ")"
        super().__init__(message, file=file, row=first.row, field=first.field)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (row, field) and what."""

    row: int | None
    field: str | None
    message: str

    def where(self) -> str:
        """``row 7, field 'votes'``: the location as the error messages write it."""
        parts = ([f"row {self.row}"] if self.row is not None else []) + (
            [f"field '{self.field}'"] if self.field is not None else [])
        return ", ".join(parts) or "file"


class _Problems:
    """A problem collector that keeps the first :data:`MAX_PROBLEMS` and counts the rest."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self.more = 0

    def add(self, row: int | None, field: str | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(row, field, message))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            raise DataProblems(self.file, self.items, more=self.more)


# ---- reading rows out of CSV and XLSX ------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A file's cells as text, each row with its spreadsheet row number (header row = 1)."""

    label: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def _label_of(source: Source, label: str | None) -> str:
    if label is not None:
        return label
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str | bytes | os.PathLike) and name else "<stream>"


def read_sheet(source: Source, *, label: str | None = None) -> Sheet:
    """Read a CSV or XLSX file (detected by content, then by extension) into text cells.

    CSV may be UTF-8 (with or without a byte-order mark) or, failing that, Windows-1252 as
    Excel writes it; the delimiter (comma, semicolon or tab) is taken from the header line.
    An XLSX file is read from the first sheet whose top rows hold a known header.
    """
    file = _label_of(source, label)
    try:
        if isinstance(source, str | os.PathLike):
            data = Path(source).read_bytes()
        else:
            raw = source.read()
            data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", file=file) from None
    if not data.strip():
        raise DataError("empty file", file=file, row=1)
    if data[:4] == b"PK\x03\x04" or file.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data, file)
    elif data[:4] == b"\xd0\xcf\x11\xe0":
        raise DataError("an old Excel .xls workbook: save it as .xlsx or CSV", file=file)
    else:
        rows = _csv_rows(data, file)
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise DataError("empty file (no non-blank rows)", file=file, row=1)
    return Sheet(label=file, rows=tuple(rows))


def _csv_rows(data: bytes, file: str) -> list[tuple[int, tuple[str, ...]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        for n, cells in enumerate(reader, start=1):
            rows.append((n, tuple(c.strip() for c in cells)))
    except csv.Error as exc:
        raise DataError(f"not readable as CSV: {exc}", file=file, row=len(rows) + 1) from None
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | Date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes, file: str) -> list[tuple[int, tuple[str, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError) as exc:
        raise DataError(f"unreadable XLSX workbook ({type(exc).__name__}: {exc})", file=file) from None
    sheets = []
    for ws in book.worksheets:
        rows = [(n, tuple(_cell_text(v) for v in values))
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        sheets.append(rows)
    book.close()
    for rows in sheets:  # the first sheet with a recognisable header holds the data
        if any(_detect(cells) for _, cells in rows[:HEADER_SEARCH_ROWS]):
            return rows
    return sheets[0] if sheets else []


# ---- header handling ------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A header cell as a comparable key: ``"Candidate first name"`` -> ``candidate_first_name``."""
    return _NON_ALNUM.sub("_", text.replace("\ufeff", "").strip().lower()).strip("_")


def _detect(cells: Sequence[str]) -> str | None:
    keys = {header_key(c) for c in cells}
    if "district_id" in keys:
        return "generic"
    if "ons_id" in keys and keys & {"party_abbreviation", "party_name", "votes"}:
        return "hoc"
    return None


def _signature(fmt: str, cells: Sequence[str]) -> bool:
    keys = {header_key(c) for c in cells}
    if fmt == "generic":
        return bool(keys & {"district_id", "district_name"}) or {"party", "votes"} <= keys
    return bool(keys & {"ons_id", "constituency_name"}) or {"party_abbreviation", "votes"} <= keys


@dataclass(frozen=True)
class _Header:
    row: int
    names: tuple[str, ...]  # as written in the file
    columns: dict[str, int] = field(default_factory=dict)  # seatcast's name -> position

    def name(self, column: str) -> str:
        """The header cell as the file spells it (for error messages), else seatcast's name."""
        i = self.columns.get(column)
        return self.names[i] if i is not None else column


def detect_format(sheet: Sheet) -> str:
    """``hoc`` or ``generic``, from the first header-like row; :class:`DataError` otherwise."""
    for _, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        fmt = _detect(cells)
        if fmt is not None:
            return fmt
    n, cells = sheet.rows[0]
    shown = ", ".join(c for c in cells if c)[:120]
    raise DataError(
        f"unknown format: the header ({shown}) is neither the generic schema (district_id, district_name, "
        "region, party, candidate, votes) nor a House of Commons Library candidate file (ons_id, ...); "
        "see docs/generic-format.md or give --format hoc|generic",
        file=sheet.label, row=n, field=next((c for c in cells if c), None),
    )


def _locate(
    sheet: Sheet, fmt: str, aliases: Mapping[str, tuple[str, ...]], required: Sequence[str]
) -> _Header:
    n, cells = next(((n, c) for n, c in sheet.rows[:HEADER_SEARCH_ROWS] if _signature(fmt, c)), sheet.rows[0])
    keys = [header_key(c) for c in cells]
    columns: dict[str, int] = {}
    for name, spellings in aliases.items():
        for spelling in spellings:
            if spelling in keys:
                columns[name] = keys.index(spelling)
                break
    header = _Header(row=n, names=cells, columns=columns)
    missing = [c for c in required if c not in columns]
    if missing:
        spelled = [aliases[c][0] for c in missing]
        raise DataError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(spelled)} for the {fmt} format "
            f"(header has: {', '.join(c for c in cells if c)})",
            file=sheet.label, row=n, field=spelled[0],
        )
    return header


# ---- cell parsers ---------------------------------------------------------------------------


def parse_int(text: str) -> int:
    """An integer cell: ``"1234"``, ``"1234.0"`` (as spreadsheets export) or ``"1,234"``."""
    t = text.strip()
    if _INT.fullmatch(t):
        return int(t)
    if _INT_FLOAT.fullmatch(t):
        return int(t.split(".")[0])
    if _INT_THOUSANDS.fullmatch(t):
        return int(t.replace(",", ""))
    raise ValueError(t)


def parse_yes_no(text: str) -> bool | None:
    """``yes``/``no`` (and ``y``/``n``, ``true``/``false``, ``1``/``0``); empty is unknown."""
    t = text.strip().lower()
    if t in {"yes", "y", "true", "1"}:
        return True
    if t in {"no", "n", "false", "0"}:
        return False
    if t == "":
        return None
    raise ValueError(text)


# ---- rows -> election -----------------------------------------------------------------------


@dataclass
class _Entry:
    """One candidate row, parsed."""

    row: int
    district: str
    name: str
    region: str
    nation: str
    electorate: int | None
    valid_votes: int | None
    label: str
    code: str
    candidate: str
    votes: int
    sitting: bool | None
    former: bool | None


@dataclass
class _District:
    first_row: int
    name: str
    region: str
    nation: str
    electorate: int | None
    valid_votes: int | None
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedElection:
    """What a reader made of a file: the election, its format, and warnings worth showing."""

    election: Election
    format: str
    rows: int
    warnings: tuple[str, ...] = ()


class _RowReader:
    """Typed access to one row's cells, recording a problem for each bad one."""

    def __init__(self, header: _Header, n: int, cells: tuple[str, ...], problems: _Problems) -> None:
        self.header = header
        self.n = n
        self.cells = cells
        self.problems = problems
        self.ok = True

    def text(self, column: str) -> str:
        i = self.header.columns.get(column)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.n, self.header.name(column), message)

    def required(self, column: str, what: str) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, f"empty {what}")
        return value

    def integer(self, column: str, what: str, *, optional: bool = False) -> int | None:
        value = self.text(column)
        if not value and optional:
            return None
        try:
            out = parse_int(value)
        except ValueError:
            self.fail(column, f"{what} {value!r} is not a whole number" if value else f"empty {what}")
            return None
        if out < 0:
            self.fail(column, f"negative {what} ({out})")
            return None
        return out

    def yes_no(self, column: str) -> bool | None:
        value = self.text(column)
        try:
            return parse_yes_no(value)
        except ValueError:
            self.fail(column, f"{value!r} is not yes or no")
            return None


def _check_width(header: _Header, n: int, cells: tuple[str, ...], problems: _Problems) -> bool:
    if len(cells) > len(header.names) and any(cells[len(header.names):]):
        problems.add(n, None, f"row has {len(cells)} fields but the header (row {header.row}) has "
                              f"{len(header.names)}")
        return False
    return True


def _hoc_entry(r: _RowReader) -> _Entry | None:
    district = r.required("ons_id", "constituency id")
    name = r.required("constituency_name", "constituency name")
    region = r.required("region_name", "region")
    nation = r.required("country_name", "country")
    electorate = r.integer("electorate", "electorate", optional=True)
    valid = r.integer("valid_votes", "valid votes", optional=True)
    abbrev = r.text("party_abbreviation")
    label = r.text("party_name")
    first, surname = r.text("first_name"), r.text("surname")
    if not (abbrev or label or first or surname or r.text("votes")):
        return None  # a seat listed with no candidate: see _assemble
    votes = r.integer("votes", "votes")
    if not abbrev:
        r.fail("party_abbreviation", "empty party abbreviation")
    code = normalise_code(abbrev)
    code = _HOC_CODE_ALIASES.get(code, code)
    sitting, former = r.yes_no("sitting_mp"), r.yes_no("former_mp")
    if not r.ok or votes is None:
        return None
    return _Entry(r.n, district, name, region, nation, electorate, valid, label or abbrev, code,
                  f"{first} {surname}".strip(), votes, sitting, former)


def generic_code(label: str, given: str = "") -> str:
    """The party code of a generic row: ``party_code`` when given, else made from the label.

    ``Independent`` (any case) gives ``ind`` and ``Other``/``Others`` give ``oth`` (pooled minor
    candidates, who never win a seat); any other label is lower-cased with each run of characters
    other than letters and digits turned into ``_`` (``"Labour & Co-op"`` -> ``labour_co_op``).
    """
    if given.strip():
        return code_from_label(given)
    folded = label.strip().lower()
    if folded in _IND_LABELS:
        return IND
    if folded in _OTHER_LABELS:
        return OTHER
    return code_from_label(label)


def _generic_entry(r: _RowReader) -> _Entry | None:
    district = r.required("district_id", "district id")
    name = r.required("district_name", "district name")
    region = r.required("region", "region (use one value, e.g. the country, if there are no regions)")
    electorate = r.integer("electorate", "electorate", optional=True)
    label, candidate = r.text("party"), r.text("candidate")
    if not (label or candidate or r.text("votes") or r.text("party_code")):
        return None  # a district listed with no candidate: see _assemble
    votes = r.integer("votes", "votes")
    if not label:
        r.fail("party", "empty party (write Independent for a candidate with no party)")
    code = generic_code(label, r.text("party_code"))
    if label and not code:
        r.fail("party_code" if r.text("party_code") else "party",
               f"no party code can be made from {label!r}: give a party_code")
    incumbent = r.yes_no("incumbent")
    if not r.ok or votes is None:
        return None
    return _Entry(r.n, district, name, region, region, electorate, None, label, code, candidate, votes,
                  incumbent, None)


def _read_entries(
    sheet: Sheet, header: _Header, make: Callable[[_RowReader], _Entry | None], problems: _Problems
) -> tuple[list[_Entry], dict[str, tuple[int, _RowReader]]]:
    """Parse every data row; returns the entries and each empty district's first row."""
    entries: list[_Entry] = []
    empty: dict[str, tuple[int, _RowReader]] = {}
    for n, cells in sheet.rows:
        if n <= header.row or not _check_width(header, n, cells, problems):
            continue
        r = _RowReader(header, n, cells, problems)
        entry = make(r)
        if entry is not None:
            entries.append(entry)
        elif r.ok:
            key = r.text("ons_id") or r.text("district_id")
            empty.setdefault(key, (n, r))
    return entries, empty


def _assemble(
    entries: list[_Entry],
    empty: dict[str, tuple[int, _RowReader]],
    header: _Header,
    fields: dict[str, str],
    problems: _Problems,
    notes: list[str],
) -> list[_District]:
    """Group rows into districts and check each district as a whole."""
    districts: dict[str, _District] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for e in entries:
        d = districts.get(e.district)
        if d is None:
            d = districts[e.district] = _District(e.row, e.name, e.region, e.nation, e.electorate, e.valid_votes)
        else:
            for column in ("name", "region", "nation", "electorate", "valid_votes"):
                if column == "nation" and fields["nation"] == fields["region"]:
                    continue  # generic files: the region is the nation, checked once
                a, b = getattr(d, column), getattr(e, column)
                if a != b:
                    problems.add(e.row, header.name(fields[column]),
                                 f"district {e.district} has {column.replace('_', ' ')} {b!r} here but {a!r} "
                                 f"in row {d.first_row}")
        key = (e.district, e.candidate.casefold(), e.code)
        if key in seen:
            who = f"{e.candidate} ({e.label})" if e.candidate else e.label
            problems.add(e.row, header.name(fields["candidate"]),
                         f"duplicate candidate row: {who} in district {e.district} is already in row {seen[key]}")
            continue
        seen[key] = e.row
        d.entries.append(e)
    for sid, (n, r) in empty.items():
        if sid and sid not in districts:
            problems.add(n, header.name(fields["candidate"]),
                         f"district {sid} ({r.text(fields['name'])}) has no candidates")
    for sid, d in districts.items():
        total = sum(e.votes for e in d.entries)
        if d.valid_votes is not None and d.valid_votes < total:
            problems.add(d.first_row, header.name(fields["valid_votes"]),
                         f"district {sid}: valid votes {d.valid_votes} are fewer than the candidates' {total}")
        if total == 0 and len(d.entries) > 1:
            problems.add(d.first_row, header.name(fields["votes"]),
                         f"district {sid} has {len(d.entries)} candidates but no votes")
        cast = d.valid_votes if d.valid_votes is not None else total
        if d.electorate is not None and d.electorate < cast:
            notes.append(f"row {d.first_row}: district {sid} ({d.name}) has an electorate of {d.electorate} "
                         f"but {cast} valid votes")
    return list(districts.values())


def _build(
    districts: list[_District], election_id: str, *, name: str | None, date: str | None, kind: str,
    source: str, file: str,
) -> Election:
    seats = []
    try:
        for d in districts:
            total = sum(e.votes for e in d.entries)
            valid = d.valid_votes if d.valid_votes is not None else total
            cands = [
                Candidacy(
                    name=e.candidate, party_code=e.code, party_label=e.label, votes=e.votes,
                    share=e.votes / valid if valid else 1.0 / len(d.entries),
                    sitting_mp=e.sitting, former_mp=e.former,
                )
                for e in d.entries
            ]
            seats.append(_constituency(d.entries[0].district, (d.name, d.region, d.nation, d.electorate, valid), cands))
        return Election(id=election_id, name=name or election_id, date=Date.fromisoformat(date) if date else None,
                        kind=kind, source=source, constituencies=tuple(seats))
    except DataError as exc:  # the checks above should make this unreachable; name the file anyway
        raise DataError(str(exc), file=file) from None


def read_election(
    source: Source,
    election_id: str,
    *,
    fmt: str | None = None,
    name: str | None = None,
    date: str | None = None,
    label: str | None = None,
    kind: str = "imported",
    source_note: str = "",
) -> ParsedElection:
    """Read and validate a whole ``hoc`` or ``generic`` file (``fmt=None``: detect it from the header).

    Raises :class:`DataError` (a :class:`DataProblems` when rows are at fault) naming the file,
    row and field of the first problem; nothing is returned unless the whole file is good.
    """
    sheet = read_sheet(source, label=label)
    if fmt is None:
        fmt = detect_format(sheet)
    fmt = fmt.strip().lower()
    problems = _Problems(sheet.label)
    if fmt == "hoc":
        header = _locate(sheet, "hoc", _HOC_ALIASES, _HOC_REQUIRED)
        fields = {"name": "constituency_name", "region": "region_name", "nation": "country_name",
                  "electorate": "electorate", "valid_votes": "valid_votes", "candidate": "surname",
                  "votes": "votes"}
        make: Callable[[_RowReader], _Entry | None] = _hoc_entry
    elif fmt == "generic":
        aliases = {c: (c,) for c in (*GENERIC_COLUMNS, *GENERIC_OPTIONAL)}
        header = _locate(sheet, "generic", aliases, GENERIC_COLUMNS)
        fields = {"name": "district_name", "region": "region", "nation": "region", "electorate": "electorate",
                  "valid_votes": "votes", "candidate": "candidate", "votes": "votes"}
        make = _generic_entry
    else:
        raise DataError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})", file=sheet.label)
    entries, empty = _read_entries(sheet, header, make, problems)
    if not entries and not empty and not problems.items:
        raise DataError("no data rows below the header", file=sheet.label, row=header.row + 1)
    notes: list[str] = []
    districts = _assemble(entries, empty, header, fields, problems, notes)
    problems.raise_if_any()
    election = _build(districts, election_id, name=name, date=date, kind=kind, source=source_note, file=sheet.label)
    return ParsedElection(election=election, format=fmt, rows=len(entries), warnings=tuple(notes))


def read_hoc(
    source: Source,
    election_id: str,
    *,
    name: str | None = None,
    date: str | None = None,
    label: str | None = None,
    kind: str = "general",
) -> Election:
    """Read a House of Commons Library candidate file (any of its header dialects) into an Election."""
    return read_election(source, election_id, fmt="hoc", name=name, date=date, label=label, kind=kind).election


def read_generic(
    source: Source,
    election_id: str,
    *,
    name: str | None = None,
    date: str | None = None,
    label: str | None = None,
) -> Election:
    """Read a file in the generic schema (any FPTP election) into an imported Election."""
    return read_election(source, election_id, fmt="generic", name=name, date=date, label=label).election


def read_notional(
    source: Source, election_id: str, *, name: str | None = None, label: str | None = None
) -> Election:
    """Read a notional result: party shares per seat, with the seat's weight as valid votes."""
    sheet = read_sheet(source, label=label)
    columns = ("ons_id", "constituency_name", "region_name", "country_name", "electorate", "valid_votes",
               "party_abbreviation", "notional_share")
    header = _locate(sheet, "hoc", {c: (c,) for c in columns}, columns)
    problems = _Problems(sheet.label)
    seats: dict[str, list[Candidacy]] = {}
    meta: dict[str, tuple[str, str, str, int | None, int]] = {}
    for n, cells in sheet.rows:
        if n <= header.row or not _check_width(header, n, cells, problems):
            continue
        r = _RowReader(header, n, cells, problems)
        try:
            share = float(r.text("notional_share"))
        except ValueError:
            r.fail("notional_share", f"share {r.text('notional_share')!r} is not a number")
            continue
        if not 0.0 <= share <= 1.0:
            r.fail("notional_share", f"share {share} outside [0, 1]")
            continue
        electorate = r.integer("electorate", "electorate")
        valid = r.integer("valid_votes", "valid votes")
        abbrev = r.required("party_abbreviation", "party abbreviation")
        seat = r.required("ons_id", "constituency id")
        if not r.ok or valid is None:
            continue
        seats.setdefault(seat, []).append(
            Candidacy(name="", party_code=normalise_code(abbrev), party_label=abbrev, votes=None, share=share)
        )
        meta[seat] = (r.text("constituency_name"), r.text("region_name"), r.text("country_name"), electorate, valid)
    problems.raise_if_any()
    return Election(
        id=election_id,
        name=name or election_id,
        kind="notional",
        constituencies=tuple(_constituency(sid, meta[sid], cands) for sid, cands in seats.items()),
    )


def _constituency(
    seat_id: str, meta: tuple[str, str, str, int | None, int], cands: list[Candidacy]
) -> Constituency:
    name, region, nation, electorate, valid = meta
    ordered = tuple(sorted(cands, key=lambda c: (c.share, c.votes or 0), reverse=True))
    return Constituency(
        id=seat_id, name=name, region=region, nation=nation, electorate=electorate,
        valid_votes=valid, candidacies=ordered,
    )


def iter_problems(exc: DataError) -> Iterator[Problem]:
    """Every problem an error carries (one for a plain :class:`DataError`)."""
    if isinstance(exc, DataProblems):
        yield from exc.problems
    else:
        yield Problem(exc.row, exc.field, str(exc))


__all__ = [
    "FORMATS", "GENERIC_COLUMNS", "GENERIC_OPTIONAL", "HOC_COLUMNS", "IND", "DataProblems", "ParsedElection",
    "Problem", "Sheet", "detect_format", "generic_code", "header_key", "iter_problems", "parse_int",
    "parse_yes_no", "read_election", "read_generic", "read_hoc", "read_notional", "read_sheet",
]
