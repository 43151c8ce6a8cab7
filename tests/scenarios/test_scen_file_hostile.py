"""Hostile scenario files: deep nesting, huge files and a ``transfers`` path aimed at some other file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from seatcast.errors import DataError, ScenarioError
from seatcast.scenarios.scenario_file import MAX_SCENARIO_BYTES, load_scenario
from seatcast.scenarios.transfers import load_matrix

SECRET = "root:$6$very-secret-hash:19000:0:99999:7:::"


DEPTH = 5000


@pytest.mark.parametrize("text", ["a = " + "[" * DEPTH + "]" * DEPTH + "\n",
                                  "a = " + "{b=" * DEPTH + "1" + "}" * DEPTH])
def test_deeply_nested_toml_is_a_clear_error(tmp_path: Path, text: str) -> None:
    f = tmp_path / "deep.toml"
    f.write_text(text)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default (a library imported by another test may have raised it)
    try:
        with pytest.raises(ScenarioError, match="nested too deeply"):
            load_scenario(f)
    finally:
        sys.setrecursionlimit(limit)


def test_an_oversized_scenario_file_is_refused_unread(tmp_path: Path) -> None:
    f = tmp_path / "big.toml"
    f.write_text("# " + "x" * MAX_SCENARIO_BYTES + "\n")
    with pytest.raises(ScenarioError, match="at most 1000 kB"):
        load_scenario(f)


def test_transfers_path_to_another_file_never_echoes_it(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.write_text(SECRET + "\n")
    with pytest.raises(DataError) as info:
        load_matrix(shadow)
    assert "must be a .csv file" in str(info.value) and "secret" not in str(info.value)
    disguised = tmp_path / "shadow.csv"
    disguised.write_text(SECRET + "\n")
    with pytest.raises(DataError) as info:
        load_matrix(disguised)
    assert "header from_party,to_party,fraction" in str(info.value) and "secret" not in str(info.value)


def test_transfers_path_in_a_scenario_is_checked_the_same_way(tmp_path: Path) -> None:
    from seatcast.scenarios.run import load_transfers

    (tmp_path / "notes.txt").write_text(SECRET)
    f = tmp_path / "s.toml"
    f.write_text('base = "ge2017"\npolls = "final"\ntransfers = "notes.txt"\n')
    with pytest.raises(ScenarioError) as info:
        load_transfers(load_scenario(f))
    assert ".csv file" in str(info.value) and "secret" not in str(info.value)
