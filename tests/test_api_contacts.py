"""Contacts over the API through a real uvicorn: create, replace, read, list, and bulk
import of the CLI's CSV or of JSON: all or nothing, and idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api_server import LiveApp, live_config, serve
from tests.support.cli import main as cli

CSV = (
    "ref;name;email;language;telegram;segment\n"
    "C-1;Ada Lovelace;ada@example.org;en;1001;retail\n"
    "C-2;Bram Stoker;;nl;;wholesale\n"
)


@pytest.fixture
def live(db_url: str) -> Iterator[LiveApp]:
    with serve(live_config(db_url)) as running:
        yield running


@pytest.fixture
def http(live: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30, headers=live.auth()) as client:
        yield client


def import_csv(http: httpx.Client, text: str) -> httpx.Response:
    return http.post(
        "/api/v1/contacts/import",
        content=text.encode(),
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )


def test_create_read_and_replace_a_contact(http: httpx.Client) -> None:
    created = http.post(
        "/api/v1/contacts",
        json={"ref": "C-9", "name": "Cor", "language": "nl", "attributes": {"Region": "north"}},
    )
    assert created.status_code == 201
    assert created.json()["change"] == "added"
    assert created.json()["contact"]["attributes"] == {"region": "north"}

    again = http.post("/api/v1/contacts", json={"ref": "C-9", "name": "Cor"})
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "ref"

    replaced = http.put("/api/v1/contacts/C-9", json={"name": "Cor de Vries", "email": "c@x.nl"})
    assert replaced.status_code == 200
    assert replaced.json()["change"] == "updated"
    shown = http.get("/api/v1/contacts/C-9").json()["contact"]
    assert shown["name"] == "Cor de Vries"
    assert shown["email"] == "c@x.nl"
    assert shown["language"] is None  # PUT replaces: left out is cleared
    assert shown["attributes"] == {}

    unchanged = http.put("/api/v1/contacts/C-9", json={"name": "Cor de Vries", "email": "c@x.nl"})
    assert unchanged.json()["change"] == "unchanged"


def test_put_creates_and_refuses_a_different_ref(http: httpx.Client) -> None:
    made = http.put("/api/v1/contacts/C-5", json={"ref": "C-5", "name": "Eva"})
    assert made.status_code == 201
    clash = http.put("/api/v1/contacts/C-5", json={"ref": "C-6", "name": "Eva"})
    assert clash.status_code == 422
    assert clash.json()["error"]["field"] == "ref"


def test_the_import_checks_name_the_field_of_a_single_contact(http: httpx.Client) -> None:
    response = http.post("/api/v1/contacts", json={"ref": "C-1", "name": "A", "email": "nope"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "rejected"
    assert body["field"] == "body"
    assert body["problems"] == [{"field": "body", "reason": "email 'nope' is not an email address"}]
    assert http.get("/api/v1/contacts").json() == {"contacts": []}


def test_csv_import_is_idempotent(http: httpx.Client) -> None:
    first = import_csv(http, CSV)
    assert first.status_code == 200
    assert first.json() == {"added": 2, "updated": 0, "unchanged": 0}
    second = import_csv(http, CSV)
    assert second.json() == {"added": 0, "updated": 0, "unchanged": 2}
    listed = http.get("/api/v1/contacts").json()["contacts"]
    assert [(c["ref"], c["telegram"], c["attributes"]) for c in listed] == [
        ("C-1", "1001", {"segment": "retail"}),
        ("C-2", None, {"segment": "wholesale"}),
    ]


def test_json_import_is_idempotent_and_matches_the_csv(http: httpx.Client) -> None:
    contacts = [
        {"ref": "C-1", "name": "Ada Lovelace", "email": "ada@example.org", "language": "en",
         "telegram": "1001", "attributes": {"segment": "retail"}},
        {"ref": "C-2", "name": "Bram Stoker", "language": "nl",
         "attributes": {"segment": "wholesale"}},
    ]  # fmt: skip
    first = http.post("/api/v1/contacts/import", json={"contacts": contacts})
    assert first.json() == {"added": 2, "updated": 0, "unchanged": 0}
    assert import_csv(http, CSV).json() == {"added": 0, "updated": 0, "unchanged": 2}
    again = http.post("/api/v1/contacts/import", json={"contacts": contacts})
    assert again.json() == {"added": 0, "updated": 0, "unchanged": 2}


def test_a_bad_csv_row_rejects_the_whole_file_with_line_numbers(http: httpx.Client) -> None:
    bad = CSV + "C-3;;x@y.nl;en;;retail\nC-1;Dup;;en;;retail\n"
    response = import_csv(http, bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "rejected"
    assert [p["line"] for p in error["problems"]] == [4, 5]
    assert "name is required" in error["problems"][0]["reason"]
    assert "already used on line 2" in error["problems"][1]["reason"]
    assert error["message"].startswith("nothing was imported; line 4:")
    assert http.get("/api/v1/contacts").json() == {"contacts": []}


def test_a_bad_json_item_is_named_by_its_index(http: httpx.Client) -> None:
    contacts = [
        {"ref": "C-1", "name": "Ada"},
        {"ref": "C-2", "name": "Bram", "contact_person": "nobody"},
    ]
    response = http.post("/api/v1/contacts/import", json={"contacts": contacts})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "contacts[1]"
    assert "not a staff member" in error["problems"][0]["reason"]
    assert http.get("/api/v1/contacts").json() == {"contacts": []}


def test_the_api_and_the_cli_import_the_same_file_the_same_way(
    http: httpx.Client, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_csv(http, CSV).json()["added"] == 2
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    assert cli(["contacts", "import", str(path), "--db", db_url]) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out
