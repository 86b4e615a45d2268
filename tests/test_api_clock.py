"""The API keeps the app's one clock: what it stores and answers is timed by `service.clock`,
so a test that moves the clock moves time for API actions too (no call reads the wall
clock behind the app's back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.app import App
from bot.storage.records import NewResponse, StoredAnswer
from bot.timeutil import to_text
from tests.conftest import Clock
from tests.support.api_server import LiveApp, live_config, serve

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONTACTS = "ref,name,segment\nC-1,Ada Lovelace,retail\nC-2,Bram Stoker,retail\n"


@pytest.fixture
def steered() -> Clock:
    return Clock(START)


@pytest.fixture
def live(backend_url: str, steered: Clock) -> Iterator[LiveApp]:
    with serve(live_config(backend_url), clock=steered) as running:
        yield running


@pytest.fixture
def http(live: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/api/v1", timeout=30, headers=live.auth()) as client:
        yield client


def audit_times(live: LiveApp, action: str) -> list[str]:
    async def read(app: App) -> list[str]:
        async with app.storage.transaction(write=False) as tx:
            rows = await tx.conn.fetchall(
                "SELECT at FROM audit_log WHERE action = ? ORDER BY at", (action,)
            )
        return [str(row[0]) for row in rows]

    return live.run(read)


def token_last_used(live: LiveApp, name: str) -> str | None:
    async def read(app: App) -> str | None:
        async with app.storage.transaction(write=False) as tx:
            tokens = await tx.api_tokens()
        return next(t.last_used_at for t in tokens if t.name == name)

    return live.run(read)


def store_answers(live: LiveApp, count: int) -> None:
    async def store(app: App) -> None:
        async with app.storage.transaction() as tx:
            for _ in range(count):
                await tx.store_response(
                    NewResponse(
                        "cvs",
                        app.surveys["cvs"].version,
                        None,
                        True,
                        None,
                        None,
                        "en",
                        {},
                        START,
                        tuple(
                            StoredAnswer(q, score=4)
                            for q in ("satisfaction", "loyalty", "recommendation")
                        ),
                    )
                )

    live.run(store)


def test_api_actions_are_timed_by_the_injected_clock(
    live: LiveApp, http: httpx.Client, steered: Clock
) -> None:
    imported = http.post("/contacts/import", content=CONTACTS, headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200
    assert audit_times(live, "contacts.import") == [to_text(START)]
    assert token_last_used(live, "test-write") == to_text(START)
    wave = http.post("/waves", json={"survey": "cvs"}).json()["wave"]
    assert wave["opened_at"] == to_text(START)

    later = steered.advance(days=30)
    changed = CONTACTS.replace("Ada Lovelace", "Ada King")
    assert (
        http.post("/contacts/import", content=changed, headers={"Content-Type": "text/csv"}).json()[
            "updated"
        ]
        == 1
    )
    assert audit_times(live, "contacts.import") == [to_text(START), to_text(later)]
    assert token_last_used(live, "test-write") == to_text(later)
    assert http.post("/waves", json={"survey": "cvs"}).json()["wave"]["opened_at"] == to_text(later)


def test_a_report_over_the_api_is_generated_at_the_clocks_time(
    live: LiveApp, steered: Clock
) -> None:
    store_answers(live, 6)
    later = steered.advance(days=3, hours=5)
    response = httpx.get(
        f"{live.url}/api/v1/reports", params={"survey": "cvs"}, headers=live.auth("read")
    )
    assert response.status_code == 200
    assert response.json()["generated_at"] == to_text(later)
    assert token_last_used(live, "test-read") == to_text(later)
