"""Benchmark: answers per second through the real Telegram Application, service and SQLite.

Each update is the raw JSON Telegram would deliver (a typed score from one of `--chats`
respondents, each in a long survey of 0-10 questions). It is parsed, dispatched by
python-telegram-bot to the channel's handler, run through the service (dedupe, load,
step, save with the revision check), committed durably (SQLite, synchronous=FULL, group
commit) and only then confirmed: the question message is edited to show the answer and
the next question is sent, through an in-memory Bot API. Next to it, in the same run, the
same updates go through an Application whose only handler does nothing: the floor of
JSON parsing and dispatch. Prints both rates and their ratio.

    .venv/bin/python bench/telegram_answers.py [--chats 200] [--answers 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.app import build_app
from bot.channels.telegram.channel import MAX_CONCURRENT_UPDATES, ChatOrderedProcessor
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config
from bot.conversations.replies import REPLY_GRACE
from bot.storage import open_storage
from flows import survey_from_mapping
from tests.fakes.telegram_api import FakeBotApi, Updates

TOKEN = "7000000001:AAHbenchTOKENforKlantstemOnlyXXXXXXXX"


def long_survey(questions: int) -> Any:
    """An employee survey (no consent question) of `questions` 0-10 grades."""
    return survey_from_mapping(
        {
            "id": "bench",
            "audience": "employee",
            "questions": [
                {"id": f"q{i}", "kind": "scale", "text": f"Question {i}?"} for i in range(questions)
            ],
        },
        source="bench",
    )


def raw_updates(chats: list[int], answers: int) -> list[bytes]:
    """Round after round, one typed answer per chat, as Telegram's JSON bytes."""
    updates = Updates()
    return [
        json.dumps(updates.message(chat, str((chat + n) % 11))).encode()
        for n in range(answers)
        for chat in chats
    ]


async def pump(application: Application[Any, Any, Any, Any, Any, Any], raws: list[bytes]) -> float:
    """Parse and queue every update, wait until all are handled; returns updates per second."""
    bot = application.bot
    began = time.perf_counter()
    for raw in raws:
        await application.update_queue.put(Update.de_json(json.loads(raw), bot))
    await application.update_queue.join()
    return len(raws) / (time.perf_counter() - began)


async def noop_rate(raws: list[bytes]) -> float:
    """The same updates through an Application whose handler does nothing."""

    async def nothing(update: object, context: object) -> None:
        return None

    application = (
        Application.builder()
        .token(TOKEN)
        .request(FakeBotApi())
        .get_updates_request(FakeBotApi())
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
        .updater(None)
        .build()
    )
    application.add_handler(TypeHandler(Update, nothing))
    async with application:
        await application.start()
        rate = await pump(application, raws)
        await application.stop()
    return rate


async def klantstem_rate(folder: Path, chats: list[int], raws: list[bytes], answers: int) -> float:
    """The updates through the Telegram channel, the service and SQLite."""
    config = Config.from_env(
        {"KLANTSTEM_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "TELEGRAM_BOT_TOKEN": TOKEN}
    )
    storage = await open_storage(config.database_url)
    app = await build_app(config, factories=[], storage=storage)
    # As in `klantstem run`, where the scheduler runs: each answer's replies are owed work.
    app.service.reply_grace = REPLY_GRACE
    app.surveys["bench"] = long_survey(answers + 1)
    api = FakeBotApi()
    channel = telegram_component(app, request=api)
    assert channel is not None
    application = channel.application
    try:
        async with application:
            for chat in chats:
                await app.service.begin("telegram", str(chat), str(chat), "bench", language="en")
            await application.start()
            rate = await pump(application, raws)
            await application.stop()
        async with storage.transaction(write=False) as tx:
            sessions = [await tx.identity("telegram", str(c)) for c in chats]
            stored = [await tx.load_session(i.id) for i in sessions if i]
        done = sum(len(s.session.answers) for s in stored if s)
        assert done == len(raws), f"{done} of {len(raws)} answers stored"
        assert len(api.sent("editMessageText")) == len(raws)
    finally:
        await storage.close()
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200, help="respondents answering at once")
    parser.add_argument("--answers", type=int, default=30, help="answers per respondent")
    args = parser.parse_args()
    chats = [100_000 + i for i in range(args.chats)]
    raws = raw_updates(chats, args.answers)
    floor = await noop_rate(raws)
    with tempfile.TemporaryDirectory() as folder:
        rate = await klantstem_rate(Path(folder), chats, raws, args.answers)
    print(f"updates: {len(raws)} ({args.chats} chats x {args.answers} answers)")
    print(f"no-op handler (JSON parse + dispatch): {floor:8.0f} updates/s")
    print(f"Klantstem (durable, then confirmed):   {rate:8.0f} answers/s")
    print(f"ratio: {rate / floor:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
