"""Printing results as a rich table, JSON or CSV: the only place the CLI writes to stdout."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from seatcast.cli.app import Format
from seatcast.errors import InputError


def to_json(data: Any) -> str:
    """Deterministic JSON text (same input, same bytes)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


def emit(
    fmt: Format,
    data: Any,
    *,
    rows: Sequence[dict[str, Any]] | None = None,
    table: Callable[[], None] | None = None,
) -> None:
    """Print ``data`` as JSON, ``rows`` as CSV, or call ``table`` to draw rich tables."""
    if fmt is Format.json:
        sys.stdout.write(to_json(data) + "\n")
    elif fmt is Format.csv:
        write_csv(rows if rows is not None else [data])
    elif table is not None:
        table()
    else:
        sys.stdout.write(to_json(data) + "\n")


#: What a spreadsheet reads as the start of a formula (``=cmd|...``, ``+SUM(...)``, ``@SUM``), or of a
#: hidden line (tab, carriage return): such a cell gets a leading ``'`` unless it is a number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """``value`` as a CSV cell that a spreadsheet cannot run: text starting a formula gets a leading ``'``.

    Names, party labels and seat names come from imported files, so they may hold anything;
    numbers (``-3.2`` as a number or as text) stay as they are.
    """
    if isinstance(value, dict | list):
        value = json.dumps(value)
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def write_csv(rows: Sequence[dict[str, Any]]) -> None:
    """Rows of dicts as CSV on stdout (columns: the union of keys, in first-seen order)."""
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_safe(c) for c in cols])
    for r in rows:
        w.writerow([csv_safe(r.get(c, "")) for c in cols])
    sys.stdout.write(buf.getvalue())


def console() -> Any:
    """A rich console on stdout (imported lazily: rich is only for people)."""
    from rich.console import Console

    return Console(highlight=False)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 region``, ``3 regions``: a small import must not read "1 regions"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def pct(x: float) -> str:
    """A share as a percentage string."""
    return f"{x * 100:.1f}%"


def check_image_path(path: Path, *, option: str = "--output") -> Path:
    """Fail before any work when a plot could not be written: a missing folder or an unknown format.

    The suffix picks matplotlib's format (none: PNG), so it must be one matplotlib can write.
    """
    from matplotlib.backend_bases import FigureCanvasBase

    parent = path.expanduser().parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: folder {parent} does not exist")
    suffix = path.suffix.lower().lstrip(".")
    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix and suffix not in formats:
        raise InputError(f"{option} {path}: cannot write .{suffix} images; use one of {', '.join(sorted(formats))}")
    return path
