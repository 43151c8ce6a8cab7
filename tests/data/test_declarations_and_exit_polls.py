from __future__ import annotations

import pytest

from seatcast.data.declarations import DECLARATION_ELECTIONS, declaration_order, declarations
from seatcast.data.exit_polls import exit_poll, exit_poll_elections
from seatcast.data.store import Store
from seatcast.errors import UnknownNameError


@pytest.mark.parametrize("election", DECLARATION_ELECTIONS)
def test_declaration_order_covers_every_seat_once_in_time_order(store: Store, election: str) -> None:
    order = declaration_order(election)
    assert sorted(order) == sorted(c.id for c in store.load(election).constituencies)
    times = [d.declared_at for d in declarations(election)]
    assert times == sorted(times)


def test_declaration_order_starts_where_the_nights_started() -> None:
    assert declarations("ge2019")[0].name == "Newcastle Upon Tyne Central"
    assert declarations("ge2024")[0].name == "Houghton and Sunderland South"


def test_exit_polls_total_650_and_match_the_anchors() -> None:
    assert exit_poll_elections() == ("ge2015", "ge2017", "ge2019", "ge2024")
    for e in exit_poll_elections():
        assert sum(exit_poll(e).values()) == 650
    assert exit_poll("ge2024")["lab"] == 410 and exit_poll("ge2024")["con"] == 131
    assert exit_poll("ge2017")["con"] == 314


def test_unknown_election_names_the_choices() -> None:
    with pytest.raises(UnknownNameError):
        declaration_order("ge2010")
    with pytest.raises(UnknownNameError):
        exit_poll("ge2010")
