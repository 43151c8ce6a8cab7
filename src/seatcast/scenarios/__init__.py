"""Candidate scenarios: steps from shares to shares, transfers, incumbency, split votes.

=====================  ==========================================================================
``steps``              the step classes (candidate, withdraw, incumbent, tactical, set) and
                       :func:`build_steps`, which binds step dicts to a projection setup
``transfers``          the default transfer matrix (documented assumptions) and user CSV matrices
``incumbency``         personal-vote effects and the former-MP-as-independent prior, estimated from
                       the candidate files 2010-2024 using earlier elections only
``scenario_file``      TOML scenario files validated by pydantic, errors naming file and key
``split``              split-vote (spoiler) analysis: :func:`split_seat`, :func:`split_all`
``run``                scenario runs: the forecast with and without each step
``incumbency_backtest``  the incumbency/independent models scored on ge2019 and ge2024
=====================  ==========================================================================

Other electoral systems (AV, D'Hondt) are not scenarios: they live in :mod:`seatcast.systems`.

The walk-through is docs/scenarios.md (and examples/derby-north-2019.toml).
"""

from __future__ import annotations

from seatcast.scenarios.scenario_file import Scenario, load_scenario, parse_scenario
from seatcast.scenarios.split import SplitResult, split_all, split_seat
from seatcast.scenarios.steps import Step, apply_steps, build_steps
from seatcast.scenarios.transfers import TransferMatrix, default_matrix, load_matrix

__all__ = [
    "Scenario",
    "SplitResult",
    "Step",
    "TransferMatrix",
    "apply_steps",
    "build_steps",
    "default_matrix",
    "load_matrix",
    "load_scenario",
    "parse_scenario",
    "split_all",
    "split_seat",
]
