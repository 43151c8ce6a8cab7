"""Scenario files: bad files give clear errors (file, key, suggestion) and no partial output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from seatcast.cli import app
from seatcast.data.store import Store
from seatcast.errors import ScenarioError
from seatcast.scenarios.run import prepare_scenario
from seatcast.scenarios.scenario_file import load_scenario

HEAD = 'base = "ge2017"\npolls = "final"\nmodel = "uns"\n'


def write(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(HEAD + body)
    return p


CASES = {
    "unknown_seat": ('[[step]]\nkind = "candidate"\nseat = "Derby Nrth"\nshare = 0.05\n',
                     r"s\.toml: step\[1\]\.seat: unknown seat 'Derby Nrth'; did you mean 'Derby North'"),
    "share_above_1": ('[[step]]\nkind = "candidate"\nseat = "Derby North"\nshare = 1.5\n',
                      r"s\.toml: step\[1\]\.share"),
    "set_above_1": ('[[step]]\nkind = "set"\nseat = "Derby North"\nshares = { con = 0.7, lab = 0.5 }\n',
                    r"step\[1\]\.shares: shares add up to 1\.200"),
    "transfer_row": ('[transfers.lab]\nld = 0.7\ngreen = 0.5\n[[step]]\nkind = "withdraw"\nparty = "lab"\n',
                     r"s\.toml: transfers\.lab: fractions add up to 1\.200"),
    "unknown_kind": ('[[step]]\nkind = "candidat"\nseat = "Derby North"\n',
                     r"step\[1\]: unknown step kind 'candidat'.*did you mean 'candidate'"),
    "unknown_party": ('[[step]]\nkind = "withdraw"\nparty = "brexit"\n', r"step\[1\]\.party: unknown party 'brexit'"),
    "unknown_key": ('[[step]]\nkind = "withdraw"\nparty = "brx"\nseat = "Derby North"\n',
                    r"step\[1\]\.seat: unknown key"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenarios(case: str, tmp_path: Path, store: Store) -> None:
    body, pattern = CASES[case]
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError, match=pattern):
        prepare_scenario(load_scenario(path), store)
    # The CLI prints nothing on stdout: everything is validated before anything runs.
    result = CliRunner().invoke(app, ["scenario", str(path), "--format", "json"])
    assert result.exit_code != 0 and isinstance(result.exception, ScenarioError)
    assert result.stdout == ""


def test_bad_transfer_csv_names_file_and_row(tmp_path: Path, store: Store) -> None:
    (tmp_path / "t.csv").write_text("from_party,to_party,fraction\nbrx,con,0.9\nbrx,lab,0.3\n")
    path = write(tmp_path, 'transfers = "t.csv"\n[[step]]\nkind = "withdraw"\nparty = "brx"\n')
    with pytest.raises(ScenarioError, match=r"t\.csv, row 3.*add up to 1\.200"):
        prepare_scenario(load_scenario(path), store)


def test_not_toml_and_missing_inputs(tmp_path: Path) -> None:
    p = tmp_path / "x.toml"
    p.write_text("base = \n")
    with pytest.raises(ScenarioError, match=r"x\.toml: not valid TOML"):
        load_scenario(p)
    p.write_text('base = "ge2017"\n')
    with pytest.raises(ScenarioError, match="give national shares"):
        load_scenario(p)
