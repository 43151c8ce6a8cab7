"""The embedded SQLite store of elections: every line of SQL in seatcast lives here.

Tables are STRICT, with foreign keys on; the database runs in WAL mode so a reader (the web
server) and a writer (an import) can work at once. On first use the store fills itself from
the bundled data; a later release with new bundled data refills the bundled elections and
leaves the user's imports alone. Writes are single transactions: an import is all or nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from seatcast.data.bundled import BUNDLED, load_bundled
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.errors import DataError, UnknownNameError

T = TypeVar("T")

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
CREATE TABLE IF NOT EXISTS fitted_model (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    as_of TEXT,
    fingerprint TEXT NOT NULL,
    version TEXT NOT NULL,
    options TEXT NOT NULL,
    trained_on TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS fitted_model_key ON fitted_model(kind, as_of, fingerprint, version, options);
"""

#: Columns of the ``fitted_model`` table, in order (values are text; JSON where noted in
#: :mod:`seatcast.fit.fitted`, which owns their meaning).
FITTED_COLUMNS: tuple[str, ...] = (
    "id", "kind", "as_of", "fingerprint", "version", "options", "trained_on", "params", "created_at",
)


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
    use, so a read never interleaves with a write's transaction. The store also owns the one
    in-memory cache of values derived from its elections (:meth:`memo`: decoded fitted models,
    bound kernels' inputs): it is emptied whenever an election is written or deleted, so
    nothing derived from old data outlives it, and it dies with the store, not the process.
    """

    def __init__(self, path: str | Path | None = None, *, fill: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._cache: dict[str, Election] = {}
        self._memo: dict[Any, Any] = {}
        self._fingerprints: dict[str, str] = {}
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
        self._forget()

    def _forget(self, election_id: str | None = None) -> None:
        """Drop cached elections (one, or all) and everything derived from them."""
        with self._lock:
            if election_id is None:
                self._cache.clear()
                self._fingerprints.clear()
            else:
                self._cache.pop(election_id, None)
                self._fingerprints.pop(election_id, None)
            self._memo.clear()

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """The value cached under ``key``, built once by ``build()`` (the store's one cache).

        ``build`` runs outside the lock (a fit may take seconds); two threads racing on the same
        key both build it and the first stored value wins, so every caller sees one value.
        """
        with self._lock:
            if key in self._memo:
                hit: T = self._memo[key]
                return hit
        value = build()
        with self._lock:
            got: T = self._memo.setdefault(key, value)
            return got

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
            el = Election(id=head[0], name=head[1], date=date.fromisoformat(head[2]) if head[2] else None,
                          kind=head[3], boundaries=head[4],
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
        self._forget(election.id)

    def delete(self, election_id: str) -> None:
        """Remove an election and everything under it."""
        if not self.has(election_id):
            raise UnknownNameError("election", election_id, self.ids())
        with self._transaction() as conn:
            conn.execute("DELETE FROM election WHERE id = ?", (election_id,))
        self._forget(election_id)

    # ---- fingerprints and fitted models -------------------------------------------------
    def fingerprint(self, election_ids: Sequence[str]) -> str:
        """SHA-256 over the stored rows of ``election_ids`` (in the order given).

        A fitted model records it: the same elections as stored give the same digest, and any
        edit to a result (a re-import, a corrected vote count) gives another, so the fit reruns.
        """
        digest = hashlib.sha256()
        for eid in election_ids:
            with self._lock:
                one = self._fingerprints.get(eid)
                if one is None:
                    one = self._election_digest(eid)
                    self._fingerprints[eid] = one
            digest.update(f"{eid}:{one};".encode())
        return digest.hexdigest()

    def _election_digest(self, election_id: str) -> str:
        h = hashlib.sha256()
        for sql in (
            "SELECT id, name, date, kind, boundaries FROM election WHERE id = ?",
            "SELECT seat_id, position, name, region, nation, electorate, valid_votes FROM constituency "
            "WHERE election_id = ? ORDER BY position",
            "SELECT seat_id, position, name, party_code, votes, share, sitting_mp, former_mp FROM candidacy "
            "WHERE election_id = ? ORDER BY seat_id, position",
        ):
            for row in self._conn.execute(sql, (election_id,)):
                h.update(repr(row).encode())
        return h.hexdigest()

    def save_fitted(self, row: Mapping[str, str | None]) -> None:
        """Store one fitted model (a row of :data:`FITTED_COLUMNS`), replacing one of the same id."""
        with self._transaction() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO fitted_model({', '.join(FITTED_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in FITTED_COLUMNS)})",
                tuple(row[c] for c in FITTED_COLUMNS),
            )

    def load_fitted(self, fitted_id: str) -> dict[str, str | None] | None:
        """The stored fitted model ``fitted_id`` (a unique prefix will do), or ``None``."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(FITTED_COLUMNS)} FROM fitted_model WHERE id LIKE ? || '%' ORDER BY id",
                (fitted_id,),
            ).fetchall()
        if len(rows) != 1:
            return None
        return dict(zip(FITTED_COLUMNS, rows[0], strict=True))

    def find_fitted(self, kind: str, as_of: str | None, fingerprint: str, version: str,
                    options: str) -> dict[str, str | None] | None:
        """The stored fit of ``kind`` for exactly these inputs, or ``None`` (then fit it)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {', '.join(FITTED_COLUMNS)} FROM fitted_model WHERE kind = ? AND as_of IS ? "
                "AND fingerprint = ? AND version = ? AND options = ? ORDER BY created_at DESC LIMIT 1",
                (kind, as_of, fingerprint, version, options),
            ).fetchone()
        return None if row is None else dict(zip(FITTED_COLUMNS, row, strict=True))

    def fitted_models(self) -> list[dict[str, str | None]]:
        """Every stored fitted model, by kind then as-of date."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(FITTED_COLUMNS)} FROM fitted_model ORDER BY kind, COALESCE(as_of, ''), created_at"
            ).fetchall()
        return [dict(zip(FITTED_COLUMNS, r, strict=True)) for r in rows]

    @staticmethod
    def _write(conn: sqlite3.Connection, el: Election, *, bundled: bool) -> None:
        conn.execute("DELETE FROM election WHERE id = ?", (el.id,))
        conn.execute(
            "INSERT INTO election(id, name, date, kind, boundaries, source, licence, bundled) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (el.id, el.name, el.date.isoformat() if el.date else None, el.kind, el.boundaries, el.source, el.licence,
             int(bundled)),
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
