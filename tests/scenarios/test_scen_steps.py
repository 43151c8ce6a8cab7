"""Property tests: every step conserves each seat's total; withdraw then re-entry restores shares."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seatcast.errors import ScenarioError
from seatcast.scenarios.incumbency import IncumbencyEstimate, IndependentPrior
from seatcast.scenarios.steps import WithdrawStep, build_steps
from seatcast.scenarios.transfers import default_matrix

PARTIES = ("con", "lab", "ld", "green", "brx", "ind", "oth")
NAMES = ("Alpha", "Beta", "Gamma", "Delta")


def fake_setup(shares: np.ndarray) -> Any:
    frame = SimpleNamespace(names=NAMES, seat_ids=("S1", "S2", "S3", "S4"), regions=("R1", "R1", "R2", "R2"),
                            nations=("England",) * 4, n_seats=4, shares=shares)
    winners = np.array(PARTIES, dtype=object)[shares[:, :-1].argmax(axis=1)].astype(str)
    return SimpleNamespace(frame=frame, parties=PARTIES, base_winners=winners, modelled=np.ones(4, dtype=bool),
                           context={})


EST = IncumbencyEstimate(stand=0.003, stand_se=0.002, retire=-0.025, retire_se=0.007,
                         independent=IndependentPrior(-3.0, 1.6))

STEPS: list[dict[str, Any]] = [
    {"kind": "candidate", "seat": "Alpha", "name": "X", "incumbent": True, "from": {"lab": 0.8, "other": 0.15},
     "share": "prior"},
    {"kind": "candidate", "seat": "Beta", "share": 0.3},
    {"kind": "candidate", "seat": "Gamma", "share": {"mean": 0.1, "sd": 0.05}, "from": {"con": 0.5, "abstain": 0.5}},
    {"kind": "withdraw", "party": "brx", "seats": "all"},
    {"kind": "withdraw", "party": "green", "seats": ["Alpha", "Delta"]},
    {"kind": "incumbent", "seat": "Delta", "action": "retire", "party": "con"},
    {"kind": "incumbent", "seat": "Gamma", "action": "stand", "party": "lab"},
    {"kind": "incumbent", "seat": "Beta", "action": "defect", "party": "con", "to": "ld"},
    {"kind": "tactical", "bloc": ["lab", "ld", "green"], "fraction": 0.3, "seats": "region:R2"},
    {"kind": "set", "seat": "Beta", "shares": {"con": 0.5, "lab": 0.2}},
]

share_rows = arrays(np.float64, (4, len(PARTIES)), elements=st.floats(0.0, 1.0)).map(
    lambda a: np.where(a < 0.05, 0.0, a)).filter(lambda a: bool((a.sum(axis=1) > 0.1).all())).map(
    lambda a: a / a.sum(axis=1, keepdims=True))


@given(share_rows, st.sampled_from(range(len(STEPS))), st.sampled_from([np.float32, np.float64]),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_every_step_conserves_seat_totals(shares: np.ndarray, k: int, dtype: Any, use_rng: bool, seed: int) -> None:
    setup = fake_setup(shares)
    (step,) = build_steps([STEPS[k]], setup, incumbency=EST)
    sims = np.broadcast_to(shares.astype(dtype), (5, *shares.shape)).copy()
    rng = np.random.default_rng(seed) if use_rng else None
    out = step.apply(sims, rng)
    assert out.shape == sims.shape and out.dtype == sims.dtype
    tol = 1e-5 if dtype is np.float32 else 1e-9
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=tol)
    assert (out >= -tol).all()
    untouched = [i for i in range(4) if i not in step.seats]  # type: ignore[attr-defined]
    np.testing.assert_array_equal(out[:, untouched], sims[:, untouched])


@given(share_rows, st.sampled_from(["con", "lab", "ld", "green"]))
def test_withdraw_then_reentry_restores_shares(shares: np.ndarray, party: str) -> None:
    shares = shares.copy()
    j = PARTIES.index(party)
    shares[:, PARTIES.index("ind")] = 0.0
    shares[:, j] = np.maximum(shares[:, j], 0.05)
    shares /= shares.sum(axis=1, keepdims=True)
    # Restoring needs somewhere for the votes to go: another candidate in the seat.
    assume(bool((np.delete(shares[0], j) > 0).any()))
    setup = fake_setup(shares)
    (w,) = build_steps([{"kind": "withdraw", "party": party, "seats": ["Alpha"]}], setup)
    after = w.apply(shares, None)
    assert after[0, j] == 0.0
    assert isinstance(w, WithdrawStep)
    fr = w.fractions["Alpha"]
    back_spec = {"kind": "candidate", "seat": "Alpha", "share": float(shares[0, j]),
                 "from": {**fr, "abstain": max(0.0, 1.0 - sum(fr.values()))}}
    (c,) = build_steps([back_spec], fake_setup(after))
    restored = c.apply(after, None)
    expected = shares.copy()
    expected[:, PARTIES.index("ind")] = expected[:, j]
    expected[0, j] = 0.0
    expected[1:, PARTIES.index("ind")] = 0.0
    np.testing.assert_allclose(restored, expected, atol=1e-9)


def test_steps_are_deterministic_without_rng_and_seeded_with_one() -> None:
    shares = np.tile(np.array([0.4, 0.35, 0.1, 0.05, 0.1, 0.0, 0.0]), (4, 1))
    steps = build_steps(STEPS[:3], fake_setup(shares), incumbency=EST)
    sims = np.broadcast_to(shares, (50, 4, len(PARTIES))).copy()
    a = steps[0].apply(sims, np.random.default_rng(7))
    b = steps[0].apply(sims, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a[:, 0, PARTIES.index("ind")])) > 1  # the prior's spread reaches the simulations
    c = steps[0].apply(shares, None)
    assert c[0, PARTIES.index("ind")] == pytest.approx(EST.independent.median)
    rec = steps[0].to_dict()
    assert rec["records"][0]["seat"] == "Alpha" and rec["records"][0]["to"]["ind"] > 0


def test_new_candidate_moves_an_existing_independent_to_oth() -> None:
    row = np.array([0.4, 0.3, 0.1, 0.0, 0.0, 0.2, 0.0])
    shares = np.tile(row, (4, 1))
    (s,) = build_steps([{"kind": "candidate", "seat": "Alpha", "share": 0.1, "from": {"abstain": 1.0}}],
                       fake_setup(shares))
    out = s.apply(shares, None)
    np.testing.assert_allclose(out[0], [0.36, 0.27, 0.09, 0, 0, 0.1, 0.18])


def test_tactical_moves_trailing_bloc_voters_to_the_leader() -> None:
    row = np.array([0.40, 0.30, 0.20, 0.10, 0.0, 0.0, 0.0])
    shares = np.tile(row, (4, 1))
    (s,) = build_steps([{"kind": "tactical", "bloc": ["lab", "ld", "green"], "fraction": 0.5, "seats": ["Beta"]}],
                       fake_setup(shares))
    out = s.apply(shares, None)
    np.testing.assert_allclose(out[1], [0.40, 0.45, 0.10, 0.05, 0, 0, 0])
    np.testing.assert_array_equal(out[0], row)


def test_unknown_seat_and_party_suggest_names() -> None:
    setup = fake_setup(np.tile(np.array([0.4, 0.3, 0.2, 0.1, 0, 0, 0]), (4, 1)))
    with pytest.raises(ScenarioError, match=r"step\[1\]\.seats: unknown seat 'Alpah'; did you mean 'Alpha'"):
        build_steps([{"kind": "withdraw", "party": "brx", "seats": ["Alpah"]}], setup)
    with pytest.raises(ScenarioError, match=r"step\[2\]\.party: unknown party 'gren'.*'green'"):
        build_steps([{"kind": "set", "seat": "Alpha", "shares": {"con": 0.5}},
                     {"kind": "withdraw", "party": "gren"}], setup)
    assert default_matrix().row("brx")["con"] == pytest.approx(0.55)


def test_withdraw_uses_the_neutral_rule_where_the_uk_matrix_does_not_cover_the_parties() -> None:
    from seatcast.scenarios.transfers import NEUTRAL

    uk = fake_setup(np.tile([0.3, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02], (4, 1)))  # 95% to the matrix's parties
    (w_uk,) = build_steps([{"kind": "withdraw", "party": PARTIES[0], "seats": ["Alpha"]}], uk)
    assert w_uk.to_dict()["transfers"] == "default"
    foreign = SimpleNamespace(**{**vars(uk), "parties": ("a", "b", "c", *PARTIES[3:])})
    (w_f,) = build_steps([{"kind": "withdraw", "party": "a", "seats": ["Alpha"]}], foreign)
    assert w_f.to_dict()["transfers"] == NEUTRAL
