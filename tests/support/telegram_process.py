"""The Telegram end-to-end tests' bot: its token, environment and CLI, and a tapping user."""

from __future__ import annotations

import os
import subprocess

from tests.fakes.telegram_emulator import TelegramUsers
from tests.support.bot_process import KLANTSTEM

TOKEN = "123456:klantstem-e2e"


CUSTOMER = 5001


def bot_env(url: str, db_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KLANTSTEM_TELEGRAM_API_URL": url,
        "KLANTSTEM_HTTP_ENABLED": "no",
        "KLANTSTEM_LOG_LEVEL": "INFO",
    }


def klantstem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KLANTSTEM, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )


async def answer(users: TelegramUsers, count: int, label: str) -> None:
    """Wait for the bot's `count`-th message and press `label` on it."""
    messages = await users.wait(CUSTOMER, count)
    await users.tap(CUSTOMER, messages[-1], label)
