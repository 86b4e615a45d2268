"""A button acts only in its own conversation, once, and a Slack press is stored before
Slack is told it arrived; on both platforms and both database backends.

- A button of a finished conversation (the consent of a CVS survey) pressed in a later
  one (a KTO survey, which starts at the same revision with the same consent question)
  is refused with a toast and changes nothing.
- Two taps on the same Back button, at once, go back one question; the second is refused.
- A Slack press whose storing fails is not acknowledged as a success; Slack's retry of it
  is stored once and the person gets the next question once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.config.settings import Config
from bot.storage import Transaction
from tests.conftest import Clock
from tests.fakes.telegram_api import buttons as tg_buttons
from tests.support.slack_harness import CUSTOMER as SLACK_USER
from tests.support.slack_harness import CUSTOMER_DM, button, texts
from tests.support.slack_harness import running as slack_running
from tests.support.telegram_harness import CUSTOMER as TG_USER
from tests.support.telegram_harness import running as telegram_running

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

REFUSAL = "That button is no longer active. Please answer the latest question."
TG_CHAT = str(TG_USER)


def telegram_config(url: str) -> Config:
    return Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": url})


async def conversation(service: Any, channel: str, user: str) -> tuple[object, ...]:
    """What a press could change: survey, revision, answers, consent, question asked."""
    stored = await service.open_session(channel, user)
    assert stored is not None
    s = stored.session
    return (stored.survey_id, s.revision, dict(s.answers), s.anonymous, s.path)


# -- a button acts only in its own conversation -----------------------------------------


async def test_telegram_an_old_surveys_consent_button_is_refused_in_a_new_survey(
    backend_url: str, clock: Clock
) -> None:
    async with telegram_running(telegram_config(backend_url), clock) as tg:
        service = tg.app.service
        await service.begin("telegram", TG_CHAT, TG_CHAT, "cvs", language="en")
        old = dict(tg.with_button(TG_USER, "Anonymous"))
        old_anonymous = tg_buttons(old)["Anonymous"]
        for label in ("Named", "8", "9", "10"):
            await tg.tap(TG_USER, label)
        assert tg.texts(TG_USER)[-1] == "Thank you! Your answers have been saved."
        await service.begin("telegram", TG_CHAT, TG_CHAT, "kto", language="en")
        before = await conversation(service, "telegram", TG_CHAT)
        assert before[1:] == (0, {}, None, ("_consent",))
        sent = len(tg.api.sent("sendMessage", TG_CHAT))

        await tg.feed(tg.updates.press(TG_USER, old, old_anonymous))

        assert tg.api.toasts()[-1] == REFUSAL
        assert await conversation(service, "telegram", TG_CHAT) == before
        assert len(tg.api.sent("sendMessage", TG_CHAT)) == sent
        await tg.tap(TG_USER, "Anonymous")  # the new survey's own button works
        after = await conversation(service, "telegram", TG_CHAT)
        assert after[3] is True


async def test_slack_an_old_surveys_consent_button_is_refused_in_a_new_survey(
    backend_url: str,
) -> None:
    async with slack_running(backend_url) as bot:
        service = bot.app.service
        await service.begin("slack", SLACK_USER, SLACK_USER, "cvs", language="en")
        old = bot.last_post()
        for label in ("Named", "8", "9", "5", "Skip"):
            assert await bot.press(label) == 200
            await bot.settled()
        assert "Thank you! Your answers have been saved." in texts(bot.last_post())
        await service.begin("slack", SLACK_USER, SLACK_USER, "kto", language="en")
        kto = bot.last_post()
        before = await conversation(service, "slack", SLACK_USER)
        assert before[1:] == (0, {}, None, ("_consent",))

        answer = await bot.slack.press(SLACK_USER, CUSTOMER_DM, old, button(old, "Anonymous"))
        await bot.settled()

        assert answer.status == 200
        assert REFUSAL in texts(bot.last_post())
        assert await conversation(service, "slack", SLACK_USER) == before
        await bot.slack.press(SLACK_USER, CUSTOMER_DM, kto, button(kto, "Anonymous"))
        await bot.settled()  # the new survey's own button works
        assert (await conversation(service, "slack", SLACK_USER))[3] is True


# -- two taps on Back go back once -------------------------------------------------------


async def test_telegram_two_taps_on_back_at_once_go_back_one_question(
    backend_url: str, clock: Clock
) -> None:
    async with telegram_running(telegram_config(backend_url), clock) as tg:
        service = tg.app.service
        await service.begin("telegram", TG_CHAT, TG_CHAT, "cvs", language="en")
        for label in ("Named", "8", "9"):
            await tg.tap(TG_USER, label)
        before = await conversation(service, "telegram", TG_CHAT)
        assert before[4] == ("_consent", "satisfaction", "loyalty", "recommendation")
        question = dict(tg.with_button(TG_USER, "Back"))
        back = tg_buttons(question)["Back"]

        await asyncio.gather(
            tg.feed(tg.updates.press(TG_USER, question, back)),
            tg.feed(tg.updates.press(TG_USER, question, back)),
        )

        after = await conversation(service, "telegram", TG_CHAT)
        assert after[4] == ("_consent", "satisfaction", "loyalty")
        assert after[1] == before[1] + 1
        assert tg.api.toasts()[-2:].count(REFUSAL) == 1
        assert "Current answer: 9" in tg.texts(TG_USER)[-1]


async def test_slack_two_taps_on_back_at_once_go_back_one_question(backend_url: str) -> None:
    async with slack_running(backend_url) as bot:
        service = bot.app.service
        await service.begin("slack", SLACK_USER, SLACK_USER, "cvs", language="en")
        for label in ("Named", "8", "9"):
            assert await bot.press(label) == 200
            await bot.settled()
        before = await conversation(service, "slack", SLACK_USER)
        assert before[4] == ("_consent", "satisfaction", "loyalty", "recommendation")
        question = bot.last_post()
        back = button(question, "Back")
        posts = len(bot.api.posts(CUSTOMER_DM))

        answers = await asyncio.gather(
            bot.slack.press(SLACK_USER, CUSTOMER_DM, question, back),
            bot.slack.press(SLACK_USER, CUSTOMER_DM, question, back),
        )
        await bot.settled()

        assert [a.status for a in answers] == [200, 200]
        after = await conversation(service, "slack", SLACK_USER)
        assert after[4] == ("_consent", "satisfaction", "loyalty")
        assert after[1] == before[1] + 1
        new_posts = [texts(p) for p in bot.api.posts(CUSTOMER_DM)[posts:]]
        assert len(new_posts) == 2
        assert sum(REFUSAL in t for t in new_posts) == 1
        assert sum("Current answer: 9" in t for t in new_posts) == 1


# -- an acknowledged Slack press is stored -----------------------------------------------


class DiskFull(RuntimeError):
    """A storage failure injected into one unit of work."""


async def test_a_slack_press_that_could_not_be_stored_is_not_acknowledged_and_its_retry_counts_once(
    backend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with slack_running(backend_url) as bot:
        await bot.app.service.begin("slack", SLACK_USER, SLACK_USER, "cvs", language="en")
        consent = bot.last_post()
        payload = bot.slack.press_payload(
            SLACK_USER, CUSTOMER_DM, consent, button(consent, "Named")
        )
        real = Transaction.update_session
        failures = []

        async def fail_once(self: Transaction, *args: Any, **kwargs: Any) -> None:
            if not failures:
                failures.append(args)
                raise DiskFull("no space left on device")
            await real(self, *args, **kwargs)

        monkeypatch.setattr(Transaction, "update_session", fail_once)

        first = await bot.slack.interaction(payload)
        await bot.settled()

        assert failures and first.status != 200
        assert await conversation(bot.app.service, "slack", SLACK_USER) == (
            "cvs",
            0,
            {},
            None,
            ("_consent",),
        )
        retry = await bot.slack.interaction(
            payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        )
        again = await bot.slack.interaction(
            payload, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}
        )
        await bot.settled()

        assert (retry.status, again.status) == (200, 200)
        stored = await conversation(bot.app.service, "slack", SLACK_USER)
        assert stored == ("cvs", 1, {}, False, ("_consent", "satisfaction"))
        asked = [p for p in bot.api.posts(CUSTOMER_DM) if "How satisfied" in texts(p)]
        assert len(asked) == 1
