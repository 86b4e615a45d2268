"""Processes the tests start: free ports, waiting for a condition, the scheduler alone."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds, failing after a bounded deadline."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


GUARD_SECONDS = 180


async def launch(db_url: str, journal: Path, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.outbox_process",
        db_url,
        str(journal),
        *extra,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )


async def read_until(process: asyncio.subprocess.Process, wanted: str | None) -> list[str]:
    """Lines the process prints, up to `wanted` (or to its end)."""
    assert process.stdout is not None
    lines = []
    while line := (await process.stdout.readline()).decode().strip():
        lines.append(line)
        if line == wanted:
            break
    return lines
