"""`Idempotency-Key` on the API's state-changing calls, through a real uvicorn: a retried
request acts once and gets the first answer again; the key cannot be reused for another
request, and it belongs to the token that used it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from bot.api.idempotency import KEEP
from bot.api.tokens import create_token, hash_token
from bot.app import App, build_app
from bot.config.settings import Config
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.timeutil import to_text, utc_now
from tests.support.api_server import LiveApp, live_config, serve

CONTACTS = "ref,name,telegram,segment\nC-001,Ann Smit,8001,retail\nC-002,Bob Jones,8002,retail\n"
BODY = b'{"survey": "cvs"}'
KEY = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"


@pytest.fixture
def live(db_url: str) -> Iterator[LiveApp]:
    with serve(live_config(db_url, {"KLANTSTEM_QUIET_HOURS": "off"})) as running:
        yield running


@pytest.fixture
def http(live: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/api/v1", timeout=30, headers=live.auth()) as client:
        response = client.post(
            "/contacts/import", content=CONTACTS, headers={"Content-Type": "text/csv"}
        )
        assert response.json()["added"] == 2
        yield client


def keyed(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def wave_ids(http: httpx.Client) -> list[str]:
    return [w["id"] for w in http.get("/waves").json()["waves"]]


def test_a_retried_wave_start_makes_one_wave_and_answers_the_same_twice(
    http: httpx.Client,
) -> None:
    body = {"survey": "cvs", "filters": {"segment": "retail"}}
    first = http.post("/waves", json=body, headers=keyed())
    again = http.post("/waves", json=body, headers=keyed())
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert wave_ids(http) == [first.json()["wave"]["id"]]


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    http: httpx.Client,
) -> None:
    first = http.post("/waves", json={"survey": "cvs"}, headers=keyed())
    assert first.status_code == 201
    other = http.post("/waves", json={"survey": "nps"}, headers=keyed())
    assert other.status_code == 422
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["field"] == "Idempotency-Key"
    assert "another request" in error["message"]
    assert wave_ids(http) == [first.json()["wave"]["id"]]
    # nor on another path or with another method
    assert http.post("/interactions", json={"survey": "cvs"}, headers=keyed()).status_code == 422
    assert http.put("/contacts/C-001", json={"name": "X"}, headers=keyed()).status_code == 422
    assert http.get("/contacts/C-001").json()["contact"]["name"] == "Ann Smit"


def test_without_a_key_a_repeated_start_makes_two_waves(http: httpx.Client) -> None:
    body = {"survey": "cvs"}
    assert http.post("/waves", json=body).status_code == 201
    assert http.post("/waves", json=body).status_code == 201
    assert len(wave_ids(http)) == 2


def test_keys_belong_to_their_token(live: LiveApp, http: httpx.Client) -> None:
    other = live.run(lambda app: create_token(app.storage, "crm", "write", utc_now()))
    body = {"survey": "cvs"}
    assert http.post("/waves", json=body, headers=keyed()).status_code == 201
    by_other = http.post(
        "/waves", json=body, headers={**keyed(), "Authorization": f"Bearer {other.secret}"}
    )
    assert by_other.status_code == 201
    assert len(wave_ids(http)) == 2


def test_a_request_still_in_progress_with_the_key_gets_409(
    live: LiveApp, http: httpx.Client
) -> None:
    async def in_progress(app: App) -> None:
        async with app.storage.transaction() as tx:
            token = await tx.api_token_by_hash(hash_token(live.write_token))
            assert token is not None
            # what a first request with this key holds until its answer is stored
            now = utc_now()
            fingerprint = hashlib.sha256(b"POST /api/v1/waves?\n" + BODY).hexdigest()
            assert await tx.claim_idempotency_key(token.id, KEY, fingerprint, now, now - KEEP)

    live.run(in_progress)
    json = {"Content-Type": "application/json"}
    response = http.post("/waves", content=BODY, headers={**keyed(), **json})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "in_progress"
    assert wave_ids(http) == []


def test_a_refusal_is_answered_again_and_other_state_changing_calls_replay_too(
    http: httpx.Client,
) -> None:
    refused = http.post("/waves", json={"survey": "nope"}, headers=keyed("a"))
    again = http.post("/waves", json={"survey": "nope"}, headers=keyed("a"))
    assert refused.status_code == again.status_code == 422
    assert again.content == refused.content

    interaction = {"contact": "C-001", "touchpoint": "support"}
    first = http.post("/interactions", json=interaction, headers=keyed("b"))
    assert first.status_code == 202
    replay = http.post("/interactions", json=interaction, headers=keyed("b"))
    assert (replay.status_code, replay.content) == (202, first.content)
    assert http.post("/interactions", json=interaction).json()["scheduled"] is False

    wave = http.post("/waves", json={"survey": "cvs"}).json()["wave"]["id"]
    closed = http.post(f"/waves/{wave}/close", headers=keyed("c"))
    assert closed.status_code == 200
    assert http.post(f"/waves/{wave}/close", headers=keyed("c")).content == closed.content
    assert http.post(f"/waves/{wave}/close").status_code == 409


def test_an_expired_key_acts_again(live: LiveApp, http: httpx.Client) -> None:
    body = {"survey": "cvs"}
    assert http.post("/waves", json=body, headers=keyed()).status_code == 201

    async def age(app: App) -> None:
        old = utc_now() - timedelta(hours=25)
        async with app.storage.transaction() as tx:
            await tx.conn.execute("UPDATE idempotency_keys SET created_at = ?", (to_text(old),))

    live.run(age)
    assert http.post("/waves", json=body, headers=keyed()).status_code == 201
    assert len(wave_ids(http)) == 2


@pytest.mark.parametrize("key", ["", "a b", "x" * 256, "é"])
def test_a_bad_key_is_refused_and_changes_nothing(http: httpx.Client, key: str) -> None:
    response = http.post(
        "/waves", json={"survey": "cvs"}, headers={"Idempotency-Key": key.encode("utf-8")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert wave_ids(http) == []


def test_the_openapi_document_offers_the_header_on_every_state_changing_call(
    live: LiveApp,
) -> None:
    spec = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = (
                {p["name"] for p in operation["parameters"]} if "parameters" in operation else set()
            )
            assert ("Idempotency-Key" in names) == (method != "get"), (method, path)


async def test_the_sweep_deletes_the_records_of_requests_older_than_a_day(db_url: str) -> None:
    config = Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url})
    app = await build_app(config, factories=[scheduler_component])
    try:
        token = await create_token(app.storage, "crm", "write", utc_now())
        now = utc_now()
        async with app.storage.transaction() as tx:
            old = now - KEEP - timedelta(minutes=1)
            assert await tx.claim_idempotency_key(token.id, "old", "h", old, old - KEEP)
            assert await tx.claim_idempotency_key(token.id, "new", "h", now, now - KEEP)
        (scheduler,) = [c for c in app.components if isinstance(c, Scheduler)]
        await scheduler.sweep()
        async with app.storage.transaction(write=False) as tx:
            assert await tx.idempotency_record(token.id, "old") is None
            assert await tx.idempotency_record(token.id, "new") is not None
    finally:
        await app.storage.close()
