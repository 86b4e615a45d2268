"""Every request error of the API, through a real uvicorn: 401, 403, 413, 415, 422, 404,
each a JSON body with a stable code and a message naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.api.tokens import create_token, revoke_token
from bot.timeutil import utc_now
from tests.support.api_server import LiveApp, live_config, serve

CONTACT = {"ref": "C-1", "name": "Ada"}


@pytest.fixture
def live(db_url: str) -> Iterator[LiveApp]:
    with serve(live_config(db_url, {"KLANTSTEM_API_MAX_BODY_BYTES": "2048"})) as running:
        yield running


@pytest.fixture
def http(live: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def error(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, dict[str, str]] = response.json()
    return body["error"]


def test_no_token_is_401_with_a_bearer_challenge(http: httpx.Client) -> None:
    response = http.get("/api/v1/contacts")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert error(response) == {
        "code": "unauthorized",
        "message": "Authorization header with a bearer token is required",
        "field": "Authorization",
    }


def test_a_wrong_token_is_401(http: httpx.Client) -> None:
    response = http.get("/api/v1/contacts", headers={"Authorization": "Bearer ks_guessed"})
    assert response.status_code == 401
    assert error(response)["code"] == "unauthorized"


def test_a_revoked_token_stops_working(live: LiveApp, http: httpx.Client) -> None:
    made = live.run(lambda app: create_token(app.storage, "crm", "read", utc_now()))
    headers = {"Authorization": f"Bearer {made.secret}"}
    assert http.get("/api/v1/contacts", headers=headers).status_code == 200
    assert live.run(lambda app: revoke_token(app.storage, made.id, utc_now()))
    assert http.get("/api/v1/contacts", headers=headers).status_code == 401


def test_a_read_token_cannot_write(live: LiveApp, http: httpx.Client) -> None:
    response = http.post("/api/v1/contacts", json=CONTACT, headers=live.auth("read"))
    assert response.status_code == 403
    found = error(response)
    assert found["code"] == "forbidden"
    assert "'read'" in found["message"] and "'write'" in found["message"]
    assert http.get("/api/v1/contacts/C-1", headers=live.auth("read")).status_code == 404


def test_an_oversized_body_is_413_and_changes_nothing(live: LiveApp, http: httpx.Client) -> None:
    big = {**CONTACT, "attributes": {"note": "x" * 400}}
    payload = {"contacts": [{**big, "ref": f"C-{i}"} for i in range(10)]}
    response = http.post("/api/v1/contacts/import", json=payload, headers=live.auth())
    assert response.status_code == 413
    assert error(response)["code"] == "body_too_large"
    assert "2048 bytes" in error(response)["message"]
    listed = http.get("/api/v1/contacts", headers=live.auth("read")).json()
    assert listed == {"contacts": []}


def test_a_streamed_oversized_body_is_413(live: LiveApp, http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    response = http.post(
        "/api/v1/contacts/import",
        content=chunks(),
        headers={**live.auth(), "Content-Type": "text/csv"},
    )
    assert response.status_code == 413


def test_malformed_json_is_422_naming_the_body(live: LiveApp, http: httpx.Client) -> None:
    response = http.post(
        "/api/v1/contacts",
        content=b'{"ref": "C-1",',
        headers={**live.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert error(response)["code"] == "malformed_json"
    assert error(response)["field"] == "body"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "Ada"}, "ref", "ref is required"),
        ({"ref": "C-1", "name": 5}, "name", "name must be a string"),
        ({**CONTACT, "phone": "1"}, "phone", "phone is not a known field"),
        ({**CONTACT, "attributes": {"segment": 3}}, "attributes.segment", "must be a string"),
        ([CONTACT], "body", "body must be an object"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    live: LiveApp, http: httpx.Client, body: object, field: str, message: str
) -> None:
    response = http.post("/api/v1/contacts", json=body, headers=live.auth())
    assert response.status_code == 422
    found = error(response)
    assert found["code"] == "invalid_field"
    assert found["field"] == field
    assert message in found["message"]


def test_an_unknown_media_type_is_415(live: LiveApp, http: httpx.Client) -> None:
    response = http.post(
        "/api/v1/contacts",
        content=b"ref=C-1",
        headers={**live.auth(), "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert error(response)["field"] == "Content-Type"


def test_unknown_paths_and_methods_answer_in_json(live: LiveApp, http: httpx.Client) -> None:
    missing = http.get("/api/v1/nothing-here", headers=live.auth())
    assert missing.status_code == 404
    assert error(missing)["code"] == "not_found"
    wrong = http.delete("/api/v1/contacts", headers=live.auth())
    assert wrong.status_code == 405
    assert error(wrong)["code"] == "method_not_allowed"


def test_a_lone_surrogate_is_refused_not_stored(live: LiveApp, http: httpx.Client) -> None:
    response = http.post(
        "/api/v1/contacts",
        content=b'{"ref": "C-1", "name": "\\ud800"}',
        headers={**live.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert error(response)["code"] == "malformed_json"


@pytest.mark.parametrize("limit", ["--5", "x", "0"])
def test_a_bad_query_parameter_is_422(live: LiveApp, http: httpx.Client, limit: str) -> None:
    response = http.get("/api/v1/waves", params={"limit": limit}, headers=live.auth("read"))
    assert response.status_code == 422
    assert error(response)["field"] == "limit"
