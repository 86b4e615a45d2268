"""Benchmark: start a wave of 10,000 contacts and sweep its invitations out through the outbox.

Prints how long `wave start` takes (one transaction: wave, invitations, outbox rows) and
how many invitations per second the sweep hands to a channel that answers at once (the
bot's own cost per invitation: claim, open the survey, finish the row). A real platform
paces broadcasts far below this (Telegram: about 30 a second).

    .venv/bin/python bench/wave_outbox.py [--contacts N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App, build_app
from bot.config.settings import Config
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, parse_contacts
from tests.fakes.recording_channel import RecordingChannel


def contacts(count: int) -> bytes:
    rows = [f"C-{i:06d},Customer {i},{100000000 + i}" for i in range(count)]
    return ("ref,name,telegram\n" + "\n".join(rows) + "\n").encode()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        config = Config.from_env({"KLANTSTEM_DATABASE_URL": url, "KLANTSTEM_QUIET_HOURS": "off"})
        telegram = RecordingChannel("telegram")

        def attach(app: App) -> None:
            app.service.attach(telegram)

        app = await build_app(config, factories=[attach, scheduler_component])
        scheduler = next(c for c in app.components if isinstance(c, Scheduler))
        try:
            async with app.storage.transaction() as tx:
                await import_contacts(tx, parse_contacts(contacts(count)), app.service.clock())
            began = time.perf_counter()
            await scheduler.waves.start("cvs", {}, None, "bench")
            started = time.perf_counter() - began
            began = time.perf_counter()
            sent = await scheduler.sweep()
            swept = time.perf_counter() - began
        finally:
            await app.storage.close()
    print(f"wave start, {count} invitations: {started:.2f} s")
    print(f"sweep: {sent} invitations in {swept:.2f} s = {sent / swept:.0f} per second")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().contacts))
