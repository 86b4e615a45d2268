"""The API fuzzed from its own OpenAPI document with schemathesis, against a real uvicorn:
no generated request, valid or invalid, may get a 5xx, and every answer must be one the
document promises. Bounded and derandomized, so every run sends the same requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.api_server import LiveApp, live_config, serve

EXAMPLES = 150


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    db = tmp_path_factory.mktemp("fuzz") / "klantstem.db"
    with serve(live_config(f"sqlite:///{db}")) as running:
        yield running


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("scope", ["write", "read"])
def test_no_request_gets_a_server_error(live: LiveApp, mode: GenerationMode, scope: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    seen: set[int] = set()

    @given(case=schema.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            headers=live.auth(scope),
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        seen.add(response.status_code)

    fuzz()
    assert seen, "nothing was sent"
    assert max(seen) < 500
