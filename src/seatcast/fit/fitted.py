"""A fitted model as a value: what was learned from earlier elections, and from what.

Everything that learns from history (the covariate model's parameters, the forecast error
model, the night model's calibration) produces one :class:`FittedModel`. It is frozen and
JSON-serialisable, so it is fitted once, kept in the store (table ``fitted_model``) and loaded
by the CLI, the web server and every worker instead of being refitted on every call. Its
``id`` is a short hash of what determines it (kind, as-of date, data fingerprint, code
version, options): the same inputs give the same id, so a stored fit is found again, and any
change to the data, the code version or the as-of date gives a new id and a refit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    SEATCAST_VERSION = version("seatcast")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without an install
    SEATCAST_VERSION = "0+unknown"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text (and equal hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def fitted_id(kind: str, as_of: date | None, fingerprint: str, version: str, options: Mapping[str, Any]) -> str:
    """Short hash naming a fit: equal inputs, equal id."""
    key = canonical_json([kind, as_of.isoformat() if as_of else None, fingerprint, version, dict(options)])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FittedModel:
    """Parameters learned from earlier elections, with what they were learned from.

    ``params`` and ``options`` hold JSON values only (numbers, strings, lists, dicts), so the
    value round-trips through the store bit for bit (floats are written with ``repr``).
    """

    kind: str  # "covariate", "error-model", "night-calibration", ...
    params: Mapping[str, Any]
    as_of: date | None  # fitted on elections held strictly before this date (None: all)
    trained_on: tuple[str, ...]  # election ids
    fingerprint: str  # hex digest of the training elections as stored and the bundled inputs read
    version: str  # seatcast version + the kind's code version
    options: Mapping[str, Any] = field(default_factory=dict)
    created_at: str = ""  # ISO timestamp (UTC)

    @cached_property
    def id(self) -> str:
        """Short hash of kind, as-of date, fingerprint, version and options (hashed once: the value is frozen)."""
        return fitted_id(self.kind, self.as_of, self.fingerprint, self.version, self.options)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (what ``seatcast models show ID -f json`` prints)."""
        return {
            "id": self.id, "kind": self.kind, "as_of": self.as_of.isoformat() if self.as_of else None,
            "trained_on": list(self.trained_on), "fingerprint": self.fingerprint, "version": self.version,
            "options": dict(self.options), "created_at": self.created_at, "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FittedModel:
        """Inverse of :meth:`to_dict` (the ``id`` is derived, never trusted from the input)."""
        as_of = d.get("as_of")
        return cls(
            kind=str(d["kind"]), params=dict(d["params"]),
            as_of=date.fromisoformat(as_of) if as_of else None,
            trained_on=tuple(d.get("trained_on", ())), fingerprint=str(d["fingerprint"]),
            version=str(d["version"]), options=dict(d.get("options", {})), created_at=str(d.get("created_at", "")),
        )

    def to_row(self) -> dict[str, str | None]:
        """The store's row (see :data:`seatcast.data.store.FITTED_COLUMNS`)."""
        return {
            "id": self.id, "kind": self.kind, "as_of": self.as_of.isoformat() if self.as_of else None,
            "fingerprint": self.fingerprint, "version": self.version, "options": canonical_json(dict(self.options)),
            "trained_on": canonical_json(list(self.trained_on)), "params": canonical_json(dict(self.params)),
            "created_at": self.created_at,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, str | None]) -> FittedModel:
        """Inverse of :meth:`to_row`."""
        as_of = row["as_of"]
        return cls(
            kind=str(row["kind"]), params=json.loads(str(row["params"])),
            as_of=date.fromisoformat(as_of) if as_of else None,
            trained_on=tuple(json.loads(str(row["trained_on"]))), fingerprint=str(row["fingerprint"]),
            version=str(row["version"]), options=json.loads(str(row["options"])),
            created_at=str(row["created_at"] or ""),
        )


def now_utc() -> str:
    """The creation stamp of a new fit (seconds, UTC)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
