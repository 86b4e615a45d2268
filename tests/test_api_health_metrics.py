"""`/healthz`, `/metrics` and the OpenAPI document, through a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot import metrics
from tests.api_server import LiveApp, live_config, serve


@pytest.fixture
def live(db_url: str) -> Iterator[LiveApp]:
    with serve(live_config(db_url)) as running:
        yield running


def test_healthz_reports_the_database(live: LiveApp) -> None:
    response = httpx.get(f"{live.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_gone(live: LiveApp) -> None:
    live.run(lambda app: app.storage.close())
    response = httpx.get(f"{live.url}/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_metrics_are_prometheus_text(live: LiveApp) -> None:
    metrics.INVITATIONS_SENT.inc()
    response = httpx.get(f"{live.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    for name in (
        "klantstem_updates_handled_total",
        "klantstem_answers_stored_total",
        "klantstem_invitations_sent_total",
        "klantstem_invitations_failed_total",
    ):
        assert f"# TYPE {name} counter" in lines
    sent = next(line for line in lines if line.startswith("klantstem_invitations_sent_total "))
    assert int(sent.split()[1]) >= 1


def test_the_openapi_document_lists_every_endpoint(live: LiveApp) -> None:
    spec = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    paths = spec["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/contacts"])
    assert "text/csv" in paths["/api/v1/contacts/import"]["post"]["requestBody"]["content"]
    assert set(paths["/api/v1/contacts/import"]["post"]["responses"]) >= {
        "200", "401", "403", "413", "422",
    }  # fmt: skip
