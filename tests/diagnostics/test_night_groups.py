"""The night model's optional own-standing groups: the trust rule and the wiring."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from seatcast.data.store import Store
from seatcast.diagnostics.night_calibration import protocol_score
from seatcast.errors import InputError
from seatcast.fit.night_tables import GROUP_SCORES, GROUPS, GroupScores, groups_for, trusted
from seatcast.night.model import NightPrior, NightSettings, fit_night, night_design
from seatcast.night.prior import replay_prior, with_own_groups


def _row(e: str, year: int, without: float, inc: float | None, adv: float | None) -> GroupScores:
    return GroupScores(e, date(year, 1, 1), without, {"incumbency": inc, "advice": adv})


def test_a_group_is_trusted_only_when_it_lowered_the_earlier_scores() -> None:
    rows = [_row("a", 2001, 10.0, 9.0, None), _row("b", 2002, 10.0, 10.5, 9.0), _row("c", 2003, 10.0, 12.0, 11.0)]
    assert trusted("incumbency", rows[:2])  # 19.5 < 20
    assert not trusted("incumbency", rows)  # 31.5 > 30
    assert trusted("advice", rows[1:2]) and not trusted("advice", rows[:1])  # no data: no trust
    assert groups_for(date(2000, 6, 1), rows) == ()  # nothing earlier
    assert groups_for(date(2001, 6, 1), rows) == ("incumbency",)
    assert groups_for(date(2002, 6, 1), rows) == ("incumbency", "advice")
    assert groups_for(date(2003, 6, 1), rows) == groups_for(None, rows) == ()  # ties earn nothing


def test_no_replay_uses_its_own_or_later_scores() -> None:
    for row in GROUP_SCORES:
        earlier = [r for r in GROUP_SCORES if r.held < row.held]
        scrambled = [replace(r, with_group={g: 99.0 for g in GROUPS}) if r.held >= row.held else r
                     for r in GROUP_SCORES]
        assert groups_for(row.held) == groups_for(row.held, scrambled) == groups_for(row.held, earlier)


def _toy(n: int = 30) -> NightPrior:
    rng = np.random.default_rng(0)
    base = rng.dirichlet([3.0, 2.0, 1.0], n)
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=("R",) * n, nations=("England",) * n, parties=("a", "b", "oth"), base=base, prior=base.copy(),
        stands=np.ones((n, 3), bool), features=np.zeros((n, 0)), feature_names=(),
        base_winners=tuple("ab"[j] for j in base[:, :2].argmax(axis=1)))


def test_extra_columns_join_the_own_terms_and_explain_what_they_should() -> None:
    p = _toy()
    advice = np.zeros((3, p.n_seats, 1))
    advice[0, ::2, 0] = 1.0  # sites recommend "a" in every other seat
    q = replace(p, own_extra=advice, own_extra_names=("own tactical advice",))
    d0, d1 = night_design(p, NightSettings()), night_design(q, NightSettings())
    assert d1.own.shape[2] == d0.own.shape[2] + 1 and d1.names[-1] == "own tactical advice"
    assert not d1.own[2, :, -1].any()  # the pooled column gets no own terms
    actual = p.prior.copy()
    actual[::2, 0] += 0.05  # "a" does better where recommended
    actual[::2, 1] -= 0.05
    declared = np.zeros(p.n_seats, bool)
    declared[:20] = True
    fit = fit_night(q, declared, actual)
    shift = fit.mean_shift(np.arange(20, p.n_seats))[:, 0]
    assert shift[::2].mean() > shift[1::2].mean() + 0.02  # recommended undeclared seats move up


def test_bad_extras_are_refused() -> None:
    p = _toy()
    with pytest.raises(ValueError, match="own_extra"):
        replace(p, own_extra=np.zeros((3, p.n_seats, 2)), own_extra_names=("one",))
    with pytest.raises(InputError, match="unknown night group"):
        with_own_groups(p, ("gaza",), "2024-07-04")


def test_replay_priors_carry_the_trusted_groups(store: Store) -> None:
    assert groups_for(date(2024, 7, 4)) == ("incumbency", "advice")
    p24 = replay_prior(store.load("ge2024"), store.load("ge2019n24"), store=store,
                       own_groups=groups_for(date(2024, 7, 4)))
    assert p24.own_extra is not None
    assert p24.own_extra_names == ("own MP stands again", "own seat open", "own tactical advice")
    lab, con = p24.parties.index("lab"), p24.parties.index("con")
    assert p24.own_extra[lab, :, 2].max() > 0.5  # somewhere most sites back Labour
    assert p24.own_extra[con, :, 2].max() == 0  # the anti-Conservative sites never back the Conservatives
    held_con = np.array([w == "con" for w in p24.base_winners])
    assert np.all(p24.own_extra[con, held_con, 0] + p24.own_extra[con, held_con, 1] == 1)
    p19 = replay_prior(store.load("ge2019"), store.load("ge2017"), store=store,
                       own_groups=groups_for(date(2019, 12, 12)))
    assert p19.own_extra is None and "groups" not in p19.source


def test_frozen_score_recomputes(store: Store) -> None:
    row = next(r for r in GROUP_SCORES if r.election == "ge2019")
    assert protocol_score("ge2019", ("advice",), store) == row.with_group["advice"]
