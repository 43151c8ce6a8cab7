"""Imports refuse ids the rest of seatcast could not show, and workbooks that would unpack to gigabytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from seatcast.data.importer import MAX_ID_LENGTH, check_election_id
from seatcast.data.loaders import read_sheet
from seatcast.errors import DataError, InputError


def test_election_ids_are_limited_in_length_and_charset() -> None:
    assert check_election_id("x" * MAX_ID_LENGTH) == "x" * MAX_ID_LENGTH
    with pytest.raises(InputError, match=f"at most {MAX_ID_LENGTH} characters, not 81"):
        check_election_id("x" * 81)
    for bad in ("nz 2023", "../etc", "ge2019é", "a/b", "-x"):
        with pytest.raises(InputError, match="letters, digits"):
            check_election_id(bad)


def test_a_zip_bomb_workbook_is_refused_before_openpyxl_reads_it(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<c/>" * 8_000_000)  # 32 MB of cells, a few kB zipped
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(buf.getvalue())
    assert f.stat().st_size < 200_000
    with pytest.raises(DataError, match=r"bomb\.xlsx: XLSX workbook unpacks to 32 MB.*save the sheet as CSV"):
        read_sheet(f)
