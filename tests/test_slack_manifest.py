"""The app manifest asks for exactly the scopes the bot uses: no install fails, no excess."""

from __future__ import annotations

import re
from pathlib import Path

from bot.channels.slack.channel import SCOPES
from bot.delivery import Notice
from tests.support.slack_harness import CUSTOMER, CUSTOMER_DM, running

MANIFEST = Path(__file__).resolve().parent.parent / "docs" / "slack-manifest.yml"


def _bot_scopes() -> set[str]:
    text = MANIFEST.read_text(encoding="utf-8")
    block = text.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    return set(re.findall(r"^\s+- ([a-z:.]+)$", block, flags=re.M))


def test_manifest_scopes_are_exactly_those_the_bot_needs() -> None:
    needed = {s for s in SCOPES.values() if s} | {"commands", "im:history"}
    assert _bot_scopes() == needed


async def test_every_method_the_bot_calls_is_covered_by_a_scope(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        await bot.press("Named")
        await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "8")
        await bot.settled()
        await bot.channel.notify("C0STAFF001", Notice("chart", image=b"png"))
        called = {c.method for c in bot.api.calls}
    assert called <= set(SCOPES)
    assert {"chat.postMessage", "chat.update", "users.info", "conversations.open"} <= called
