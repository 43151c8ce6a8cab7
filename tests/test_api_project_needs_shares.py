"""``seatcast.project`` with no shares refuses, as ``seatcast project`` does: "no change" is not a projection."""

from __future__ import annotations

import pytest

import seatcast
from seatcast.errors import InputError


@pytest.mark.parametrize("shares", [None, {}])
def test_project_without_shares_is_refused(shares: dict[str, float] | None) -> None:
    with pytest.raises(InputError, match="give national shares"):
        seatcast.project("ge2017", shares)
