"""SQLite next to PostgreSQL in one run: answers handled per second and report-figure time.

    .venv/bin/python bench/storage_backends.py [--respondents 400] [--responses 50000]

Answers: respondents take the CVS survey concurrently through `Service.handle` (each answer
is one transaction: dedupe, load session, step, save with the revision check). Report:
the histograms of one survey (`score_histograms` and the CVS `sum_histogram`) over
`--responses` stored responses, turned into the wave's CVS; the median of five runs.
PostgreSQL is the server at `--postgres` (a scratch database is created and dropped);
without one, only SQLite is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.config.settings import Config
from bot.conversations.service import Inbound, Service
from bot.storage import Storage, open_storage
from bot.storage.records import NewResponse, StoredAnswer
from flows import Event, EventKind, builtin_surveys
from scoring.cvs import wave_cvs

CVS = ("satisfaction", "loyalty", "recommendation")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def answers_per_second(storage: Storage, respondents: int, concurrency: int) -> float:
    """Answers handled per second with `concurrency` conversations in flight."""
    service = Service(
        storage, builtin_surveys(), Config.from_env({"KLANTSTEM_DATABASE_URL": storage.url})
    )
    gate = asyncio.Semaphore(concurrency)

    async def respondent(n: int) -> int:
        user = f"bench{n}"
        async with gate:
            await service.begin("telegram", user, user, "cvs", language="en")
            for i, text in enumerate(["2", str(7 + n % 4), "9", "10"]):
                inbound = Inbound("telegram", user, user, Event(EventKind.TEXT, text), f"{n}-{i}")
                await service.handle(inbound)
        return 4

    began = time.perf_counter()
    handled = sum(await asyncio.gather(*(respondent(n) for n in range(respondents))))
    return handled / (time.perf_counter() - began)


async def load_responses(storage: Storage, count: int) -> None:
    """Store `count` anonymous CVS responses (1,000 per transaction)."""
    for first in range(0, count, 1000):
        async with storage.transaction() as tx:
            for n in range(first, min(first + 1000, count)):
                answers = tuple(StoredAnswer(q, score=(n * 7 + k) % 11) for k, q in enumerate(CVS))
                at = START + timedelta(minutes=n)
                await tx.store_response(
                    NewResponse("cvs", 1, "2026-Q1", True, None, None, "en", {}, at, answers)
                )


async def report_seconds(storage: Storage) -> float:
    """Median time to compute one survey's figures from its histograms."""

    async def once() -> None:
        async with storage.transaction(write=False) as tx:
            await tx.score_histograms("cvs", "2026-Q1")
            wave_cvs(await tx.sum_histogram("cvs", CVS, "2026-Q1"))

    return statistics.median([await timed(once) for _ in range(5)])


async def timed(action: Callable[[], Awaitable[None]]) -> float:
    began = time.perf_counter()
    await action()
    return time.perf_counter() - began


async def measure(url: str, args: argparse.Namespace) -> tuple[float, float]:
    storage = await open_storage(url)
    try:
        rate = await answers_per_second(storage, args.respondents, args.concurrency)
        await load_responses(storage, args.responses)
        return rate, await report_seconds(storage)
    finally:
        await storage.close()


async def scratch_postgres(admin_url: str) -> tuple[str, Callable[[], Awaitable[None]]] | None:
    """A new database on the server (and how to drop it), or None when there is none."""
    try:
        import asyncpg  # type: ignore[import-untyped]

        admin = await asyncpg.connect(admin_url)
    except Exception as exc:
        print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    name = f"klantstem_bench_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')

    async def drop() -> None:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}")), drop


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = await measure(f"sqlite:///{Path(folder) / 'bench.db'}", args)
    scratch = await scratch_postgres(args.postgres)
    if scratch:
        url, drop = scratch
        try:
            results["PostgreSQL"] = await measure(url, args)
        finally:
            await drop()
    print(
        f"{args.respondents} respondents x 4 answers, {args.concurrency} at a time;"
        f" report over {args.responses} responses (3 answers each)"
    )
    print(f"{'backend':<12}{'answers/s':>12}{'report ms':>12}")
    for backend, (rate, seconds) in results.items():
        print(f"{backend:<12}{rate:>12.0f}{seconds * 1000:>12.1f}")


if __name__ == "__main__":
    asyncio.run(main())
