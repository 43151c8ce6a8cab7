"""Independents in a forward projection: without nominations only a sitting independent stands again.

An independent's vote is personal; carried forward to seats where the candidate may not stand,
it made phantom gains (Beaconsfield: Dominic Grieve's 2019 vote; Exmouth and Exeter East:
Claire Wright's, in the notional base). Nominations, when given, still decide.
"""

from __future__ import annotations

import numpy as np
import pytest

from seatcast.backtest.runner import standing_of
from seatcast.data.polls import poll_average
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.projection import project

PHANTOMS = ("Beaconsfield", "Exmouth and Exeter East")
NOTE = "independents not assumed to stand again"


def _seat(sid: str, cands: list[tuple[str, int]]) -> Constituency:
    total = sum(v for _, v in cands)
    ks = tuple(Candidacy(f"{sid}-{p}", p, p.upper(), v, v / total) for p, v in sorted(cands, key=lambda c: -c[1]))
    return Constituency(sid, f"Seat {sid}", "North", "England", None, total, ks)


def _toy() -> Election:
    """T1 won by an independent; T2 with a strong independent second; T3 with none."""
    return Election("toyind", "Toy", (
        _seat("T1", [("ind", 450), ("con", 300), ("lab", 250)]),
        _seat("T2", [("con", 400), ("ind", 350), ("lab", 250)]),
        _seat("T3", [("lab", 600), ("con", 300), ("ld", 100)]),
    ), kind="imported")


SHARES = {"con": 40.0, "lab": 40.0, "ld": 5.0}


@pytest.mark.parametrize("model", ["auto", "transition", "uns", "proportional"])
def test_forward_2024_has_no_phantom_independents(store: Store, model: str) -> None:
    proj = project(store.load("ge2019n24"), poll_average("ge2024"), model=model, store=store, fits=source(store))
    j = proj.parties.index("ind")
    for name in PHANTOMS:
        i = proj.seat_index(name)
        assert proj.frame.shares[i, j] == 0.0 and proj.shares[i, j] == 0.0
        assert proj.winners[i] != "ind"
    gb = np.array(proj.frame.nations) != "Northern Ireland"
    assert "ind" not in set(proj.winners[gb])  # no independent won a GB seat in the notional base
    assert any(NOTE in n for n in proj.setup.notes)


def test_speaker_seat_unaffected(store: Store) -> None:
    base = store.load("ge2019n24")
    proj = project(base, poll_average("ge2024"), model="transition")
    i = proj.seat_index("Chorley")
    assert proj.winners[i] == "spk" and not proj.setup.modelled[i]
    seat = base.seat("Chorley")
    ind_votes = max(k.share for k in seat.candidacies if k.party_code == "ind")
    assert proj.shares[i, proj.parties.index("ind")] == pytest.approx(ind_votes, abs=1e-5)


@pytest.mark.parametrize("model", ["auto", "transition", "uns", "proportional"])
def test_sitting_independent_keeps_standing(model: str) -> None:
    proj = project(_toy(), SHARES, model=model)
    j = proj.parties.index("ind")
    t1, t2, t3 = (proj.seat_index(s) for s in ("T1", "T2", "T3"))
    assert proj.frame.shares[t1, j] == pytest.approx(0.45)  # the sitting independent's base share kept
    assert proj.shares[t1, j] > 0.3 and proj.winners[t1] == "ind"
    assert proj.shares[t2, j] == 0.0 and proj.shares[t3, j] == 0.0
    # T2's independent votes are shared among the others in proportion: con 40:25 lab.
    con, lab = proj.parties.index("con"), proj.parties.index("lab")
    assert proj.frame.shares[t2, con] == pytest.approx(400 / 650)
    assert proj.frame.shares[t2, lab] == pytest.approx(250 / 650)


@pytest.mark.parametrize("model", ["transition", "uns", "proportional"])
def test_same_as_nominating_only_sitting_independents(model: str) -> None:
    """The default is exactly the existing not-standing mechanism, fed the implied nominations."""
    el = _toy()
    implied = {c.id: {k.party_code for k in c.candidacies if k.party_code != "ind" or c.winner.party_code == "ind"}
               for c in el.constituencies}
    default = project(el, SHARES, model=model)
    nominated = project(el, SHARES, model=model, standing=implied)
    np.testing.assert_allclose(default.shares, nominated.shares, atol=1e-12)


def test_nominations_decide_when_given(store: Store) -> None:
    el = _toy()
    everyone = {c.id: {k.party_code for k in c.candidacies} for c in el.constituencies}
    proj = project(el, SHARES, model="transition", standing=everyone)
    assert proj.shares[proj.seat_index("T2"), proj.parties.index("ind")] > 0.1
    assert not any(NOTE in n for n in proj.setup.notes)
    # On the real data: where the 2024 nominations name an independent, a non-winning 2019
    # independent's base share is kept (not dropped as it is without nominations).
    base, target = store.load("ge2019n24"), store.load("ge2024")
    nominations = standing_of(target)
    real = project(base, poll_average("ge2024"), model="transition", standing=nominations)
    plain = project(base, poll_average("ge2024"), model="transition")
    j = real.parties.index("ind")
    kept = np.array([real.setup.modelled[i] and "ind" in nominations.get(sid, ())
                     for i, sid in enumerate(real.frame.seat_ids)])
    kept &= (plain.setup.base_winners != "ind") & (real.frame.shares[:, j] > 0)
    assert kept.sum() >= 10
    assert (real.shares[kept, j] > 0).all() and (plain.shares[kept, j] == 0).all()
    assert not any(NOTE in n for n in real.setup.notes)


def test_named_independents_keep_their_base_seats_and_cache_stays_right() -> None:
    """Naming ``ind`` in the shares is a different structure; alternating must not mix them up."""
    el = _toy()
    t2 = 1
    first = project(el, SHARES, model="transition")
    named = project(el, {**SHARES, "ind": 10.0}, model="transition")
    again = project(el, SHARES, model="transition")
    j = first.parties.index("ind")
    assert first.shares[t2, j] == 0.0 and again.shares[t2, j] == 0.0
    assert named.shares[t2, named.parties.index("ind")] > 0
    np.testing.assert_array_equal(first.shares, again.shares)
