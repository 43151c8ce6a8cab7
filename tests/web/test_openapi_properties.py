"""Property-based test of the JSON API against its own OpenAPI document (schemathesis, in-process).

Schemathesis generates requests from ``/openapi.json``, valid and invalid, sends them to the
app in this process and checks each answer: never a server error, every status and body as the
document says, and every request the document calls invalid refused. (Not checked: that every
valid request is accepted. A base, seat or party that the store does not hold is a 422 naming
the choices; the document cannot list a store's contents, which an import changes.) A bounded number of
examples per endpoint and mode keeps it fast (:data:`EXAMPLES`, from the hypothesis profile:
``HYPOTHESIS_PROFILE=long`` runs more).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from seatcast.data.store import Store
from seatcast.web.schemas import PARTY_PATTERN

schemathesis = pytest.importorskip("schemathesis")

HOST = {"Host": "localhost"}  # the app answers to loopback names only
#: Examples per endpoint and mode: a quarter of the profile's (``fast``: 30, ``long``: 500).
EXAMPLES = max(5, settings().max_examples // 4)


@pytest.fixture(scope="module")
def api_schema(store_path: Path, store: Store) -> Any:
    from seatcast.web.app import create_app

    app = create_app(db=store_path, max_sims=200, warm=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=HOST)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_answers_as_its_openapi_document_says(api_schema: Any, mode: str) -> None:
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {"/api/project", "/api/forecast", "/api/results/{election}/{seat}"} <= {op.path for op in operations}
    for op in operations:
        if mode == "negative" and not (list(op.body) or list(op.path_parameters)):
            continue  # nothing to get wrong in a request without inputs

        @given(case=op.as_strategy(generation_mode=GenerationMode(mode)))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=HOST, excluded_checks=[positive_data_acceptance])

        check()


def test_schema_types_every_step_kind(api_schema: Any) -> None:
    doc = api_schema.raw_schema

    def body(path: str) -> dict[str, Any]:
        got: dict[str, Any] = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        return got

    steps = body("/api/project")["properties"]["steps"]
    assert steps["maxItems"] == 50
    assert steps["items"]["discriminator"]["propertyName"] == "kind"
    kinds = steps["items"]["discriminator"]["mapping"]
    assert set(kinds) == {"candidate", "withdraw", "incumbent", "tactical", "set"}
    for ref in kinds.values():  # every kind's schema is in the document, with its required keys
        name = ref.rsplit("/", 1)[-1]
        assert "kind" in doc["components"]["schemas"][name]["required"]
    seed = body("/api/forecast")["properties"]["seed"]
    assert seed["type"] == "integer"
    shares = body("/api/project")["properties"]["shares"]
    assert list(shares["patternProperties"]) == [PARTY_PATTERN] and shares["additionalProperties"] is False
