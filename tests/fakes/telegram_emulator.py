"""Starts `telegram_emulator.js` (telegram-test-api behind its compatibility layer) and
acts as Telegram users through it. See the .js file for each corrected quirk."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

FAKES = Path(__file__).resolve().parent
SCRIPT = FAKES / "telegram_emulator.js"
PACKAGE = FAKES / "node_modules" / "telegram-test-api" / "package.json"
REQUIRED = "KLANTSTEM_TEST_TELEGRAM_EMULATOR_REQUIRED"
"""Set by .ci/test once it installed the emulator: then a missing peer fails the run."""
DATE = 1_790_000_000


def need_emulator() -> str:
    """The node binary, or skip (fail when .ci/test installed the emulator) saying why."""
    node = shutil.which("node")
    missing = "node is not installed" if node is None else f"{PACKAGE.parent.name} is not installed"
    if node is not None and PACKAGE.is_file():
        return node
    reason = f"{missing}; `bash .ci/test` installs the Telegram emulator (npm)"
    if os.environ.get(REQUIRED):
        pytest.fail(reason)
    pytest.skip(reason)


class TelegramUsers:
    """The emulator's client side: users who write, tap buttons and read the bot's messages."""

    def __init__(self, url: str, token: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.token = token
        self.http = http

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(f"{self.url}{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()["result"]

    @staticmethod
    def user(user: int) -> dict[str, Any]:
        return {"id": user, "is_bot": False, "first_name": f"User {user}", "language_code": "en"}

    async def command(self, user: int, text: str) -> None:
        """`user` sends a command such as `/start TOKEN` in their private chat."""
        await self._post(
            "/sendCommand",
            {
                "botToken": self.token,
                "from": self.user(user),
                "chat": {"id": user, "type": "private", "first_name": f"User {user}"},
                "date": DATE,
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
            },
        )

    async def tap(self, user: int, message: dict[str, Any], label: str) -> None:
        """`user` presses the button `label` of a bot message."""
        rows = message["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if b["text"] == label)
        await self._post(
            "/sendCallback",
            {"botToken": self.token, "from": self.user(user), "message": message, "data": data},
        )

    async def wait(self, chat: int, count: int) -> list[dict[str, Any]]:
        """The chat's bot messages once there are at least `count` (the emulator waits)."""
        messages = await self.wait_for(chat, count, 30_000)
        assert len(messages) >= count, f"the bot sent {len(messages)} of {count} messages"
        return messages

    async def wait_for(self, chat: int, count: int, timeout_ms: int) -> list[dict[str, Any]]:
        """The chat's bot messages once there are at least `count`, or as they are when
        `timeout_ms` passed first."""
        messages: list[dict[str, Any]] = await self._post(
            "/_klantstem/wait",
            {"token": self.token, "chat_id": chat, "count": count, "timeout_ms": timeout_ms},
        )
        return messages

    async def wait_until(
        self, chat: int, wanted: Callable[[dict[str, Any]], bool], timeout_ms: int
    ) -> list[dict[str, Any]]:
        """The chat's bot messages once one of them is `wanted` (fails after `timeout_ms`)."""
        deadline = asyncio.get_running_loop().time() + timeout_ms / 1000
        messages = await self.wait_for(chat, 0, 0)
        while not any(wanted(m) for m in messages):
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"no such message in chat {chat}: {[m['text'] for m in messages]}"
            messages = await self.wait_for(chat, len(messages) + 1, int(left * 1000))
        return messages

    async def messages(self) -> dict[str, list[dict[str, Any]]]:
        """Every chat's bot messages, by chat id."""
        result: dict[str, list[dict[str, Any]]] = await self._post(
            "/_klantstem/messages", {"token": self.token}
        )
        return result

    async def flood(self, method: str, every: int, retry_after: int) -> None:
        """Answer every `every`-th call of `method` with 429 and `retry_after`."""
        await self._post(
            "/_klantstem/flood", {"method": method, "every": every, "retry_after": retry_after}
        )

    async def fault(
        self, method: str, status: int, *, times: int = 1, retry_after: int = 1
    ) -> None:
        """Fail the next `times` calls of `method`: `status` 429 (with `retry_after`), a 5xx,
        or 0 for a timeout (no answer until the bot's own timeout ends the request)."""
        await self._post(
            "/_klantstem/fault",
            {"method": method, "status": status, "times": times, "retry_after": retry_after},
        )

    async def stats(self) -> dict[str, Any]:
        """Calls per Bot API method and the 429s injected."""
        response = await self.http.get(f"{self.url}/_klantstem/stats")
        result: dict[str, Any] = response.json()["result"]
        return result


@asynccontextmanager
async def emulator(token: str, port: int = 0) -> AsyncIterator[TelegramUsers]:
    """A running emulator (its own process, on `port` or a free one) and a client for it;
    stopped afterwards."""
    node = need_emulator()
    process = await asyncio.create_subprocess_exec(
        node, str(SCRIPT), str(port), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line.startswith("listening on "), line
        async with httpx.AsyncClient() as http:
            yield TelegramUsers(line.split()[-1], token, http)
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
