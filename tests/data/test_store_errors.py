"""Storage faults end in one clear error, and never in a write into a file that is not ours or is damaged."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import pytest

from seatcast.cli import main
from seatcast.data import store as store_module
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.data.store import Store
from seatcast.errors import DataError

SMALL = "district_id,district_name,region,party,candidate,votes\nX1,Seat,R,Labour,A,10\nX1,Seat,R,Green,B,20\n"


def _tiny(election_id: str = "tiny") -> Election:
    seat = Constituency(id="X1", name="Seat", region="R", nation="R", electorate=None, valid_votes=30,
                        candidacies=(Candidacy(name="A", party_code="lab", party_label="Labour", votes=10, share=1 / 3),
                                     Candidacy(name="B", party_code="green", party_label="Green", votes=20,
                                               share=2 / 3)))
    return Election(id=election_id, name=election_id, date=None, kind="imported", boundaries="", source="",
                    licence="", constituencies=(seat,))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[object, str]:
    monkeypatch.setattr(sys, "argv", ["seatcast", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code, capsys.readouterr().err


def test_an_unrelated_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "accounts.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE ledger(x)")
    conn.commit()
    conn.close()
    before = _digest(other)
    with pytest.raises(DataError, match=r"not a seatcast database: .*other tables \(ledger\)"):
        Store(other)
    assert _digest(other) == before


def test_a_db_folder_that_cannot_be_created_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("")
    code, err = _main(monkeypatch, capsys, "elections", "--db", str(tmp_path / "afile" / "sub" / "x.db"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot create the folder" in err and "Traceback" not in err


def test_a_damaged_database_is_never_written_into(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "damaged.db"
    store.backup(path).close()
    page = 4096
    size = path.stat().st_size
    with path.open("r+b") as fh:  # scribble over a run of pages in the middle (candidacy rows)
        fh.seek((size // 2) // page * page)
        fh.write(b"\xab" * 16 * page)
    before = _digest(path)
    csv = tmp_path / "small.csv"
    csv.write_text(SMALL)
    code, err = _main(monkeypatch, capsys, "import", str(csv), "--election", "mine", "--db", str(path))
    assert code == 2 and "damaged" in err and len(err.strip().splitlines()) == 1, err
    assert _digest(path) == before


def test_a_locked_database_waits_then_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              store: Store) -> None:
    path = tmp_path / "busy.db"
    store.backup(path).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a large import in another process, mid-transaction
    try:
        s = Store(path, fill=False)
        with pytest.raises(DataError, match=r"is busy: another process .* try again"):
            s.save(_tiny())
        s.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    s = Store(path, fill=False)
    s.save(_tiny())  # once the other writer is done, the same import goes through
    assert s.has("tiny")
    s.close()


def test_a_read_only_database_is_one_clear_error(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "ro.db"
    store.backup(path).close()
    s = Store(path, fill=False)
    s._conn.close()  # reopen as the file system would let a user without write permission
    s._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    with pytest.raises(DataError, match=r"is read-only .*writable"):
        s.save(_tiny())
    assert not s.has("tiny")
    s.close()


def test_vote_counts_past_64_bits_are_refused_with_file_row_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "huge.csv"
    csv.write_text(SMALL.replace(",20\n", f",{2**63}\n"))
    code, err = _main(monkeypatch, capsys, "import", str(csv), "--election", "huge", "--db",
                      str(tmp_path / "fresh.db"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "huge.csv" in err and "row 3" in err and "'votes'" in err and "not a real count" in err
