"""A named answer keeps its link and its time; the helpers here drive the CVS for the
privacy tests. The insider's attacks on anonymous answers: tests/test_anonymity_insider.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config.settings import Config
from bot.conversations.service import Inbound, Service
from bot.people.contacts import import_contacts, parse_contacts
from bot.storage import Storage, sqlite_path
from flows import Event, EventKind, builtin_surveys
from tests.conftest import Clock

CONTACTS = b"ref,name,email,telegram,segment\nC-0042,Anna Jansen,anna@example.nl,987654321,retail\n"


async def take_cvs(
    service: Service, consent: str, scores: list[str], batch: str = "u", user: str = "987654321"
) -> str | None:
    """One CVS through the service; the response id of a named answer (None: anonymous,
    held until its batch is released)."""
    await service.begin("telegram", user, user, "cvs", language="en")
    handled = None
    for i, text in enumerate([consent, *scores]):
        handled = await service.handle(
            Inbound("telegram", user, user, Event(EventKind.TEXT, text), update_id=f"{batch}{i}")
        )
    assert handled is not None and handled.completion is not None
    return handled.completion.response_id


def all_rows(db_file: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db_file) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


async def person_values(storage: Storage) -> set[str]:
    async with storage.transaction(write=False) as tx:
        identity = await tx.identity("telegram", "987654321")
        (contact,) = await tx.contacts()
    assert identity is not None and contact.id is not None
    return {identity.id, "987654321", contact.id, "C-0042", "Anna Jansen", "anna@example.nl"}


async def test_named_response_keeps_the_link_and_the_time(
    storage: Storage, config: Config, clock: Clock
) -> None:
    async with storage.transaction() as tx:
        await import_contacts(tx, parse_contacts(CONTACTS), clock())
    service = Service(storage, builtin_surveys(), config, clock=clock)
    clock.advance(hours=5, minutes=17)
    response_id = await take_cvs(service, "named", ["3", "4", "2", "Slow delivery"])
    db_file = sqlite_path(storage.url)
    assert db_file is not None
    (response,) = [r for r in all_rows(db_file)["responses"] if r[0] == response_id]
    person = await person_values(storage)
    assert person & set(map(str, response)), "a named response points to its contact"
    assert response[-1] == "2026-11-02T14:17:00Z"
