"""The refit of the night tables reproduces the frozen figures the night reads."""

from __future__ import annotations

from seatcast.data.store import Store
from seatcast.diagnostics.night_calibration import trust_row
from seatcast.fit.night_tables import TRUST_SCORES


def test_ge2015_trust_row_recomputes_exactly(store: Store) -> None:
    """The frozen ge2015 poll-prior row is what the H18 rule's real-order replays give."""
    frozen = next(r for r in TRUST_SCORES if r.election == "ge2015" and r.prior == "polls")
    assert trust_row("ge2015", "polls", store) == frozen
