r"""The exit poll as the night's prior: move the prior's shares until its seat totals match it.

At 10 pm, before any result, the broadcasters' exit poll gives each party's seats. It is the
best information of the night's first hours (its seat-total error was 5-15.5 seats in
2015-2024, against 24-64 for a poll-based prior), but it is a set of totals, not seat shares.
:func:`prior_at_exit_poll` finds the national (and, for parties standing in one nation, nation)
shares at which the prior's seat totals match it: each exit-poll party *k* gets a factor
:math:`e^{d_k}` on its prior share in every seat (rows renormalised: a proportional move of the
prior, the same in every seat where the party stands), and :math:`d` solves

.. math:: \min_d \sum_k \Big(\frac{S_k(d) - E_k}{\text{SEAT\_TOLERANCE}}\Big)^2
          + \sum_k \Big(\frac{d_k}{\text{MOVE\_SD}}\Big)^2

by ``scipy.optimize.least_squares``, with :math:`S_k` the *expected* seats of *k* as the night
model's prior simulation would count them (each seat's shares drawn with the spread the model
gives them before any declaration, :func:`prior_spread`, from fixed draws, each draw's winner a
softmax of nearly zero temperature so that the count is smooth) and
:math:`E_k` the exit poll. The penalty keeps parties the exit poll cannot pin down (a handful of
seats) near the polls. Vote shares, where the exit poll gives them, are optional extra targets
(``shares``). ``oth`` (the rest of the 650: Northern Ireland, the Speaker) and parties
with no column are not matched. Deterministic: the draws come from a fixed seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from seatcast.errors import InputError
from seatcast.night.model import OTHER, FloatArray, NightPrior, NightSettings, night_design, prior_noise
from seatcast.night.prior import column_of

#: Seats of misfit that weigh as much as one ``MOVE_SD`` of a party's log share factor.
SEAT_TOLERANCE = 2.0
#: Share misfit (0.005: half a point) that weighs as much as ``SEAT_TOLERANCE`` seats (optional shares).
SHARE_TOLERANCE = 0.005
#: Prior sd of each party's log share factor (0.25: a quarter of its share either way).
MOVE_SD = 0.25
#: Temperature of the smooth seat count (shares): a draw's winner is nearly its largest share.
SOFT_WIN_TEMPERATURE = 0.005
#: Fixed draws (common to every step of the fit: the count is a smooth function of the shares).
FIT_DRAWS = 100
FIT_SEED = 20240704


def parse_exit_poll(items: list[str]) -> dict[str, int]:
    """``["con=131", "lab=410"]`` to ``{"con": 131, "lab": 410}`` (one clear error per bad item)."""
    out: dict[str, int] = {}
    for item in items:
        party, sep, seats = item.partition("=")
        party = party.strip().lower()
        try:
            n = int(seats.strip())
        except ValueError:
            n = -1
        if not sep or not party or n < 0 or n > 650:
            raise InputError(f"--exit-poll {item!r}: expected PARTY=SEATS with 0-650 seats, e.g. lab=410")
        if party in out:
            raise InputError(f"--exit-poll: {party} given twice")
        out[party] = n
    return out


def parse_shares(items: list[str] | None) -> dict[str, float]:
    """``["lab=35.5"]`` to ``{"lab": 35.5}`` (percent; one clear error per bad item)."""
    out: dict[str, float] = {}
    for item in items or []:
        party, sep, value = item.partition("=")
        party = party.strip().lower()
        try:
            pct = float(value.strip())
        except ValueError:
            pct = -1.0
        if not sep or not party or not 0 <= pct <= 100:
            raise InputError(f"--exit-poll-share {item!r}: expected PARTY=PERCENT (0-100), e.g. lab=35.5")
        out[party] = pct
    return out


def _shares(prior: NightPrior, d: FloatArray, cols: list[int]) -> FloatArray:
    q = prior.prior.copy()
    q[:, cols] *= np.exp(d)
    total = q.sum(axis=1, keepdims=True)
    return np.asarray(q / np.where(total > 0, total, 1.0), dtype=float)


def prior_spread(prior: NightPrior, settings: NightSettings) -> FloatArray:
    """Each seat's and party's sd of a share before any declaration, as :func:`simulate_night` draws it.

    With no declaration the posterior is the prior: the seat noise ``s0_p`` and the coefficients
    with covariance ``s0_p^2 diag(prior_sd^2)``, so a seat's variance is
    ``s0_p^2 (1 + sum_k x_ik^2 prior_sd_k^2)``.
    """
    design = night_design(prior, settings)
    s0 = prior_noise(prior, settings)
    out = np.zeros_like(prior.prior)
    for p in range(len(prior.parties)):
        x = design.of(p)
        out[:, p] = s0[p] * np.sqrt(1.0 + (x**2) @ (design.prior_sd**2))
    return out


def expected_seats(prior: NightPrior, shares: FloatArray, spread: FloatArray, draws: FloatArray) -> FloatArray:
    """Each party's expected seats when every share is drawn with sd ``spread`` (fixed ``draws``).

    A smooth count: the winner of each draw is a softmax with temperature :data:`SOFT_WIN_TEMPERATURE`
    (nearly the largest share); ``oth`` and non-standing parties never win, as in the simulation.
    """
    sims = np.maximum(shares[None] + spread[None] * draws, 0.0)
    z = np.where(prior.stands[None], sims, -np.inf) / SOFT_WIN_TEMPERATURE
    if OTHER in prior.parties:
        z[..., prior.parties.index(OTHER)] = -np.inf
    z -= z.max(axis=-1, keepdims=True)
    w = np.exp(z)
    return np.asarray((w / w.sum(axis=-1, keepdims=True)).sum(axis=1).mean(axis=0), dtype=float)


def _columns(prior: NightPrior, values: Mapping[str, float]) -> dict[int, float]:
    """Party codes to the prior's columns (lineage relatives join; ``oth`` and unknown parties drop out)."""
    out: dict[int, float] = {}
    for party, value in values.items():
        code = column_of(party.lower(), prior.parties)
        if code != OTHER:
            j = prior.parties.index(code)
            out[j] = out.get(j, 0.0) + float(value)
    return out


def prior_at_exit_poll(prior: NightPrior, exit_poll: Mapping[str, int], settings: NightSettings | None = None,
                       shares: Mapping[str, float] | None = None) -> NightPrior:
    """``prior`` with its shares moved so that its seat totals match ``exit_poll`` (module docstring).

    ``shares`` (optional, percent: an exit poll's vote shares where one is published) adds one
    residual per party: its mean seat share against the given share, in units of
    :data:`SHARE_TOLERANCE` (the mean over seats stands in for the national share: seats have
    similar electorates).
    """
    from scipy.optimize import least_squares

    settings = settings or NightSettings()
    targets = _columns(prior, {p: float(v) for p, v in exit_poll.items()})
    share_targets = _columns(prior, {p: float(v) / 100.0 for p, v in (shares or {}).items()})
    if not targets:
        raise InputError("the exit poll names no party of the prior (give e.g. lab=410 con=131)")
    cols = sorted(set(targets) | set(share_targets))
    seat_at = [cols.index(j) for j in sorted(targets)]
    share_at = [cols.index(j) for j in sorted(share_targets)]
    want = np.array([targets[j] for j in sorted(targets)], dtype=float)
    want_share = np.array([share_targets[j] for j in sorted(share_targets)], dtype=float)

    spread = prior_spread(prior, settings)
    draws = np.random.default_rng(FIT_SEED).standard_normal((FIT_DRAWS, *prior.prior.shape))

    def residuals(d: FloatArray) -> FloatArray:
        moved = _shares(prior, d, cols)
        seats = expected_seats(prior, moved, spread, draws)[cols][seat_at]
        share = moved.mean(axis=0)[cols][share_at]
        return np.concatenate([(seats - want) / SEAT_TOLERANCE, (share - want_share) / SHARE_TOLERANCE,
                               d / MOVE_SD])

    fit = least_squares(residuals, np.zeros(len(cols)), diff_step=1e-2, xtol=1e-8, max_nfev=200)
    moved = _shares(prior, fit.x, cols)
    fitted = expected_seats(prior, moved, spread, draws)
    weight = prior.prior.sum(axis=1) > 0
    before, after = prior.prior[weight].mean(axis=0), moved[weight].mean(axis=0)
    desc = ", ".join(f"{prior.parties[j]} {int(targets[j])} seats (fit {fitted[j]:.0f}; mean seat share "
                     f"{100 * before[j]:.1f}% -> {100 * after[j]:.1f}%)" for j in sorted(targets))
    if share_targets:
        desc += "; shares " + ", ".join(f"{prior.parties[j]} {100 * share_targets[j]:.1f}%"
                                        for j in sorted(share_targets))
    return replace(prior, prior=moved, stands=prior.stands | (moved > 0), source=f"{prior.source}; exit poll {desc}")
