"""Builds the Telegram channel for `klantstem run` when TELEGRAM_BOT_TOKEN is configured.

Kept apart from `bot.channels.telegram.channel` so the command line does not load
python-telegram-bot unless Telegram is enabled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.config.settings import ConfigError

if TYPE_CHECKING:
    from telegram.request import BaseRequest

    from bot.app import App
    from bot.channels.telegram.channel import TelegramChannel


def telegram_component(
    app: App,
    *,
    request: BaseRequest | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> TelegramChannel | None:
    """The Telegram channel, attached to the service with its admins, or None if not set up.

    `request` replaces the HTTP client (tests pass an in-memory Bot API); `sleep` and
    `clock` are what flood control and retries wait on (tests pass a fake time).
    """
    config = app.config
    if config.telegram_token is None:
        return None
    start_survey = config.telegram_start_survey
    if start_survey is not None and start_survey not in app.surveys:
        raise ConfigError(
            f"KLANTSTEM_TELEGRAM_START_SURVEY={start_survey!r}: no such survey; "
            f"choose one of {', '.join(sorted(app.surveys))}, or leave it empty"
        )
    from bot.channels.telegram.channel import TelegramChannel

    app.admin.admin_ids["telegram"] = config.telegram_admin_ids
    channel = TelegramChannel(
        config,
        app.service,
        app.admin,
        app.handle_action,
        request=request,
        sleep=sleep,
        clock=clock,
    )
    app.service.attach(channel)
    return channel
