"""Property tests through the real channel adapters (in-process, against the fakes): a typed
Telegram answer of any text, emoji or length, and a Slack Block Kit action value of any
bytes, never crash the bot; input that is not a valid answer stores nothing."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import Config
from bot.conversations.service import Service
from tests.conftest import Clock
from tests.support.slack_harness import CUSTOMER as SLACK_USER
from tests.support.slack_harness import CUSTOMER_DM, button
from tests.support.slack_harness import running as slack_running
from tests.support.telegram_harness import CUSTOMER, running

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SCALE = set(range(11))
_EXAMPLES = itertools.count()


def fresh_db(tmp_path: Path) -> str:
    """A new SQLite file for each example, so no example sees another's conversation."""
    return f"sqlite:///{tmp_path / f'fuzz{next(_EXAMPLES)}.db'}"


async def progress(service: Service, channel: str, user: str) -> tuple[int, dict[str, object]]:
    """The open conversation's revision and answers."""
    stored = await service.open_session(channel, user)
    assert stored is not None
    return stored.session.revision, dict(stored.session.answers)


@FUZZ
@given(text=st.text(min_size=1, max_size=4096))
async def test_any_typed_telegram_answer_is_stored_in_range_or_re_asked(
    config: Config, clock: Clock, tmp_path: Path, text: str
) -> None:
    config = dataclasses.replace(config, database_url=fresh_db(tmp_path))
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-001')}")
        await tg.tap(CUSTOMER, "Anonymous")
        before = await progress(tg.app.service, "telegram", str(CUSTOMER))
        sent = len(tg.api.calls)

        await tg.say(CUSTOMER, text)

        assert len(tg.api.calls) > sent, "every message gets an answer"
        stored = await tg.app.service.open_session("telegram", str(CUSTOMER))
        if stored is None:  # /stop or another command that ended the survey
            return
        revision, answers = stored.session.revision, dict(stored.session.answers)
        if "satisfaction" in answers:
            assert answers["satisfaction"] in SCALE
        else:
            assert (revision, answers) == before, "invalid input changed nothing"


@FUZZ
@given(raw=st.binary(max_size=2000))
async def test_any_slack_action_value_is_refused_and_changes_nothing(
    tmp_path: Path, raw: bytes
) -> None:
    async with slack_running(fresh_db(tmp_path)) as bot:
        await bot.app.service.begin("slack", SLACK_USER, SLACK_USER, "cvs", language="en")
        await bot.press("Anonymous")
        await bot.settled()
        before = await progress(bot.app.service, "slack", SLACK_USER)
        question = bot.last_post()
        forged = {**button(question, "8"), "value": raw.decode("utf-8", errors="replace")}

        status = await bot.slack.press(SLACK_USER, CUSTOMER_DM, question, forged)
        await bot.settled()

        assert status.status == 200
        assert await progress(bot.app.service, "slack", SLACK_USER) == before
