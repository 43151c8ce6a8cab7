"""CSV output never hands a spreadsheet a formula: text starting with = + - @ gets a leading quote."""

from __future__ import annotations

import csv
import io

import pytest

from seatcast.cli.output import csv_safe, write_csv


def test_formula_text_is_quoted_and_numbers_stay_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    write_csv([
        {"name": "=cmd|' /C calc'!A0", "party": "+SUM(A1:A9)", "seat": "@SUM(1)", "change": -3.2, "note": "-3.2"},
        {"name": "-2+3", "party": "Labour", "seat": "\tTab", "change": 4, "note": "=1+1"},
    ])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["name", "party", "seat", "change", "note"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'+SUM(A1:A9)", "'@SUM(1)", "-3.2", "-3.2"]
    assert rows[2] == ["'-2+3", "Labour", "'\tTab", "4", "'=1+1"]


def test_header_cells_and_nested_values_are_neutralised_too(capsys: pytest.CaptureFixture[str]) -> None:
    write_csv([{"=x": ["=a"], "ok": None}])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [["'=x", "ok"], ['["=a"]', ""]]
    assert csv_safe(-1) == -1 and csv_safe("-1e3") == "-1e3" and csv_safe("") == ""
