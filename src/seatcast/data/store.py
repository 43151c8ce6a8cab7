"""The embedded SQLite store of elections: every line of SQL in seatcast lives here.

Tables are STRICT, with foreign keys on; the database runs in WAL mode so a reader (the web
server) and a writer (an import) can work at once. On first use the store fills itself from
the bundled data; a later release with new bundled data refills the bundled elections and
leaves the user's imports alone. Writes are single transactions: an import is all or nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from seatcast.data.bundled import BUNDLED, load_bundled
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.errors import DataError, UnknownNameError

#: Bump when the bundled data or the table layout changes: the store then rebuilds the bundled part.
DATA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS election (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    date TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('general', 'notional', 'imported')),
    boundaries TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    bundled INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS constituency (
    election_id TEXT NOT NULL REFERENCES election(id) ON DELETE CASCADE,
    seat_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    nation TEXT NOT NULL,
    electorate INTEGER,
    valid_votes INTEGER NOT NULL CHECK (valid_votes >= 0),
    PRIMARY KEY (election_id, seat_id)
) STRICT;
CREATE TABLE IF NOT EXISTS candidacy (
    election_id TEXT NOT NULL,
    seat_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    party_code TEXT NOT NULL,
    party_label TEXT NOT NULL,
    votes INTEGER CHECK (votes IS NULL OR votes >= 0),
    share REAL NOT NULL CHECK (share >= 0 AND share <= 1.000001),
    sitting_mp INTEGER,
    former_mp INTEGER,
    PRIMARY KEY (election_id, seat_id, position),
    FOREIGN KEY (election_id, seat_id) REFERENCES constituency(election_id, seat_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX IF NOT EXISTS candidacy_party ON candidacy(election_id, party_code);
"""


@dataclass(frozen=True)
class ElectionInfo:
    """A row of the election list: what ``seatcast elections`` shows."""

    id: str
    name: str
    date: str | None
    kind: str
    boundaries: str
    source: str
    seats: int
    candidacies: int
    bundled: bool

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON output."""
        return dict(self.__dict__)


def default_path() -> Path:
    """``$SEATCAST_DB``, else a per-user data folder (``$XDG_DATA_HOME/seatcast/seatcast.db``)."""
    env = os.environ.get("SEATCAST_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "seatcast" / "seatcast.db"


class Store:
    """A handle on the SQLite database; elections read from it are cached in memory.

    One connection serves every thread (the web server's pool included); a lock serialises its
    use, so a read never interleaves with a write's transaction.
    """

    def __init__(self, path: str | Path | None = None, *, fill: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._cache: dict[str, Election] = {}
        # What this handle last saw of the file (see :meth:`generation`): SQLite's data_version
        # and each election's write stamp.
        self._seen_version: int | None = None
        self._stamps: dict[str, str] = {}
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:  # a folder, or a file it may not open
            raise DataError(f"cannot open seatcast database {self.path}: {exc}") from None
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA busy_timeout = 5000")
            self._conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            # SQLite opens any file lazily and only fails at the first statement: a CSV passed as
            # --db would otherwise surface as a bare "file is not a database" traceback.
            self._conn.close()
            if isinstance(exc, sqlite3.OperationalError):
                raise DataError(f"cannot open seatcast database {self.path}: {exc}") from None
            raise DataError(f"not a seatcast database (SQLite): {self.path}") from None
        if fill:
            self.ensure_bundled()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # ---- bundled data -------------------------------------------------------------------
    def ensure_bundled(self) -> None:
        """Load the bundled elections if they are missing or older than this release."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        have = {r[0] for r in self._conn.execute("SELECT id FROM election WHERE bundled = 1")}
        if row and row[0] == DATA_VERSION and have >= {b.id for b in BUNDLED}:
            return
        elections = [load_bundled(spec) for spec in BUNDLED]
        with self._transaction() as conn:
            for el in elections:
                self._write(conn, el, bundled=True)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('data_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (DATA_VERSION,),
            )
        self._cache.clear()
        self._seen_version = None

    # ---- change detection ---------------------------------------------------------------
    def generation(self, election_id: str) -> str:
        """A stamp that changes whenever ``election_id`` is written or deleted, by any process.

        A long-running reader (the web server) calls it before using what it derived from an
        election: a changed stamp means that election was re-imported, so the cached copy is
        dropped here and the caller rebuilds its own. The check is one ``PRAGMA data_version``
        (SQLite bumps it when another connection commits); only then are the stamps re-read.
        ``""`` for an election written before stamps existed.
        """
        with self._lock:
            self._sync()
            return self._stamps.get(election_id, "")

    def _sync(self) -> None:
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        if version == self._seen_version:
            return
        stamps = {str(k).removeprefix("written:"): str(v) for k, v in self._conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'written:%'")}
        for eid in list(self._cache):
            if stamps.get(eid, "") != self._stamps.get(eid, ""):
                self._cache.pop(eid, None)
        self._stamps = stamps
        self._seen_version = version

    # ---- reads --------------------------------------------------------------------------
    def elections(self) -> list[ElectionInfo]:
        """Every election in the store, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                """
            SELECT e.id, e.name, e.date, e.kind, e.boundaries, e.source, e.bundled,
                   (SELECT COUNT(*) FROM constituency c WHERE c.election_id = e.id),
                   (SELECT COUNT(*) FROM candidacy k WHERE k.election_id = e.id)
            FROM election e ORDER BY COALESCE(e.date, ''), e.id
            """
            ).fetchall()
        return [
            ElectionInfo(id=r[0], name=r[1], date=r[2], kind=r[3], boundaries=r[4], source=r[5],
                         bundled=bool(r[6]), seats=r[7], candidacies=r[8])
            for r in rows
        ]

    def ids(self) -> list[str]:
        """Ids of every stored election."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM election ORDER BY id")]

    def has(self, election_id: str) -> bool:
        """Whether the store holds ``election_id``."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM election WHERE id = ?", (election_id,)).fetchone() is not None

    def load(self, election_id: str) -> Election:
        """Read one election (cached after the first read)."""
        with self._lock:
            self._sync()
            if election_id in self._cache:
                return self._cache[election_id]
            head = self._conn.execute(
                "SELECT id, name, date, kind, boundaries, source, licence FROM election WHERE id = ?",
                (election_id,),
            ).fetchone()
            if head is None:
                raise UnknownNameError("election", election_id, self.ids())
            cands: dict[str, list[Candidacy]] = {}
            for r in self._conn.execute(
                "SELECT seat_id, name, party_code, party_label, votes, share, sitting_mp, former_mp "
                "FROM candidacy WHERE election_id = ? ORDER BY seat_id, position",
                (election_id,),
            ):
                cands.setdefault(r[0], []).append(
                    Candidacy(name=r[1], party_code=r[2], party_label=r[3], votes=r[4], share=r[5],
                              sitting_mp=None if r[6] is None else bool(r[6]),
                              former_mp=None if r[7] is None else bool(r[7]))
                )
            seats = tuple(
                Constituency(id=r[0], name=r[1], region=r[2], nation=r[3], electorate=r[4], valid_votes=r[5],
                             candidacies=tuple(cands.get(r[0], ())))
                for r in self._conn.execute(
                    "SELECT seat_id, name, region, nation, electorate, valid_votes FROM constituency "
                    "WHERE election_id = ? ORDER BY position",
                    (election_id,),
                )
            )
            el = Election(id=head[0], name=head[1], date=head[2], kind=head[3], boundaries=head[4],
                          source=head[5], licence=head[6], constituencies=seats)
            self._cache[election_id] = el
            return el

    def backup(self, path: str | Path) -> Store:
        """Copy the whole database to ``path`` with SQLite's backup API and open the copy.

        Never copy the file with ordinary file I/O while it is open: closing any other handle on
        it drops this process's POSIX locks, and another process may then remove the WAL files
        from under the open connections.
        """
        target = sqlite3.connect(Path(path))
        with self._lock:
            self._conn.backup(target)
        target.close()
        return Store(path, fill=False)

    # ---- writes -------------------------------------------------------------------------
    def save(self, election: Election) -> None:
        """Write an election in one transaction, replacing any stored election of the same id."""
        with self._transaction() as conn:
            self._write(conn, election, bundled=False)
        self._cache.pop(election.id, None)
        self._seen_version = None  # this connection's own commits leave data_version as it was

    def delete(self, election_id: str) -> None:
        """Remove an election and everything under it."""
        if not self.has(election_id):
            raise UnknownNameError("election", election_id, self.ids())
        with self._transaction() as conn:
            conn.execute("DELETE FROM election WHERE id = ?", (election_id,))
            _stamp(conn, election_id)
        self._cache.pop(election_id, None)
        self._seen_version = None

    @staticmethod
    def _write(conn: sqlite3.Connection, el: Election, *, bundled: bool) -> None:
        conn.execute("DELETE FROM election WHERE id = ?", (el.id,))
        _stamp(conn, el.id)
        conn.execute(
            "INSERT INTO election(id, name, date, kind, boundaries, source, licence, bundled) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (el.id, el.name, el.date, el.kind, el.boundaries, el.source, el.licence, int(bundled)),
        )
        conn.executemany(
            "INSERT INTO constituency(election_id, seat_id, position, name, region, nation, electorate, valid_votes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(el.id, c.id, i, c.name, c.region, c.nation, c.electorate, c.valid_votes)
             for i, c in enumerate(el.constituencies)],
        )
        conn.executemany(
            "INSERT INTO candidacy(election_id, seat_id, position, name, party_code, party_label, votes, share, "
            "sitting_mp, former_mp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (el.id, c.id, j, k.name, k.party_code, k.party_label, k.votes, k.share,
                 None if k.sitting_mp is None else int(k.sitting_mp),
                 None if k.former_mp is None else int(k.former_mp))
                for c in el.constituencies
                for j, k in enumerate(c.candidacies)
            ],
        )


def _stamp(conn: sqlite3.Connection, election_id: str) -> None:
    """Record that ``election_id`` changed (read by :meth:`Store.generation` in other processes)."""
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"written:{election_id}", f"{time.time_ns()}-{os.getpid()}"),
    )
