"""``seatcast models`` lists the stored fits; ``models show ID`` prints one's parameters (table and JSON)."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from seatcast.cli.app import app
from seatcast.data.store import Store
from seatcast.fit.registry import load_or_fit


def run(*args: str) -> tuple[int, str]:
    from seatcast.cli import main  # noqa: F401  (registers every command module)

    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def test_models_lists_and_shows_a_stored_fit(store: Store) -> None:
    fitted = load_or_fit(store, "covariate", date(2015, 5, 7))
    code, out = run("models", "--format", "json")
    assert code == 0
    listed = {m["id"]: m for m in json.loads(out)["models"]}
    assert listed[fitted.id]["kind"] == "covariate" and listed[fitted.id]["as_of"] == "2015-05-07"
    code, out = run("models", "show", fitted.id[:8], "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == fitted.id and shown["params"] == json.loads(json.dumps(dict(fitted.params)))
    code, out = run("models", "show", fitted.id)
    assert code == 0 and "covariate" in out and "theta_down" in out
    code, out = run("models", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("id,kind,as_of")
