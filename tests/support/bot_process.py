"""`klantstem run` as its own process, to kill and start again, and the CLI beside it."""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

KLANTSTEM = str(Path(sys.executable).parent / "klantstem")


@dataclass
class BotProcess:
    """The bot's process, SIGKILLed and started again at will; its stderr goes to `log`.

    `running` is set once the process says it runs (its channels and scheduler started).
    """

    env: dict[str, str]
    log: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    running: asyncio.Event = field(default_factory=asyncio.Event)
    _copy: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start a new process (the previous one must have ended)."""
        self.running = asyncio.Event()
        self.process = await asyncio.create_subprocess_exec(
            KLANTSTEM, "run", env=self.env, stderr=asyncio.subprocess.PIPE
        )
        self._copy = asyncio.create_task(self._keep_log(self.process, self.running))
        self.starts += 1

    async def _keep_log(self, process: asyncio.subprocess.Process, running: asyncio.Event) -> None:
        assert process.stderr is not None
        with self.log.open("a") as sink:
            async for line in process.stderr:
                sink.write(line.decode())
                sink.flush()
                if b"klantstem is running" in line:
                    running.set()

    async def kill(self) -> None:
        """SIGKILL: nothing of the process gets to finish."""
        assert self.process is not None and self._copy is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL
        await self._copy

    async def restart(self) -> None:
        """SIGKILL, then a new process."""
        await self.kill()
        await self.start()

    async def stop(self) -> int:
        """SIGTERM once the process runs (before that nothing is in flight); its exit code."""
        assert self.process is not None and self._copy is not None
        await asyncio.wait_for(self.running.wait(), 60)
        self.process.send_signal(signal.SIGTERM)
        code = await self.process.wait()
        await self._copy
        return code


async def cli(env: dict[str, str], *args: str) -> str:
    """Run `klantstem ARGS` as its own process, without blocking the fakes this event loop
    serves; its output (fails when it fails)."""
    process = await asyncio.create_subprocess_exec(
        KLANTSTEM, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, (out + err).decode()
    return out.decode()
