"""Interactions, waves and flags over the API, through a real uvicorn, with the scheduler
running in the same app and a recording chat platform: what the API starts really goes out,
and what people answer really comes back as flags to follow up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.conversations.service import Inbound
from bot.jobs.scheduler import scheduler_component
from bot.people.contacts import import_staff, parse_staff
from bot.storage.records import NewResponse
from bot.timeutil import utc_now
from flows import Event, EventKind
from tests.fakes.recording_channel import Posted, RecordingChannel
from tests.support.api_server import LiveApp, live_config, scrape, serve

STAFF = b"ref,name,telegram,admin\nanna,Anna de Vries,7001,yes\n"
CONTACTS = (
    "ref,name,telegram,contact_person,segment,timezone\n"
    "C-001,Ann Smit,8001,anna,retail,Europe/Amsterdam\n"
    "C-002,Bob Jones,8002,anna,retail,Europe/Amsterdam\n"
    "C-003,Cas Bakker,8003,anna,wholesale,Europe/Amsterdam\n"
)
DEADLINE = 30.0


@pytest.fixture
def chat() -> RecordingChannel:
    return RecordingChannel("telegram")


@pytest.fixture
def live(db_url: str, chat: RecordingChannel) -> Iterator[LiveApp]:
    settings = {
        "KLANTSTEM_SWEEP_SECONDS": "0.2",
        "KLANTSTEM_QUIET_HOURS": "off",
        "KLANTSTEM_INTERACTION_DELAY_HOURS": "0.0005",  # 1.8 seconds
        "KLANTSTEM_STAFF_CHAT": "telegram:-1001",
    }

    def attach(app: App) -> None:
        app.service.attach(chat)

    with serve(live_config(db_url, settings), (attach, scheduler_component)) as running:
        running.run(add_staff)
        yield running


@pytest.fixture
def http(live: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/api/v1", timeout=30, headers=live.auth()) as client:
        response = client.post(
            "/contacts/import", content=CONTACTS, headers={"Content-Type": "text/csv"}
        )
        assert response.json()["added"] == 3
        yield client


async def add_staff(app: App) -> None:
    async with app.storage.transaction() as tx:
        await import_staff(tx, parse_staff(STAFF), utc_now())


def eventually(condition: Callable[[], Any], what: str) -> Any:
    """Poll until `condition()` is truthy, failing after a bounded deadline."""
    deadline = time.monotonic() + DEADLINE
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return found


def invitations_to(chat: RecordingChannel, address: str) -> list[Posted]:
    return [p for p in chat.to(address) if p.broadcast]


def answer(live: LiveApp, user: str, *texts: str) -> None:
    async def typed(app: App) -> None:
        for text in texts:
            await app.service.handle(Inbound("telegram", user, user, Event(EventKind.TEXT, text)))

    live.run(typed)


def test_an_interaction_invites_the_contact_after_the_delay(
    live: LiveApp, http: httpx.Client, chat: RecordingChannel
) -> None:
    before = utc_now()
    response = http.post("/interactions", json={"contact": "C-001", "touchpoint": "support-call"})
    assert response.status_code == 202
    body = response.json()
    assert body["scheduled"] is True and body["survey"] == "csat"
    invitation = eventually(lambda: invitations_to(chat, "8001"), "the invitation")[0]
    assert invitation.at >= before.isoformat()
    assert invitations_to(chat, "8002") == []

    again = http.post("/interactions", json={"contact": "C-001", "touchpoint": "delivery"})
    assert again.status_code == 200
    assert again.json()["scheduled"] is False
    assert again.json()["skipped_because"] == "contact-frequency"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contact": "C-404", "touchpoint": "support"}, "contact"),
        ({"contact": "C-001", "touchpoint": "support", "survey": "mto"}, "survey"),
        ({"contact": "C-001", "touchpoint": "   "}, "touchpoint"),
        ({"contact": "C-001"}, "touchpoint"),
    ],
)
def test_a_refused_interaction_names_the_field(
    http: httpx.Client, body: dict[str, str], field: str
) -> None:
    response = http.post("/interactions", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_an_interaction_needs_a_write_token(live: LiveApp, http: httpx.Client) -> None:
    response = http.post(
        "/interactions",
        json={"contact": "C-001", "touchpoint": "support"},
        headers=live.auth("read"),
    )
    assert response.status_code == 403


def test_start_follow_close_a_wave(
    live: LiveApp, http: httpx.Client, chat: RecordingChannel
) -> None:
    started = http.post("/waves", json={"survey": "cvs", "filters": {"segment": "retail"}})
    assert started.status_code == 201
    wave = started.json()["wave"]
    assert wave["progress"]["invited"] == 2
    short = wave["id"][:8]

    def delivered() -> dict[str, Any] | None:
        shown: dict[str, Any] = http.get(f"/waves/{short}").json()["wave"]
        return shown if shown["progress"]["delivered"] == 2 else None

    assert eventually(delivered, "both invitations")["closed_at"] is None
    assert len(invitations_to(chat, "8001")) == len(invitations_to(chat, "8002")) == 1
    assert invitations_to(chat, "8003") == []
    assert [w["id"] for w in http.get("/waves").json()["waves"]] == [wave["id"]]

    closed = http.post(f"/waves/{short}/close")
    assert closed.status_code == 200
    assert closed.json()["wave"]["closed_at"] is not None
    assert http.post(f"/waves/{short}/close").status_code == 409

    too_few = http.post(f"/waves/{short}/publish")
    assert too_few.status_code == 422
    assert too_few.json()["error"]["field"] == "wave"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"survey": "nope"}, "survey"),
        ({"survey": "cvs", "filters": {"segment": "nobody"}}, "filters"),
        ({"survey": "cvs", "filters": {"Bad Key": "x"}}, "filters"),
        ({"survey": "cvs", "closes": "2001-01-01"}, "closes"),
        ({"survey": "cvs", "closes": "someday"}, "closes"),
    ],
)
def test_a_refused_wave_names_the_field(
    http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = http.post("/waves", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert http.get("/waves").json() == {"waves": []}


def test_an_unknown_wave_is_404(http: httpx.Client) -> None:
    assert http.get("/waves/ffffffff").status_code == 404
    assert http.post("/waves/ffffffff/close").json()["error"]["field"] == "wave"


def test_a_named_detractor_becomes_a_flag_to_follow_up(
    live: LiveApp, http: httpx.Client, chat: RecordingChannel
) -> None:
    wave = http.post("/waves", json={"survey": "cvs", "filters": {"segment": "retail"}}).json()
    eventually(lambda: invitations_to(chat, "8001"), "the invitation")
    before = scrape(live)
    answer(live, "8001", "named", "3", "2", "1", "Deliveries are late")
    after = scrape(live)
    assert after["klantstem_updates_handled_total"] - before["klantstem_updates_handled_total"] == 5
    assert after["klantstem_answers_stored_total"] - before["klantstem_answers_stored_total"] == 1

    def forwarded() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = http.get("/flags").json()["flags"]
        return found if found and found[0]["status"] == "forwarded" else []

    flags = eventually(forwarded, "the flag, forwarded to the contact person")
    assert [(f["contact"], f["kind"], f["owner"]) for f in flags] == [
        ("C-001", "detractor", "anna")
    ]
    ref = flags[0]["ref"]
    assert http.get("/flags", params={"status": "overdue"}).json() == {"flags": []}

    noted = http.patch(f"/flags/{ref}", json={"action": "note", "note": "Called, no answer"})
    assert noted.status_code == 200
    refused = http.patch(f"/flags/{ref}", json={"action": "close"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "note"

    taken = http.patch(f"/flags/{ref}", json={"action": "take", "staff": "anna"})
    assert taken.status_code == 409
    assert "owner" in taken.json()["error"]["message"]
    closed = http.patch(f"/flags/{ref}", json={"action": "close", "note": "Credit note sent"})
    flag = closed.json()["flag"]
    assert (flag["status"], flag["outcome"]) == ("closed", "Credit note sent")
    assert [(e["actor"], e["action"]) for e in flag["history"]][-3:] == [
        ("klantstem", "forwarded"),
        ("api:test-write", "note"),
        ("api:test-write", "closed"),
    ]
    again = http.patch(f"/flags/{ref}", json={"action": "close", "note": "twice"})
    assert again.status_code == 409
    assert http.get("/flags").json() == {"flags": []}
    assert len(http.get("/flags", params={"status": "all"}).json()["flags"]) == 1
    assert http.get(f"/waves/{wave['wave']['id']}").json()["wave"]["progress"]["completed"] == 1


def test_flags_need_the_right_reference_and_scope(live: LiveApp, http: httpx.Client) -> None:
    assert http.get("/flags/abc").status_code == 404
    assert http.get("/flags/abcdef12").json()["error"]["field"] == "flag"
    response = http.patch(
        "/flags/abcdef12", json={"action": "note", "note": "x"}, headers=live.auth("read")
    )
    assert response.status_code == 403


def test_publishing_a_wave_queues_its_results_for_its_people(
    live: LiveApp, http: httpx.Client
) -> None:
    wave = http.post("/waves", json={"survey": "cvs", "filters": {"segment": "retail"}}).json()
    wave_id = wave["wave"]["id"]

    async def five_answers(app: App) -> None:
        async with app.storage.transaction() as tx:
            for _ in range(5):
                await tx.store_response(
                    NewResponse("cvs", 1, wave_id, True, None, None, "en", {}, utc_now(), ())
                )

    live.run(five_answers)
    published = http.post(f"/waves/{wave_id[:8]}/publish")
    assert published.status_code == 200
    # two invited contacts and the staff member; no chat platform runs in this test
    assert published.json() == {"queued": 0, "unreachable": 3, "skipped": 0, "pending": 0}
