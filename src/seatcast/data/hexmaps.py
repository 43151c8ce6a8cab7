"""The bundled hex cartograms: one hex per constituency, on the 2010-2019 or 2024 boundaries.

The files are HexJSON (``odd-r`` layout, ``r`` growing northwards; see the folder's SOURCE.md).
The page and the plots need only each hex's id, name and cell, so this module (the one reader
of the hex maps) trims them to that and caches the result (a pure function of bundled files):
the map is sent once per boundary set, and every projection then colours it by id.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from seatcast.errors import UnknownNameError

#: Boundary sets with a bundled layout, and the file each is read from.
HEXMAPS: dict[str, str] = {
    "2010": "hexmaps/constituencies-2010.hexjson.gz",
    "2024": "hexmaps/constituencies-2024.hexjson.gz",
}


@lru_cache(maxsize=len(HEXMAPS))
def load_hexmap(boundaries: str) -> dict[str, Any]:
    """The layout of ``boundaries`` (``"2010"`` or ``"2024"``) as ``{layout, boundaries, hexes}``.

    ``hexes`` is a list of ``{id, name, q, r}``, sorted by id so the order never depends on the
    file. The result is cached and shared: callers must not modify it.
    """
    from seatcast.data.bundled import open_text

    key = boundaries.strip()
    if key not in HEXMAPS:
        raise UnknownNameError("hexmap boundaries", boundaries, HEXMAPS)
    raw = json.loads(open_text(HEXMAPS[key]))
    hexes = [
        {"id": sid, "name": str(h["n"]), "q": int(h["q"]), "r": int(h["r"])}
        for sid, h in sorted(raw["hexes"].items())
    ]
    return {"layout": str(raw.get("layout", "odd-r")), "boundaries": key, "hexes": hexes}


def hex_centres(boundaries: str) -> dict[str, tuple[float, float]]:
    """Seat id -> (x, y) hexagon centre (``odd-r``: odd rows shift right by half a hex)."""
    return {h["id"]: (h["q"] + (0.5 if h["r"] % 2 else 0.0), h["r"] * math.sqrt(3) / 2)
            for h in load_hexmap(boundaries)["hexes"]}


def boundaries_for(election_boundaries: str) -> str:
    """The hexmap to draw an election on: its own boundary set, else the 2024 layout."""
    return election_boundaries if election_boundaries in HEXMAPS else "2024"
