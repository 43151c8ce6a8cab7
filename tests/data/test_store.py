"""The SQLite store: layout, first-use fill, caching, atomic writes."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.data.store import DATA_VERSION, Store
from seatcast.errors import UnknownNameError


def dump(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    rows = []
    for table in ("meta", "election", "constituency", "candidacy"):
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
    conn.close()
    return rows


def test_layout(store_path: Path) -> None:
    conn = sqlite3.connect(store_path)
    sql = {name: text for name, text in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")}
    assert all("STRICT" in sql[t] for t in ("election", "constituency", "candidacy"))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_bundled_elections(store: Store) -> None:
    ids = [e.id for e in store.elections()]
    assert ids[:4] == ["ge2010", "ge2015", "ge2017", "ge2019"]
    assert set(ids) >= {"ge2019n24", "ge2024"}
    assert all(e.seats == 650 for e in store.elections() if e.bundled)


def test_reopen_does_not_rebuild(store_path: Path) -> None:
    before = dump(store_path)
    Store(store_path).close()
    assert dump(store_path) == before


def test_version_bump_rebuilds_bundled(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("UPDATE meta SET value = 'old' WHERE key = 'data_version'")
    conn.execute("DELETE FROM election WHERE id = 'ge2010'")
    conn.commit()
    conn.close()
    s = Store(path)
    assert s.has("ge2010")
    row = s._conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    assert row[0] == DATA_VERSION
    s.close()


def _toy(eid: str, votes: int = 10) -> Election:
    cands = (Candidacy("A", "a", "Party A", votes, votes / (votes + 5)), Candidacy("B", "b", "Party B", 5,
                                                                                  5 / (votes + 5)))
    return Election(id=eid, name="toy", kind="imported",
                    constituencies=(Constituency("d1", "District 1", "North", "North", None, votes + 5, cands),))


def test_save_replace_delete(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.db")
    s.save(_toy("toy"))
    assert s.load("toy").seat("district 1").winner.name == "A"
    s.save(_toy("toy", votes=2))
    assert s.load("toy").seat("d1").winner.name == "B"
    s.delete("toy")
    with pytest.raises(UnknownNameError, match="toy"):
        s.load("toy")
    s.close()


def test_failed_write_leaves_db_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path)
    s.save(_toy("toy"))
    before = dump(path)
    bad = _toy("toy", votes=3)
    # A duplicated seat id inside one election breaks the primary key halfway through the write.
    seat = bad.constituencies[0]
    object.__setattr__(bad, "constituencies", (seat, seat))
    with pytest.raises(sqlite3.IntegrityError):
        s.save(bad)
    assert dump(path) == before
    s.close()


def test_unknown_election_suggests(store: Store) -> None:
    with pytest.raises(UnknownNameError, match="ge2019"):
        store.load("ge2091")


def test_election_dates_are_dates_and_stored_as_iso_text(store: Store, tmp_path: Path) -> None:
    from datetime import date

    el = store.load("ge2019")
    assert el.date == date(2019, 12, 12)
    assert next(i for i in store.elections() if i.id == "ge2019").date == "2019-12-12"  # JSON lists stay ISO
    copy = store.backup(tmp_path / "dates.db")
    try:
        copy.save(replace(el, id="t_dates"))
        with Store(copy.path, fill=False) as again:
            assert again.load("t_dates").date == date(2019, 12, 12)
    finally:
        copy.close()
