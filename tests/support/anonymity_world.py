"""A contact answering a CVS survey through the service, and what the files then hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.conversations.service import Inbound, Service
from bot.storage import Storage
from flows import Event, EventKind

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
