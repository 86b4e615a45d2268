"""Slack button presses through the real Bolt app: answers per second and ack latency.

    .venv/bin/python bench/slack_actions.py [--users 1000] [--in-flight 64]

Every user has a CVS survey open in their DM and answers it with four presses (consent
and three scores). Presses are signed `block_actions` requests handed to
`AsyncApp.async_dispatch` with signature checking on, at most `--in-flight` at a time,
one round per question. Ack latency is the time until `async_dispatch` returns (what
Slack waits for, which includes the commit of the answer: a press is acknowledged once
it is stored); "durable" counts an answer once its transaction is committed and the
next question was posted. The Web API is the test suite's fake Slack, in its own
process. With `--postgres URL` (e.g. postgresql://postgres@127.0.0.1:5432/postgres) a
scratch database on that server is used instead of a SQLite file.
Slack's per-channel posting pace is switched off: it limits one person answering faster
than once a second, not the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*, tests.fakes.*

from bench.storage_backends import scratch_postgres
from bot.app import build_app
from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.component import slack_component
from bot.channels.slack.pace import Pace
from bot.config.settings import Config
from tests.fakes.slack_api import TOKEN

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
ANSWERS = (("_consent", "named"), ("satisfaction", "8"), ("loyalty", "9"), ("recommendation", "9"))


@asynccontextmanager
async def fake_slack(users: int) -> AsyncIterator[str]:
    """The test suite's fake Web API in its own process; yields its URL."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.slack_api", str(users), cwd=ROOT, stdout=PIPE
    )
    assert proc.stdout is not None
    try:
        yield (await proc.stdout.readline()).decode().strip()
    finally:
        proc.terminate()
        await proc.wait()


@asynccontextmanager
async def database(postgres: str | None) -> AsyncIterator[str]:
    """A fresh SQLite file, or a scratch PostgreSQL database when `postgres` is given."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    scratch = await scratch_postgres(postgres)
    if scratch is None:
        raise SystemExit("PostgreSQL is not reachable")
    url, drop = scratch
    try:
        yield url
    finally:
        await drop()


def _press(
    user: str, n: int, conversation: str, question: str, revision: int, value: str
) -> tuple[str, dict[str, str]]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0BENCH"},
        "user": {"id": user, "team_id": "T0BENCH"},
        "api_app_id": "A0BENCH",
        "container": {"type": "message", "message_ts": f"1.{n}", "channel_id": "D" + user[1:]},
        "channel": {"id": "D" + user[1:]},
        "message": {"type": "message", "ts": f"1.{n}", "text": question, "blocks": []},
        "trigger_id": f"{n}.trigger",
        "response_url": "https://hooks.slack.invalid/1",
        "actions": [
            {
                "type": "button",
                "action_id": "ks.answer.0",
                "block_id": "b",
                "value": f"{conversation}|{question}|{revision}|{value}",
                "text": {"type": "plain_text", "text": value},
                "action_ts": f"1700000000.{n:07d}",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time()))
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }
    return body, headers


async def bench(users: int, in_flight: int, postgres: str | None) -> None:
    ids = [f"U{n:08d}" for n in range(users)]
    async with fake_slack(users) as api_url, database(postgres) as db_url:
        config = Config.from_env(
            {
                "KLANTSTEM_DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": api_url,
            }
        )
        app = await build_app(config, factories=[slack_component])
        channel = app.components[0]
        assert isinstance(channel, SlackChannel)
        channel.pace = Pace(interval=0.0)
        await app.start()
        try:
            conversations = {}
            for user in ids:
                await app.service.begin("slack", user, user, "cvs")
                stored = await app.service.open_session("slack", user)
                assert stored is not None
                conversations[user] = stored.session.conversation
            latencies: list[float] = []
            gate = asyncio.Semaphore(in_flight)
            counter = iter(range(10**9))

            async def one(user: str, revision: int, question: str, value: str) -> None:
                body, headers = _press(
                    user, next(counter), conversations[user], question, revision, value
                )
                async with gate:
                    started = time.perf_counter()
                    response = await channel.bolt.async_dispatch(
                        AsyncBoltRequest(body=body, headers=headers)
                    )
                    latencies.append(time.perf_counter() - started)
                assert response.status == 200, response.body

            started = time.perf_counter()
            cpu = time.process_time()
            for revision, (question, value) in enumerate(ANSWERS):
                await asyncio.gather(*(one(u, revision, question, value) for u in ids))
                await channel.idle()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            async with app.storage.transaction(write=False) as tx:
                row = await tx.conn.fetchone("SELECT COUNT(*) FROM responses")
            assert row[0] == users, f"{row[0]} of {users} responses stored"
        finally:
            await app.stop()
    presses = users * len(ANSWERS)
    latencies.sort()
    print(f"{db_url.split(':')[0]}: users {users}, presses {presses}, in flight {in_flight}")
    print(f"durable answers/s  {presses / elapsed:,.0f}  ({elapsed:.2f} s, CPU {cpu:.2f} s)")
    print(f"ack latency p50    {statistics.median(latencies) * 1000:.1f} ms")
    print(f"ack latency p99    {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument(
        "--postgres", metavar="URL", help="measure on a scratch database on this server instead"
    )
    args = parser.parse_args()
    asyncio.run(bench(args.users, args.in_flight, args.postgres))


if __name__ == "__main__":
    main()
