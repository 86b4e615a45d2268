"""With SLACK_APP_TOKEN the bot receives over Socket Mode: no public address needed."""

from __future__ import annotations

from tests.fakes.slack_api import APP_TOKEN
from tests.support.slack_harness import CUSTOMER, CUSTOMER_DM, running


async def test_a_dm_answer_arrives_over_socket_mode(db_url: str) -> None:
    async with running(db_url, SLACK_APP_TOKEN=APP_TOKEN) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        message = {
            "type": "message",
            "channel_type": "im",
            "channel": CUSTOMER_DM,
            "user": CUSTOMER,
            "text": "anonymous",
            "ts": "1700003000.000001",
        }
        envelope = {
            "type": "event_callback",
            "team_id": "T0KLANTST",
            "api_app_id": "A0KLANTST",
            "event_id": "Ev0SOCKET01",
            "event_time": 1700003000,
            "event": message,
        }
        ack = await bot.api.push("events_api", envelope, "env-1")
        assert ack["envelope_id"] == "env-1"
        await bot.settled()
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.anonymous is True
        assert "How satisfied are you" in bot.last_post()["text"]
