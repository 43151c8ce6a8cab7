"""CLI outputs stay byte for byte what they were before the layering refactor.

The hashes in tests/fixtures/golden_cli.json were recorded from the code before the parts were
moved (issue: one-way layers): every backtest figure, every seeded forecast and every projection
must come out identical, so a move that changes behaviour fails here and names the command.

The one addition since: the backtest JSON's per-seat ``seats`` key (the calls seat by seat). It
is taken out before hashing, so every other byte is still checked against the recording, and the
seats must add up to the recorded ``seats_correct_gb``. Where a recording was redone on purpose,
its entry says why under ``changed`` (a forecast from an election's polls now adds that
election's Scotland and Wales polls; checked equal to the old recording without them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seatcast.cli.app import app
from seatcast.cli.output import to_json

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_cli.json").read_text())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_cli_output_is_unchanged(name: str) -> None:
    from seatcast.cli import main  # noqa: F401  (registers every command module)

    args = GOLDEN[name]["args"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout_bytes
    if args[0] == "backtest":
        data = json.loads(out)
        for d in data["backtests"] if "backtests" in data else [data]:
            seats = d.pop("seats")
            assert sum(s["correct"] for s in seats if s["gb"]) == d["seats_correct_gb"]
        out = (to_json(data) + "\n").encode()
    digest = hashlib.sha256(out).hexdigest()
    assert digest == GOLDEN[name]["sha256"], f"`seatcast {' '.join(args)}` output changed"
