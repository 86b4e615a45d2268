"""What the logs keep of a person: nothing that ties them to an anonymous answer.

An insider with every log line at every level must not learn who answered anonymously, when,
or what: the bot's own log lines name no respondent during a conversation, and the libraries
that log SQL values, request bodies and updates at DEBUG stay at WARNING whatever
KLANTSTEM_LOG_LEVEL says (bot/logs.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.cli import main as cli
from bot.config.settings import Config
from tests.conftest import Clock
from tests.support.slack_harness import running as slack_running
from tests.support.telegram_harness import running as telegram_running

LIBRARIES = (
    "aiosqlite",
    "asyncpg",
    "telegram",
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "apscheduler",
)
SLACK_PEOPLE = [f"U0ANON{n:04d}" for n in range(1, 6)]
TELEGRAM_PEOPLE = [7730001 + n for n in range(5)]
QUESTIONS = ("satisfaction", "loyalty", "recommendation", "improve")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture, db_url: str) -> Iterator[pytest.LogCaptureFixture]:
    """The CLI's logging setup with KLANTSTEM_LOG_LEVEL=DEBUG, then every record captured
    from the root at DEBUG; the levels it set are put back afterwards."""
    names = ["", "bot", "klantstem", *LIBRARIES]
    before = {name: logging.getLogger(name).level for name in names}
    env = {"KLANTSTEM_LOG_LEVEL": "DEBUG", "KLANTSTEM_LANGUAGE": "en"}
    assert cli.main(["stats", "--db", db_url], environ=env) == 0
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def _leaks(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    """Every log record (with its traceback) that contains one of `secrets`."""
    formatter = logging.Formatter("%(name)s %(message)s")
    found = []
    for record in caplog.records:
        text = formatter.format(record)
        found += [f"{secret!r} in {text[:300]}" for secret in secrets if secret in text]
    return found


def test_the_cli_keeps_the_libraries_at_warning_and_its_own_loggers_at_the_setting(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    assert logging.getLogger("bot.conversations.service").isEnabledFor(logging.DEBUG)
    for name in LIBRARIES:
        assert not logging.getLogger(f"{name}.any").isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name


async def test_anonymous_slack_conversations_logged_at_debug_name_no_one_and_no_answer(
    db_url: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with slack_running(db_url) as bot:
        for user in SLACK_PEOPLE:
            dm = "D" + user[1:]
            await bot.app.service.begin("slack", user, user, "cvs")
            for label in ("Anonymous", "8", "9", "5", "Answer"):
                assert await bot.press(label, user=user, channel=dm) == 200
                await bot.settled()
            view = bot.api.answers("views.open")[-1]["view"]
            assert (await bot.slack.submit_view(user, view, f"Zebra remark {user}")).status == 200
            await bot.settled()
            assert await bot.app.service.open_session("slack", user) is None
    assert any(r.name.startswith("bot") for r in debug_logs.records)  # the capture works
    secrets = [*SLACK_PEOPLE, *("D" + u[1:] for u in SLACK_PEOPLE), "Zebra remark", *QUESTIONS]
    assert _leaks(debug_logs, secrets) == []


async def test_anonymous_telegram_conversations_logged_at_debug_name_no_one_and_no_answer(
    config: Config, clock: Clock, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with telegram_running(config, clock, telegram_open_enrolment=True) as tg:
        for user in TELEGRAM_PEOPLE:
            await tg.say(user, "/start")
            for label in ("Anonymous", "3", "4", "5"):
                await tg.tap(user, label)
            await tg.say(user, f"Zebra remark {user}")
            assert await tg.app.service.open_session("telegram", str(user)) is None
    secrets = [*(str(u) for u in TELEGRAM_PEOPLE), "Zebra remark", *QUESTIONS, "Your answer"]
    assert _leaks(debug_logs, secrets) == []
