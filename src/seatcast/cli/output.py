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


def write_csv(rows: Sequence[dict[str, Any]]) -> None:
    """Rows of dicts as CSV on stdout (columns: the union of keys, in first-seen order)."""
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(cols), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in r.items()})
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
