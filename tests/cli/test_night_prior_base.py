"""``night --prior`` refuses a forecast made from another base: its seats would be matched to the wrong map."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.errors import InputError


def test_night_refuses_a_forecast_from_another_base(tmp_path: Path) -> None:
    prior = tmp_path / "f.json"
    prior.write_text(json.dumps({"base": "ge2019", "model": "uns", "seats": [], "parties": {}}))
    results = tmp_path / "r.csv"
    results.write_text("district_id,district_name,region,party,candidate,votes\n")
    res = CliRunner().invoke(app, ["night", "--base", "ge2017", "--prior", str(prior), "--results", str(results)])
    assert isinstance(res.exception, InputError)
    msg = str(res.exception)
    assert "from base ge2019, not ge2017" in msg and "seatcast forecast --base ge2017" in msg
