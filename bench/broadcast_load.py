"""Benchmark: a broadcast wave at the platform limit while respondents press buttons.

A local Bot API on 127.0.0.1 enforces 30 messages a second (sendMessage, across all chats)
and answers 429 with `retry_after` above it, as Telegram does. The real bot (Telegram
channel with python-telegram-bot's HTTP client, scheduler, outbox, SQLite) starts a wave
of `--invitations` contacts and sends it through its flood control. Meanwhile simulated
respondents who already got their invitation press the first button of their newest
question, `--presses-per-second` times a second; each press is a Telegram update handed
to the real `Application`, and its latency is the time until the bot has stored the answer
and sent the next question. Prints answer latency p50/p99 (target p99 < 1 s), the broadcast
rate against the limit (target >= 95 %), and counts showing that no invitation was lost
or sent twice.

    .venv/bin/python bench/broadcast_load.py [--invitations 10000] [--presses-per-second 1]

At 30 a second, 10,000 invitations take about 6 minutes; the run gives up after
`--invitations / 30 * 2 + 60` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from bot.app import build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, parse_contacts
from tests.fakes.telegram_api import BOT_USER, DATE, Updates, buttons

TOKEN = "7000000001:AAHbenchTOKENforKlantstemOnlyXXXXXXXX"
HOST = "127.0.0.1"
LIMIT = 30
RETRY_AFTER = 1
FIRST_CHAT = 100_000


class LimitedBotApi:
    """A Bot API that keeps every chat's messages and allows `LIMIT` sendMessage a second."""

    def __init__(self) -> None:
        self.chats: dict[int, list[dict[str, Any]]] = {}
        self.accepted: list[tuple[float, int, bool]] = []  # (time, chat, an invitation?)
        self.refused = 0
        self._window: deque[float] = deque()
        self._ids = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one Bot API call."""
        method = request.match_info["method"].lower()
        params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if method == "getme":
            return web.json_response({"ok": True, "result": BOT_USER})
        if method == "sendmessage":
            return self._send(params)
        if method in ("editmessagetext", "editmessagereplymarkup"):
            return self._edit(params)
        return web.json_response({"ok": True, "result": True})

    def _send(self, params: dict[str, str]) -> web.Response:
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= LIMIT:
            self.refused += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {RETRY_AFTER}",
                    "parameters": {"retry_after": RETRY_AFTER},
                },
                status=429,
            )
        self._window.append(now)
        chat = int(params["chat_id"])
        self._ids += 1
        message: dict[str, Any] = {
            "message_id": self._ids,
            "date": DATE,
            "from": BOT_USER,
            "chat": {"id": chat, "type": "private"},
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        history = self.chats.setdefault(chat, [])
        self.accepted.append((now, chat, not history))
        history.append(message)
        return web.json_response({"ok": True, "result": message})

    def _edit(self, params: dict[str, str]) -> web.Response:
        chat, message_id = int(params["chat_id"]), int(params["message_id"])
        message = next(m for m in self.chats[chat] if m["message_id"] == message_id)
        message["text"] = params.get("text", message["text"])
        message.pop("reply_markup", None)
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        return web.json_response({"ok": True, "result": message})

    def invitations(self) -> Counter[int]:
        """How often each chat got the invitation (its first message's text)."""
        counts: Counter[int] = Counter()
        for chat, history in self.chats.items():
            counts[chat] = sum(m["text"] == history[0]["text"] for m in history)
        return counts


async def serve(api: LimitedBotApi) -> tuple[web.AppRunner, str]:
    """Listen on a free port of 127.0.0.1 only."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://{HOST}:{port}"


async def respondents(
    api: LimitedBotApi, channel: TelegramChannel, per_second: float, latencies: list[float]
) -> None:
    """Press the first button of the newest question of chats that have one, in turn."""
    updates = Updates()
    pressed: Counter[int] = Counter()
    while True:
        await asyncio.sleep(1 / per_second)
        waiting = [c for c, h in list(api.chats.items()) if pressed[c] < 4 and buttons(h[-1]) and c]
        if not waiting:
            continue
        chat = min(waiting, key=lambda c: pressed[c])
        question = api.chats[chat][-1]
        data = next(iter(buttons(question).values()))
        pressed[chat] += 1
        update = Update.de_json(updates.press(chat, question, data), channel.application.bot)
        started = time.perf_counter()
        await channel.application.process_update(update)
        latencies.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(invitations: int, presses_per_second: float) -> int:
    """Run the wave and print the figures; 0 when every invitation went out exactly once."""
    api = LimitedBotApi()
    runner, url = await serve(api)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env(
            {
                "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "KLANTSTEM_TELEGRAM_API_URL": url,
                "KLANTSTEM_LANGUAGE": "en",
                "KLANTSTEM_QUIET_HOURS": "off",
                "KLANTSTEM_HTTP_ENABLED": "no",
            }
        )
        app = await build_app(config, factories=[telegram_component, scheduler_component])
        channel = next(c for c in app.components if isinstance(c, TelegramChannel))
        scheduler = next(c for c in app.components if isinstance(c, Scheduler))
        await channel.application.initialize()
        try:
            rows = "".join(f"C{n},Customer {n},{FIRST_CHAT + n}\n" for n in range(invitations))
            async with app.storage.transaction() as tx:
                await import_contacts(
                    tx, parse_contacts(f"ref,name,telegram\n{rows}".encode()), app.service.clock()
                )
            started = await scheduler.waves.start("cvs", {}, None, "bench")
            assert started is not None
            latencies: list[float] = []
            pressing = asyncio.create_task(respondents(api, channel, presses_per_second, latencies))
            began = time.monotonic()
            try:
                async with asyncio.timeout(invitations / LIMIT * 2 + 60):
                    while await scheduler.sweep():
                        pass
            except TimeoutError:
                print("gave up: the wave did not finish in time")
            finally:
                pressing.cancel()
            elapsed = time.monotonic() - began
            async with app.storage.transaction(write=False) as tx:
                progress = await tx.wave_progress(started.wave.id)
        finally:
            await channel.application.shutdown()
            await app.storage.close()
            await runner.cleanup()

    invites = [t for t, _chat, first in api.accepted if first]
    per_chat = api.invitations()
    span = (invites[-1] - invites[0]) if len(invites) > 1 else 0.0
    rate = (len(invites) - 1) / span if span else 0.0
    lost = invitations - len(per_chat)
    twice = sum(1 for n in per_chat.values() if n > 1)
    print(f"wave of {invitations} invitations in {elapsed:.1f} s")
    print(f"broadcast rate {rate:.1f}/s of a {LIMIT}/s limit: {rate / LIMIT:.1%} (target >= 95%)")
    print(f"429s answered by the platform: {api.refused}")
    if latencies:
        print(
            f"answers during the wave: {len(latencies)}, latency p50 "
            f"{percentile(latencies, 0.5) * 1000:.0f} ms, p99 "
            f"{percentile(latencies, 0.99) * 1000:.0f} ms (target p99 < 1000 ms)"
        )
    print(f"invitations received: {len(per_chat)}, lost: {lost}, sent twice: {twice}")
    print(f"wave progress: {progress.delivered} delivered of {progress.invited} invited")
    return 0 if lost == 0 and twice == 0 and progress.delivered == invitations else 1


def main() -> int:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--presses-per-second", type=float, default=1.0)
    args = parser.parse_args()
    return asyncio.run(run(args.invitations, args.presses_per_second))


if __name__ == "__main__":
    raise SystemExit(main())
