"""`klantstem slack link`: people imported with an email are linked to their Slack user."""

from __future__ import annotations

import asyncio
import os
import sys

from bot.storage import Storage
from bot.storage.records import Contact, StaffMember
from bot.timeutil import utc_now
from tests.fakes.slack_api import TOKEN, serve
from tests.support.slack_harness import USERS


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env={"PATH": os.defpath, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_link_finds_people_by_email_and_stores_their_language(
    storage: Storage, db_url: str
) -> None:
    async with storage.transaction() as tx:
        now = utc_now()
        await tx.upsert_staff(StaffMember("coord", "Coordinator", email="admin@example.com"), now)
        await tx.upsert_contact(Contact("anna", "Anna", email="Anna@Example.com"), now)
        await tx.upsert_contact(Contact("bo", "Bo", email="bo@elsewhere.example"), now)
        await tx.upsert_contact(Contact("piet", "Piet", slack="U0OTHER001"), now)
    async with serve(USERS) as api:
        env = {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": api.url,
        }
        code, out, err = await _cli("slack", "link", env=env)
        assert code == 0, err
        assert "Linked 2, not found in Slack 1, languages stored 3." in out

        again = await _cli("slack", "link", env=env)
        assert again[0] == 0
        assert "Linked 0, not found in Slack 1" in again[1]

    async with storage.transaction(write=False) as tx:
        contacts = {c.ref: c.slack for c in await tx.contacts()}
        staff = {m.ref: m.slack for m in await tx.staff()}
        anna = await tx.identity("slack", "U0CUSTOMER")
    assert contacts == {"anna": "U0CUSTOMER", "bo": None, "piet": "U0OTHER001"}
    assert staff == {"coord": "U0ADMIN001"}
    assert anna is not None and anna.language == "nl"


async def test_link_without_a_token_says_which_variable_to_set(db_url: str) -> None:
    code, _out, err = await _cli(
        "slack", "link", env={"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url}
    )
    assert code == 2
    assert "SLACK_BOT_TOKEN" in err
