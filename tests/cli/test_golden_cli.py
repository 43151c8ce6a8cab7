"""CLI outputs stay byte for byte what they were before the layering refactor.

The hashes in tests/fixtures/golden_cli.json were recorded from the code before the parts were
moved (issue: one-way layers): every backtest figure, every seeded forecast and every projection
must come out identical, so a move that changes behaviour fails here and names the command.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seatcast.cli.app import app

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_cli.json").read_text())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_cli_output_is_unchanged(name: str) -> None:
    from seatcast.cli import main  # noqa: F401  (registers every command module)

    args = GOLDEN[name]["args"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(result.stdout_bytes).hexdigest()
    assert digest == GOLDEN[name]["sha256"], f"`seatcast {' '.join(args)}` output changed"
