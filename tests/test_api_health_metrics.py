"""`/healthz`, `/metrics` and the OpenAPI document, through a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from bot import metrics
from bot.app import App
from bot.storage import new_id
from bot.storage.flags_sql import Flag
from bot.storage.records import Contact, NewResponse
from bot.storage.waves_sql import Invitation
from bot.timeutil import utc_now
from tests.support.api_server import LiveApp, live_config, scrape, serve


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
    failed = httpx.get(f"{live.url}/api/v1/contacts", headers=live.auth())
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"


async def history(app: App) -> None:
    """Four invitations (two delivered, one unreachable) and two flags, one 40 days old."""
    now = utc_now()
    async with app.storage.transaction() as tx:
        await tx.upsert_contact(Contact("C-1", "Ann"), now)
        contact_id = await tx.contact_id_by_ref("C-1")
        await tx.insert_invitations(
            Invitation(new_id(), "cvs", now, now, contact_id=contact_id, status=status)
            for status in ("sent", "done", "unreachable", "pending")
        )
        for age in (40, 1):
            raised = now - timedelta(days=age)
            response_id = await tx.store_response(
                NewResponse("cvs", 1, None, False, contact_id, None, "en", {}, raised, ())
            )
            await tx.insert_flag(
                Flag(new_id(), response_id, contact_id, "detractor", "open", None, raised)
            )


def test_metrics_count_what_happened(live: LiveApp) -> None:
    before = scrape(live)
    assert before["klantstem_flags_open"] == before["klantstem_invitations_sent_total"] == 0
    live.run(history)
    metrics.ANSWERS_STORED.inc()
    after = scrape(live)
    assert after["klantstem_invitations_sent_total"] == 2
    assert after["klantstem_invitations_failed_total"] == 1
    assert after["klantstem_flags_open"] == 2
    assert after["klantstem_flags_overdue"] == 1
    assert after["klantstem_answers_stored_total"] == before["klantstem_answers_stored_total"] + 1
    assert "klantstem_updates_handled_total" in after


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
