"""Transfer matrices: where a withdrawn or removed candidate's voters go.

A matrix maps a *from* party to fractions of its voters who move to each *to* party. Each row
sums to at most 1; the remainder **abstains** (stays at home), which shrinks the seat's total
vote. A user CSV may give rows summing exactly to 1 (nobody abstains) or less (the rest abstain);
a row summing to more than 1 is an error naming the file and row.

Two special codes:

* ``other`` as a *from* row applies to any party the matrix does not name (minor parties, the
  Northern Ireland parties, the Speaker); ``ind`` to an independent. As a *to* column, ``other``
  means the seat's minor candidates (the ``oth`` column of a share frame).
* the value :data:`PROPORTIONAL` as a *to* code sends that fraction to every remaining candidate
  in proportion to their votes (the default for independents and unknown parties).

A flow to a party that does not stand in the seat goes to the row's other recipients, in
proportion to their fractions: the voter moves on to their next preference. Only the part of the
row that names nobody abstains.

The default matrix (:data:`DEFAULT_ROWS`) is an **assumption**, not an estimate: no published
second-preference matrix for GB general elections is bundled. It is shaped by the one complete
vote-switching matrix bundled (YouGov, 2019 to 2024 vote, ``data/bundled/uk/flows``: e.g. 2019
Liberal Democrats went 0.30 to Labour and 0.10 to the Conservatives; 2019 Conservatives 0.25 to
Reform UK and 0.07 to the Liberal Democrats; Labour 0.10 to the Greens and 0.08 to the Liberal
Democrats) and by the usual reading of second-preference questions (Labour, Liberal Democrat,
Green, SNP and Plaid voters prefer each other to the Conservatives; UKIP/Brexit Party/Reform
voters prefer the Conservatives). Every row leaves 15-25% abstaining. See docs/scenarios.md.

The default matrix is about British parties, so it only applies to an election whose votes went
mostly (:data:`COVERAGE`) to the parties it has rows for (:func:`matrix_for`). Any other election
(an imported one with parties ``a``, ``b``, ``c``) gets the **neutral rule**
(:func:`neutral_matrix`): a removed candidate's voters all move to the candidates still standing
in proportion to their votes, and nobody abstains. Without it, such parties would fall to the
``other`` row and a quarter of their voters would silently stay at home. The neutral rule knows
nothing of preferences, so it never changes who leads a seat: spoilers and AV upsets only appear
with a matrix the user supplies (``--transfers``), whose missing rows then follow the neutral
rule too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seatcast.data.parties import IND, OTHER
from seatcast.errors import DataError

PROPORTIONAL = "*"
#: The right-populist lineage: one role under three codes.
RIGHT = ("ukip", "brx", "ruk")
#: Codes of the *to* and *from* entries that stand for "any party the matrix does not name".
OTHER_CODES = ("other", OTHER)

_RIGHT_ROW = {"con": 0.55, "lab": 0.08, "ld": 0.03, "green": 0.02, "other": 0.07}
#: The default second preferences (see the module docstring); ``right`` expands to ukip/brx/ruk.
DEFAULT_ROWS: dict[str, dict[str, float]] = {
    "con": {"right": 0.35, "ld": 0.20, "lab": 0.10, "green": 0.03, "snp": 0.02, "pc": 0.02, "other": 0.05},
    "lab": {"ld": 0.30, "green": 0.20, "snp": 0.10, "pc": 0.05, "con": 0.08, "right": 0.05, "other": 0.04},
    "ld": {"lab": 0.35, "con": 0.20, "green": 0.15, "snp": 0.05, "pc": 0.02, "right": 0.03, "other": 0.03},
    "green": {"lab": 0.40, "ld": 0.20, "snp": 0.08, "pc": 0.05, "con": 0.04, "right": 0.02, "other": 0.06},
    "snp": {"lab": 0.35, "green": 0.15, "ld": 0.15, "con": 0.05, "right": 0.02, "other": 0.03},
    "pc": {"lab": 0.35, "ld": 0.15, "green": 0.15, "con": 0.07, "right": 0.03, "other": 0.03},
    "right": _RIGHT_ROW,
    IND: {PROPORTIONAL: 0.75},
    "other": {PROPORTIONAL: 0.75},
}


#: The neutral rule's ``source``: what JSON output reports as ``transfers``.
NEUTRAL = "proportional"
#: Fraction of an election's votes the default matrix's named parties must hold for it to apply.
COVERAGE = 0.8
#: The parties the default matrix has rows of its own for (the rest use ``other``/``ind``).
COVERED: frozenset[str] = frozenset(k for k in DEFAULT_ROWS if k not in ("right", IND, "other")) | frozenset(RIGHT)


def _expand(rows: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Give a ``right`` *from* row to each of its three codes, and fold the three *to* codes into ``right``.

    As a *to* entry, ``right`` reaches whichever of ukip/brx/ruk stands (only one does).
    """
    out: dict[str, dict[str, float]] = {}
    for frm, row in rows.items():
        new_row: dict[str, float] = {}
        for to, v in row.items():
            key = "right" if to in RIGHT else to
            new_row[key] = new_row.get(key, 0.0) + v
        for code in (RIGHT if frm == "right" else (frm,)):
            out[code] = dict(new_row)
    return out


@dataclass(frozen=True)
class TransferMatrix:
    """Rows of fractions ``from -> to``; each row sums to at most 1 (the rest abstains)."""

    rows: Mapping[str, Mapping[str, float]]
    source: str = "default"
    #: The parties whose rows are stated; others use the ``other`` (or ``ind``) row.
    named: frozenset[str] = field(default=frozenset())
    #: What the rows not stated by the user follow: ``default`` (the UK matrix) or :data:`NEUTRAL`.
    fallback: str = "default"

    def row(self, party: str) -> dict[str, float]:
        """The fractions for voters of ``party`` (falling back to the ``ind``/``other`` row).

        A party's own entry is dropped (its voters cannot transfer to itself).
        """
        p = party.lower()
        if p in self.rows:
            r = self.rows[p]
        elif p == IND and IND in self.rows:
            r = self.rows[IND]
        else:
            r = self.rows.get("other", self.rows.get(OTHER, {PROPORTIONAL: 0.75}))
        own = "right" if p in RIGHT else p
        return {("other" if k == OTHER else k): v for k, v in r.items() if k not in (p, own)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the source and every row."""
        return {"source": self.source, "rows": {k: dict(v) for k, v in self.rows.items()}}


def default_matrix() -> TransferMatrix:
    """The documented default (module docstring)."""
    return TransferMatrix(rows=_expand(DEFAULT_ROWS), source="default")


def neutral_matrix() -> TransferMatrix:
    """The neutral rule: every voter moves to those still standing in proportion to their votes."""
    rows = {"other": {PROPORTIONAL: 1.0}, IND: {PROPORTIONAL: 1.0}}
    return TransferMatrix(rows=rows, source=NEUTRAL, fallback=NEUTRAL)


def coverage(votes: Mapping[str, float]) -> float:
    """The fraction of ``votes`` (party code -> votes or shares) cast for parties the default matrix names."""
    total = sum(max(v, 0.0) for v in votes.values())
    return sum(max(v, 0.0) for p, v in votes.items() if p in COVERED) / total if total > 0 else 0.0


def matrix_for(votes: Mapping[str, float]) -> TransferMatrix:
    """The matrix an election's counterfactuals use when the user gives none.

    The default (UK) matrix when its parties hold at least :data:`COVERAGE` of ``votes`` (every
    bundled election: about 95%), else :func:`neutral_matrix`. Deciding by votes rather than by
    the election's kind keeps a House of Commons file imported by the user on the UK matrix, and
    keeps an election whose codes merely collide (another country's ``lab``) off it.
    """
    return default_matrix() if coverage(votes) >= COVERAGE else neutral_matrix()


def describe(matrix: TransferMatrix) -> str:
    """One line saying which transfer rule ran: the CLI prints it under every split and systems table."""
    neutral = "voters move to the candidates still standing in proportion to their votes"
    if matrix.source == NEUTRAL:
        return ("Transfers: proportional, as this election's parties are not in the default (UK) matrix: "
                f"a removed candidate's {neutral} and nobody abstains. This never changes who leads; "
                "give --transfers FILE to test other preferences.")
    if matrix.fallback == NEUTRAL:
        return (f"Transfers: {matrix.source}; the part of a row that sends voters nowhere abstains. "
                f"For a party it gives no row, all its {neutral} (this election's parties are not in "
                "the default UK matrix).")
    if matrix.source == "default":
        return "Transfers: the default matrix; the part of a row that sends voters nowhere abstains."
    return (f"Transfers: {matrix.source}, the default matrix for rows it does not give; the part of a row "
            "that sends voters nowhere abstains.")


#: A transfer matrix has a few hundred rows at most; a bigger file is not one.
MAX_MATRIX_BYTES = 1_000_000


def load_matrix(path: str | Path, base: TransferMatrix | None = None) -> TransferMatrix:
    """Read a user matrix: CSV with header ``from_party,to_party,fraction``.

    Rows not given fall back to ``base``'s: the default matrix, or for an election it does not
    cover the neutral rule (pass :func:`matrix_for`'s choice). Every error names the file and row.
    """
    p = Path(path)
    # The path may come from a scenario file someone else wrote: check that it is a CSV file of a
    # sensible size before reading, and never echo what an unexpected file holds.
    if p.suffix.lower() != ".csv":
        raise DataError("a transfer matrix must be a .csv file (from_party,to_party,fraction)", file=str(p))
    try:
        if not p.is_file():
            raise DataError("cannot read transfer matrix: not a regular file", file=str(p))
        if p.stat().st_size > MAX_MATRIX_BYTES:
            raise DataError(f"transfer matrix is larger than {MAX_MATRIX_BYTES // 1000} kB", file=str(p))
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read transfer matrix: {exc.strerror}", file=str(p)) from None
    except UnicodeDecodeError:
        raise DataError("transfer matrix is not UTF-8 text", file=str(p)) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    want = ["from_party", "to_party", "fraction"]
    if header is None or [h.strip().lower() for h in header] != want:
        raise DataError(f"the first line must be the header {','.join(want)}", file=str(p), row=1)
    rows: dict[str, dict[str, float]] = {}
    where: dict[str, int] = {}
    for n, rec in enumerate(reader, start=2):
        if not rec or all(not x.strip() for x in rec):
            continue
        if len(rec) != 3:
            raise DataError(f"expected 3 fields, found {len(rec)}", file=str(p), row=n)
        frm, to, raw = (x.strip().lower() for x in rec)
        if not frm or not to:
            raise DataError("empty party code", file=str(p), row=n, field="from_party" if not frm else "to_party")
        try:
            value = float(raw)
        except ValueError:
            raise DataError(f"{raw!r} is not a number", file=str(p), row=n, field="fraction") from None
        if not 0.0 <= value <= 1.0:
            raise DataError(f"fraction {value} outside 0-1", file=str(p), row=n, field="fraction")
        if frm == to:
            raise DataError(f"a party cannot transfer to itself ({frm})", file=str(p), row=n)
        if to in rows.get(frm, {}):
            raise DataError(f"duplicate row {frm} -> {to}", file=str(p), row=n)
        rows.setdefault(frm, {})[to] = value
        where[frm] = n
    check_rows(rows, file=str(p), where=where)
    fill = base or default_matrix()
    merged = {**fill.rows, **_expand(rows)}
    return TransferMatrix(rows=merged, source=str(p), named=frozenset(rows), fallback=fill.fallback)


def check_rows(rows: Mapping[str, Mapping[str, float]], *, file: str | None = None,
               where: Mapping[str, int] | None = None) -> None:
    """Raise :class:`DataError` for a row whose fractions add up to more than 1."""
    for frm, row in rows.items():
        total = sum(row.values())
        if total > 1.0 + 1e-6:
            raise DataError(
                f"transfers from {frm!r} add up to {total:.3f}, more than 1 (the rest of a row abstains; "
                "a row may sum to 1 or less)", file=file, row=(where or {}).get(frm), field="fraction")


def matrix_from_mapping(rows: Mapping[str, Mapping[str, float]], *, source: str = "inline") -> TransferMatrix:
    """A matrix from a dict of rows (a scenario file's inline table), default rows filling the rest."""
    clean = {k.lower(): {t.lower(): float(v) for t, v in r.items()} for k, r in rows.items()}
    check_rows(clean, file=source)
    return TransferMatrix(rows={**default_matrix().rows, **_expand(clean)}, source=source,
                          named=frozenset(clean))


def _matches(recipient: str, to: str, others: set[str]) -> bool:
    """Whether a row's *to* entry reaches ``recipient``."""
    if to == "other":
        return recipient in others
    if to == "right":
        return recipient in RIGHT
    return recipient == to


def flows(row: Mapping[str, float], recipients: Iterable[str], weights: Mapping[str, float],
          other_codes: Iterable[str] = ()) -> dict[str, float]:
    """Effective fractions to each recipient: the row restricted to those present, re-spread.

    ``recipients`` are the party codes (or candidate keys) still standing; ``weights`` their
    current votes or shares (used by the proportional entry and to share a party's flow among
    several candidates). ``other_codes`` are recipients that count as ``other`` (minor
    candidates). Flows to absent parties go to the present named recipients in proportion to
    their fractions; the part of the row naming nobody abstains. Returns fractions summing to
    at most the row's total.
    """
    rec = list(recipients)
    others = set(other_codes)
    present: dict[str, float] = {}
    total_named = 0.0
    lost = 0.0
    prop = 0.0
    for to, v in row.items():
        if to == PROPORTIONAL:
            prop += v
            continue
        total_named += v
        targets = [r for r in rec if _matches(r, to, others)]
        if targets:
            present[to] = present.get(to, 0.0) + v
        else:
            lost += v
    out: dict[str, float] = dict.fromkeys(rec, 0.0)
    named_present = sum(present.values())
    scale = (named_present + lost) / named_present if named_present > 0 else 0.0
    if named_present == 0:
        prop += lost  # nobody named stands: those voters spread like an unknown party's
    for to, v in present.items():
        targets = [r for r in rec if _matches(r, to, others)]
        w = sum(max(weights.get(r, 0.0), 0.0) for r in targets)
        for r in targets:
            share = weights.get(r, 0.0) / w if w > 0 else 1.0 / len(targets)
            out[r] += v * scale * share
    if prop > 0:
        w = sum(max(weights.get(r, 0.0), 0.0) for r in rec)
        for r in rec:
            out[r] += prop * (weights.get(r, 0.0) / w if w > 0 else 1.0 / max(len(rec), 1))
    return out
