"""What Slack's HTTP requests get: signature checks, URL verification, retries, rate limits."""

from __future__ import annotations

import time

from bot.storage import Storage
from tests.support.slack_harness import CUSTOMER, CUSTOMER_DM, button, running


async def _processed_updates(storage: Storage) -> int:
    async with storage.transaction(write=False) as tx:
        row = await tx.conn.fetchone("SELECT COUNT(*) FROM processed_updates")
    return int(row[0])


async def test_url_verification_is_answered_with_the_challenge(db_url: str) -> None:
    async with running(db_url) as bot:
        answer = await bot.slack.post(
            '{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",'
            '"type":"url_verification"}',
            "application/json",
        )
        assert answer.status == 200
        assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in answer.text


async def test_bad_signature_and_stale_timestamp_get_401_and_change_nothing(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        consent = bot.last_post()
        posts_before = len(bot.api.to("chat.postMessage"))
        updates_before = await _processed_updates(bot.app.storage)

        forged = bot.slack.__class__(bot.slack.url, bot.slack.session, secret="not-the-secret")
        answer = await forged.press(CUSTOMER, CUSTOMER_DM, consent, button(consent, "Named"))
        assert answer.status == 401

        six_minutes_ago = int(time.time()) - 6 * 60
        answer = await bot.slack.press(
            CUSTOMER, CUSTOMER_DM, consent, button(consent, "Named"), timestamp=six_minutes_ago
        )
        assert answer.status == 401
        answer = await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "named", timestamp=six_minutes_ago)
        assert answer.status == 401

        await bot.settled()
        assert len(bot.api.to("chat.postMessage")) == posts_before
        assert bot.api.to("chat.update") == []
        assert await _processed_updates(bot.app.storage) == updates_before
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.anonymous is None


async def test_a_retried_event_is_processed_once(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        await bot.press("Named")
        await bot.settled()
        first = await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "8", event_id="Ev0RETRIED1")
        retry = await bot.slack.dm(
            CUSTOMER,
            CUSTOMER_DM,
            "8",
            event_id="Ev0RETRIED1",
            headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert (first.status, retry.status) == (200, 200)
        await bot.settled()
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None
        # One answer, and only the loyalty question was asked after it (not answered by the retry).
        assert stored.session.answers == {"satisfaction": 8}
        assert stored.session.current == "loyalty"
        assert sum("keep buying" in p["text"] for p in bot.api.to("chat.postMessage")) == 1


async def test_web_api_429_is_retried_after_retry_after(db_url: str) -> None:
    async with running(db_url) as bot:
        bot.api.throttle("chat.postMessage", times=1, retry_after=1)
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        attempts = [c.status for c in bot.api.calls if c.method == "chat.postMessage"]
        assert attempts == [429, 200]
        assert len(bot.api.posts(CUSTOMER_DM)) == 1


async def test_the_respondents_slack_locale_becomes_their_survey_language(db_url: str) -> None:
    async with running(db_url) as bot:
        # Anna's Slack locale is nl-NL; her first message teaches the bot her language.
        await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "hallo")
        await bot.settled()
        assert bot.api.to("users.info")[-1]["include_locale"] in ("1", "true", True)
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.language == "nl"
