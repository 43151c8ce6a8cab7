"""A party given twice on the command line is an error naming it, never "the last one wins" in silence."""

from __future__ import annotations

import pytest

from seatcast.cli.core import parse_nation_options, parse_share_options
from seatcast.errors import InputError


def test_the_same_party_twice_is_refused_naming_it() -> None:
    with pytest.raises(InputError, match=r"--share gives con twice \(con=40 and 'CON=30'\)"):
        parse_share_options(["con=40", "lab=30", "CON=30"])


def test_the_same_nation_party_twice_is_refused() -> None:
    with pytest.raises(InputError, match="Scotland:snp twice"):
        parse_nation_options(["Scotland:snp=45", "Scotland:snp=40"])
    assert parse_nation_options(["Scotland:snp=45", "Wales:snp=1"]) == {"Scotland": {"snp": 45.0},
                                                                        "Wales": {"snp": 1.0}}


def test_distinct_parties_still_parse() -> None:
    assert parse_share_options(["con=40", "lab=30.5"]) == {"con": 40.0, "lab": 30.5}
