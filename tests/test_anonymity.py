"""A named answer keeps its link and its time; the helpers here drive the CVS for the
privacy tests. The insider's attacks on anonymous answers: tests/test_anonymity_insider.py."""

from __future__ import annotations

from bot.config.settings import Config
from bot.conversations.service import Service
from bot.people.contacts import import_contacts, parse_contacts
from bot.storage import Storage, sqlite_path
from flows import builtin_surveys
from tests.conftest import Clock
from tests.support.anonymity_world import CONTACTS, all_rows, person_values, take_cvs


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
