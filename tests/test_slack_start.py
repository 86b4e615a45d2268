"""Starting with Slack settings: enabled only when configured, clear errors when wrong."""

from __future__ import annotations

import pytest

from bot.app import build_app
from bot.channels.slack.component import slack_component
from bot.config.settings import Config, ConfigError
from bot.storage import Storage
from tests.fakes.slack_api import TOKEN, serve
from tests.fakes.slack_platform import SIGNING_SECRET


async def test_without_slack_settings_there_is_no_slack_channel(db_url: str) -> None:
    app = await build_app(
        Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url}),
        factories=[slack_component],
    )
    try:
        assert app.components == []
        assert "slack" not in app.channels
    finally:
        await app.stop()


async def test_a_token_without_signing_secret_names_the_missing_variable(
    db_url: str, storage: Storage
) -> None:
    config = Config.from_env(
        {"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url, "SLACK_BOT_TOKEN": TOKEN}
    )
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        await build_app(config, factories=[slack_component], storage=storage)


async def test_a_token_slack_refuses_stops_the_start_naming_it(db_url: str) -> None:
    async with serve() as api:
        config = Config.from_env(
            {
                "KLANTSTEM_LANGUAGE": "en",
                "KLANTSTEM_DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": "xoxb-revoked",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": api.url,
            }
        )
        app = await build_app(config, factories=[slack_component])
        try:
            with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN.*invalid_auth"):
                await app.start()
        finally:
            await app.stop()
    assert "xoxb-revoked" not in repr(config)
