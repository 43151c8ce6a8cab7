"""The night model never imports its own calibration, the API or the CLI: learned values are passed in."""

from __future__ import annotations

import ast
from pathlib import Path

import seatcast.night

NIGHT = Path(seatcast.night.__file__).parent


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # imports inside functions count too
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_night_does_not_import_its_calibration_the_api_or_the_cli() -> None:
    files = sorted(NIGHT.glob("*.py"))
    assert len(files) >= 8
    for f in files:
        bad = {m for m in _imports(f) if m.startswith(("seatcast.diagnostics", "seatcast.cli", "seatcast.api"))}
        assert not bad, f"{f.name} imports {sorted(bad)}"
