"""Readers: every House of Commons Library dialect, the generic schema, XLSX, and one broken file per error."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from conftest import need
from seatcast.data.bundled import BUNDLED, data_path, load_bundled
from seatcast.data.loaders import (
    DataProblems,
    detect_format,
    generic_code,
    parse_int,
    read_election,
    read_generic,
    read_hoc,
    read_sheet,
)
from seatcast.errors import DataError

DATA = Path(__file__).parents[1] / "fixtures"
BAD = DATA / "bad"


def votes_by_seat(el):  # type: ignore[no-untyped-def]
    return {c.id: sorted((k.name, k.party_code, k.votes) for k in c.candidacies) for c in el.constituencies}


# ---- the House of Commons Library dialects -----------------------------------------------------


def test_hoc_2019_dialect_matches_the_bundled_normalised_rows() -> None:
    raw = read_hoc(DATA / "hoc_2019_dialect.csv", "x")
    norm = read_hoc(DATA / "hoc_normalised.csv", "x")
    assert votes_by_seat(raw) == votes_by_seat(norm)  # 'Brexit' (CBP-8749) is the bundled 'BRX'
    for a, b in zip(raw.constituencies, norm.constituencies, strict=True):
        assert a.valid_votes == b.valid_votes  # summed from candidates == the published valid votes
        assert [k.share for k in a.candidacies] == pytest.approx([k.share for k in b.candidacies])
        assert (a.region, a.nation) == (b.region, b.nation)
    assert raw.seat("Aberavon").electorate is None  # the 2019 candidate file has no electorate
    assert norm.seat("Aberavon").electorate == 50750


def test_hoc_2024_dialect_with_bom_and_title_case_headers() -> None:
    parsed = read_election(DATA / "hoc_2024_dialect.csv", "x")
    assert parsed.format == "hoc"
    el = parsed.election
    seat = el.seat("aberafan maesteg")
    assert seat.id == "W07000081"
    assert seat.winner.name == "Stephen Kinnock" and seat.winner.party_code == "lab"
    assert seat.winner.sitting_mp is True
    assert seat.valid_votes == 183 + 618 + 916 + 1094 + 2903 + 4719 + 7484 + 17838
    assert el.seat("S14000061").winner.party_code == "snp"
    assert {k.party_code for k in seat.candidacies} == {"hpuk", "ind", "ld", "green", "con", "pc", "ruk", "lab"}
    assert el.nations == ("Wales", "Scotland")


def test_bundled_files_still_read_the_same() -> None:
    spec = next(b for b in BUNDLED if b.id == "ge2019")
    with gzip.open(data_path(spec.file), "rb") as fh:
        el = read_hoc(fh, "ge2019")
    assert el.kind == "general"
    assert len(el) == 650
    derby = el.seat("Derby North")
    assert derby.winner.name == "Amanda Solloway"
    chris = next(k for k in derby.candidacies if k.name == "Chris Williamson")
    assert (chris.party_code, chris.votes, chris.sitting_mp) == ("ind", 635, True)
    assert load_bundled(spec).seats_won()["con"] == 365


# ---- the generic schema ---------------------------------------------------------------------------


def test_generic_small_election() -> None:
    parsed = read_election(DATA / "generic_small.csv", "avalon")
    el = parsed.election
    assert parsed.format == "generic" and el.kind == "imported"
    assert el.nations == ("North", "South")
    assert all(c.region == c.nation for c in el.constituencies)
    norbury = el.seat("N2")
    assert norbury.electorate == 14000
    assert norbury.winner.party_code == "b" and norbury.winner.sitting_mp is True
    inds = [k for k in norbury.candidacies if k.party_code == "ind"]
    assert [k.name for k in inds] == ["Ivy Irons", "Ian Ince"]  # each independent keeps their candidacy
    assert el.seat("Southport").candidacies[-1].party_code == "oth"
    assert el.seat("South Bay").winner.party_code == "ind"
    assert el.seats_won() == {"a": 2, "b": 2, "c": 1, "ind": 1}


def test_generic_minimal_codes_from_labels() -> None:
    el = read_generic(DATA / "generic_minimal.csv", "m")
    assert {k.party_code for c in el.constituencies for k in c.candidacies} == {"partido_verde", "labour_co_op"}
    assert el.seat("Uno").winner.party_label == "Partido Verde"
    assert el.seat("1").electorate is None


@pytest.mark.parametrize(
    ("label", "given", "code"),
    [("Labour & Co-operative", "", "labour_co_operative"), ("INDEPENDENT", "", "ind"), ("Others", "", "oth"),
     ("Christlich Demokratische Union", "CDU", "cdu"), ("  Parti Québécois ", "", "parti_qu_b_cois")],
)
def test_generic_code(label: str, given: str, code: str) -> None:
    assert generic_code(label, given) == code


def test_semicolon_delimited_cp1252_with_spaced_headers(tmp_path: Path) -> None:
    text = ("District ID; District Name ;Region;Party;Candidate;Votes\n"
            "A;Ålesund;Vest;Høyre;Åse;10\nA;Ålesund;Vest;Senterpartiet;Øy;8\n")
    path = tmp_path / "no.csv"
    path.write_bytes(text.encode("cp1252"))
    el = read_election(path, "no").election
    assert el.seat("ålesund").winner.party_label == "Høyre"


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("12.0", 12), ("1,234", 1234), (" 7 ", 7)])
def test_parse_int(text: str, value: int) -> None:
    assert parse_int(text) == value


def test_electorate_below_votes_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("district_id,district_name,region,party,candidate,votes,electorate\n"
                    "1,One,R,Red,A,50,40\n1,One,R,Blue,B,30,40\n", encoding="utf-8")
    parsed = read_election(path, "w")
    assert len(parsed.election) == 1
    assert parsed.warnings and "row 2" in parsed.warnings[0] and "electorate of 40" in parsed.warnings[0]


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("district_id,district_name,region,party,candidate,votes,incumbent\n"
                    "1,One,R,Red,A,x,yes\n1,One,R,Blue,B,-1,maybe\n2,Two,R,,C,5,no\n", encoding="utf-8")
    with pytest.raises(DataProblems) as info:
        read_election(path, "m")
    err = info.value
    assert (err.row, err.field) == (2, "votes")
    where = [(p.row, p.field) for p in err.problems]
    assert where == [(2, "votes"), (3, "votes"), (3, "incumbent"), (4, "party")]
    assert "and 3 more problems" in str(err)


# ---- XLSX --------------------------------------------------------------------------------------------


def test_xlsx_hoc_file_with_title_rows(tmp_path: Path) -> None:
    need("openpyxl")
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["General election 2019: results by candidate"])
    ws = book.create_sheet("Data")
    ws.append(["General election 2019 results"])
    ws.append([])
    lines = (DATA / "hoc_2019_dialect.csv").read_text(encoding="utf-8").splitlines()
    ws.append(lines[0].split(","))
    for line in lines[1:]:
        cells: list[object] = line.split(",")
        cells[14] = float(str(cells[14]))  # votes stored as floats, as some exports do
        ws.append(cells)
    path = tmp_path / "HoC-GE2019-results-by-candidate.xlsx"
    book.save(path)
    parsed = read_election(path, "x")
    assert parsed.format == "hoc"
    assert votes_by_seat(parsed.election) == votes_by_seat(read_hoc(DATA / "hoc_normalised.csv", "x"))


def test_xlsx_generic_error_rows_are_sheet_rows(tmp_path: Path) -> None:
    need("openpyxl")
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["district_id", "district_name", "region", "party", "candidate", "votes"])
    ws.append(["1", "One", "R", "Red", "A", 10])
    ws.append(["1", "One", "R", "Blue", "B", -3])
    path = tmp_path / "g.xlsx"
    book.save(path)
    with pytest.raises(DataError) as info:
        read_election(path, "g")
    assert (info.value.file, info.value.row, info.value.field) == (str(path), 3, "votes")


def test_unreadable_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(DataError, match="unreadable XLSX") as info:
        read_election(path, "b")
    assert info.value.file == str(path)


# ---- one broken file per loader error ---------------------------------------------------------------

BAD_FILES = [
    ("missing_column.csv", 1, "votes", "missing column votes"),
    ("negative_votes.csv", 4, "votes", "negative votes (-5)"),
    ("non_integer_votes.csv", 3, "votes", "'12.5' is not a whole number"),
    ("duplicate_candidate.csv", 5, "candidate", "duplicate candidate row: Rita (Red) in district A1 is already in row"),
    ("empty_district.csv", 4, "candidate", "district A2 (Birch) has no candidates"),
    ("unknown_format.csv", 1, "seat", "unknown format"),
    ("inconsistent_district.csv", 3, "district_name", "has name 'Alder Vale' here but 'Alder' in row 2"),
    ("hoc_missing_column.csv", 1, "votes", "missing column votes for the hoc format"),
    ("hoc_negative_votes.csv", 3, "votes", "negative votes (-6518)"),
]


@pytest.mark.parametrize(("name", "row", "field", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_names_file_row_and_field(name: str, row: int, field: str, message: str) -> None:
    path = BAD / name
    with pytest.raises(DataError) as info:
        read_election(path, "bad")
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), row, field)
    text = str(err)
    assert text.startswith(f"{path}, row {row}, field '{field}': ")
    assert message in text


def test_empty_file() -> None:
    with pytest.raises(DataError, match="empty file") as info:
        read_election(BAD / "empty_file.csv", "bad")
    assert info.value.file == str(BAD / "empty_file.csv") and info.value.row == 1


def test_unknown_format_option() -> None:
    with pytest.raises(DataError, match="unknown format 'csv'"):
        read_election(DATA / "generic_small.csv", "x", fmt="csv")


def test_forced_format_reports_the_missing_columns() -> None:
    with pytest.raises(DataError, match="missing columns district_id, district_name") as info:
        read_election(DATA / "hoc_2019_dialect.csv", "x", fmt="generic")
    assert info.value.row == 1


def test_detect_format() -> None:
    assert detect_format(read_sheet(DATA / "generic_small.csv")) == "generic"
    assert detect_format(read_sheet(DATA / "hoc_2024_dialect.csv")) == "hoc"
    assert detect_format(read_sheet(DATA / "hoc_normalised.csv")) == "hoc"
