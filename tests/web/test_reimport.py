"""A running server answers from the new data after another process re-imports an election."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

from seatcast.data.schema import Constituency, Election
from seatcast.data.store import Store


def _flipped(el: Election, seat: str) -> Election:
    """``el`` with the first two candidates' votes and shares swapped in ``seat`` (a new winner)."""
    def flip(c: Constituency) -> Constituency:
        if c.name != seat:
            return c
        ranked = sorted(range(len(c.candidacies)), key=lambda i: -c.candidacies[i].share)
        a, b = ranked[0], ranked[1]
        cands = list(c.candidacies)
        cands[a], cands[b] = (dataclasses.replace(cands[a], votes=cands[b].votes, share=cands[b].share),
                              dataclasses.replace(cands[b], votes=cands[a].votes, share=cands[a].share))
        return dataclasses.replace(c, candidacies=tuple(cands))
    return dataclasses.replace(el, constituencies=tuple(flip(c) for c in el.constituencies))


def test_server_answers_from_a_reimported_election(store: Store, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from seatcast.web.app import create_app

    db = tmp_path / "seatcast.db"
    importer = store.backup(db)  # its own connection, as `seatcast import` in another process has
    app = create_app(db=db, warm=False)
    body = {"base": "ge2019", "model": "uns", "shares": {}}
    with TestClient(app, base_url="http://localhost") as c:
        before = c.get("/api/results/ge2019/Derby North").json()
        proj = c.post("/api/project", json=body).json()
        i = proj["names"].index("Derby North")
        assert before["winner"]["party"] == proj["winners"][i] == "con"

        importer.save(_flipped(importer.load("ge2019"), "Derby North"))

        after = c.get("/api/results/ge2019/Derby North").json()
        assert after["winner"]["party"] == "lab"
        again: dict[str, Any] = c.post("/api/project", json=body).json()
        assert again["winners"][i] == "lab"
        assert again["seats_predicted"]["lab"] == proj["seats_predicted"]["lab"] + 1
        baseline = c.get("/api/baseline/ge2019").json()
        assert baseline["seats_won"]["lab"] == proj["seats_predicted"]["lab"] + 1
    importer.close()


def test_store_generation_changes_only_for_the_rewritten_election(store: Store, tmp_path: Path) -> None:
    db = tmp_path / "seatcast.db"
    writer = store.backup(db)
    reader = Store(db, fill=False)
    g17, g19 = reader.generation("ge2017"), reader.generation("ge2019")
    cached = reader.load("ge2019")
    assert reader.generation("ge2019") == g19 and reader.load("ge2019") is cached  # nothing changed: no re-read
    writer.save(_flipped(writer.load("ge2019"), "Derby North"))
    assert reader.generation("ge2019") != g19 and reader.generation("ge2017") == g17
    fresh = reader.load("ge2019")
    assert fresh is not cached and fresh.seat("Derby North").winner.party_code == "lab"
    writer.close()
    reader.close()
