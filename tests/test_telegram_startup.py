"""Starting the channel: a wrong token or an unreachable Bot API stops the start clearly."""

from __future__ import annotations

import pytest

from bot.config.settings import Config, ConfigError
from tests.conftest import Clock
from tests.support.telegram_harness import TOKEN, running


async def test_a_refused_token_names_the_setting_and_never_shows_the_token(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock, initialize=False) as tg:
        tg.api.fail("getMe", 401, "Unauthorized")
        with pytest.raises(ConfigError) as refused:
            await tg.channel.start()
    assert "TELEGRAM_BOT_TOKEN was refused" in str(refused.value)
    assert TOKEN not in str(refused.value)


async def test_an_unreachable_bot_api_names_its_url_setting(config: Config, clock: Clock) -> None:
    async with running(config, clock, initialize=False) as tg:
        tg.api.fail("getMe", 0, "", timeout=True)
        with pytest.raises(ConfigError) as unreachable:
            await tg.channel.start()
    assert str(unreachable.value).startswith(
        "KLANTSTEM_TELEGRAM_API_URL='https://api.telegram.org': the Bot API cannot be reached"
    )
