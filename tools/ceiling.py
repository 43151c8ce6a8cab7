"""Print the in-sample ceilings of docs/covariate-model.md (see seatcast.diagnostics.ceiling).

Usage: python tools/ceiling.py [ELECTION ...]   (default: ge2015 ge2017 ge2019 ge2024)
"""

from __future__ import annotations

import sys

from seatcast.diagnostics.ceiling import election_ceiling


def main(elections: list[str]) -> None:
    """One markdown table: election, design, coefficients per party, GB seats right, errors."""
    print("| election | design | coefficients per party | GB seats right | GB seat-total error | share MAE |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for e in elections:
        for r in election_ceiling(e):
            print(f"| {r.election} | {r.design} | {r.coefficients} | {r.seats_correct_gb} "
                  f"| {r.seat_total_error_gb:g} | {r.share_mae_gb:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["ge2015", "ge2017", "ge2019", "ge2024"])
