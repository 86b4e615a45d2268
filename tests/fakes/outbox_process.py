"""Runs the bot's scheduler as a process of its own against a journaled recording platform.

    python -m tests.fakes.outbox_process DB_URL JOURNAL [--hold-after N]
        [--until KIND ...] [--set NAME=VALUE ...]

It sends what the outbox has due until no row of the `--until` kinds (default: invite)
is left, then exits 0; `--set` adds configuration (e.g. KLANTSTEM_STAFF_CHAT). Each message
the platform accepts prints `delivered N`. With `--hold-after N`, every send after the
platform accepted message N hangs (printing `holding` once): the process is then in the
worst place to die, with messages out but their outbox rows not finished. A message the
outbox finds already delivered after a restart prints `already delivered KEY`; at the end
`repeats N` says how often the bot tried to send a message the platform had already.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path

from bot.app import App, build_app
from bot.config.settings import Config
from bot.delivery import Notice
from bot.jobs.scheduler import scheduler_component
from flows import Reply
from tests.fakes.recording_channel import Posted, RecordingChannel

POLL_SECONDS = 0.05


class HoldingChannel(RecordingChannel):
    """A recording platform whose sends hang once `hold_after` messages were accepted."""

    hold_after: int | None = None

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        await super().send(address, replies, language, broadcast=broadcast)
        await self._hold()

    async def notify(self, address: str, notice: Notice) -> str:
        ref = await super().notify(address, notice)
        await self._hold()
        return ref

    async def _hold(self) -> None:
        if self.hold_after is not None and len(self.posted) >= self.hold_after:
            if len(self.posted) == self.hold_after:
                print("holding", flush=True)
            await asyncio.Event().wait()

    async def delivered(self, key: str) -> str | None:
        found = await super().delivered(key)
        if found is not None:
            print(f"already delivered {key}", flush=True)
        return found


async def run(
    db_url: str,
    journal: Path,
    hold_after: int | None,
    until: Sequence[str] = ("invite",),
    settings: Sequence[str] = (),
) -> int:
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "KLANTSTEM_QUIET_HOURS": "off",
            "KLANTSTEM_SWEEP_SECONDS": "0.05",
            "KLANTSTEM_OUTBOX_LEASE_SECONDS": "1",
        }
        | dict(s.split("=", 1) for s in settings)
    )

    def announce(posted: Posted) -> None:
        print(f"delivered {len(channel.posted)}", flush=True)

    channel = HoldingChannel("telegram", journal=journal, on_posted=announce)
    channel.hold_after = hold_after

    def attach(app: App) -> None:
        app.service.attach(channel)

    app = await build_app(config, factories=[attach, scheduler_component])
    await app.start()
    try:
        while True:
            async with app.storage.transaction(write=False) as tx:
                if await tx.unfinished_jobs(until) == 0:
                    break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        await app.stop()
    print(f"repeats {len(channel.repeats)}", flush=True)
    print("done", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("journal", type=Path)
    parser.add_argument("--hold-after", type=int)
    parser.add_argument("--until", action="append", default=[])
    parser.add_argument("--set", action="append", default=[], dest="settings")
    args = parser.parse_args()
    until = args.until or ["invite"]
    return asyncio.run(run(args.db_url, args.journal, args.hold_after, until, args.settings))


if __name__ == "__main__":
    raise SystemExit(main())
