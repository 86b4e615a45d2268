"""Two `klantstem run` processes on one PostgreSQL database send a wave of 1,000 invitations:
each contact gets exactly one, even though one instance is killed halfway."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.keyed_platform import KeyedPlatform

ROOT = Path(__file__).resolve().parent.parent
KLANTSTEM = str(Path(sys.executable).parent / "klantstem")
CONTACTS = 1000
HALFWAY = CONTACTS // 2
GUARD_SECONDS = 300  # only against a hang; the run takes seconds

pytestmark = pytest.mark.slow


def environment(db_url: str, platform_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "KLANTSTEM_DATABASE_URL": db_url,
        "KLANTSTEM_FAKE_PLATFORM_URL": platform_url,
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_HTTP_ENABLED": "no",
        "KLANTSTEM_QUIET_HOURS": "off",
        "KLANTSTEM_REMINDER_DAYS": "0",
        "KLANTSTEM_SWEEP_SECONDS": "1",
        "KLANTSTEM_OUTBOX_LEASE_SECONDS": "5",
    }


async def klantstem(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        KLANTSTEM, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def instance(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`klantstem run` with the fake platform as its channel; its log goes to `log`."""
    with log.open("wb") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fakes.keyed_platform",
            cwd=ROOT,
            env={**env, "KLANTSTEM_LOG_LEVEL": "INFO"},
            stdout=sink,
            stderr=sink,
        )


@pytest.fixture
async def platform() -> AsyncIterator[KeyedPlatform]:
    server = KeyedPlatform(hold_at=HALFWAY)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def unfinished_invitations(db_url: str) -> AsyncIterator[int]:
    """How many invitations are not yet marked sent, re-read whenever the outbox changes."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(db_url)
    changed = asyncio.Event()
    # test instrumentation: the outbox announces its updates, so nothing polls
    await conn.execute(
        "CREATE FUNCTION outbox_changed() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM pg_notify('outbox_changed', ''); RETURN NULL; END $$;"
        " CREATE TRIGGER outbox_changed AFTER UPDATE ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION outbox_changed()"
    )
    await conn.add_listener("outbox_changed", lambda *_: changed.set())
    try:
        while True:
            changed.clear()
            yield await conn.fetchval("SELECT count(*) FROM invitations WHERE status <> 'sent'")
            await changed.wait()
    finally:
        await conn.close()


async def test_two_instances_send_each_invitation_once_though_one_is_killed(
    postgres_url: str, platform: KeyedPlatform, tmp_path: Path
) -> None:
    env = environment(postgres_url, platform.url)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "ref,name,telegram\n" + "".join(f"C{n},Klant {n},{10_000 + n}\n" for n in range(CONTACTS))
    )
    await klantstem(env, "contacts", "import", str(contacts))
    watcher = unfinished_invitations(postgres_url)
    await anext(watcher)  # installs the trigger before anything is sent
    logs = [tmp_path / f"instance{n}.log" for n in (1, 2)]
    instances = [await instance(env, log) for log in logs]
    phase = "waiting for both instances to run"
    try:
        async with asyncio.timeout(GUARD_SECONDS):
            await platform.until(lambda p: len(p.instances) == 2)
            await klantstem(env, "wave", "start", "cvs")

            phase = f"waiting for message {HALFWAY}"
            assert platform.held is not None
            in_flight = await platform.held  # the 500th message reached the platform ...
            (killed,) = [p for p in instances if p.pid == in_flight.instance]
            killed.send_signal(signal.SIGKILL)  # ... and its sender dies before the answer
            await killed.wait()
            killed_at = len(platform.sent)
            platform.release()
            (survivor,) = [p for p in instances if p is not killed]

            phase = "waiting for the survivor to reach every contact"
            await platform.until(lambda p: len(p.per_address()) == CONTACTS)
            phase = "waiting for every invitation to be marked sent"
            async for unfinished in watcher:
                if unfinished == 0:
                    break
    except TimeoutError:
        tails = "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-25:]) for log in logs
        )
        pytest.fail(
            f"stuck {phase}: {len(platform.sent)} messages to {len(platform.per_address())}"
            f" contacts, {len(platform.lookups)} look-ups\n{tails}"
        )
    finally:
        await watcher.aclose()
        for proc in instances:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()

    assert killed.returncode == -signal.SIGKILL
    received = platform.per_address()
    assert len(received) == CONTACTS
    assert set(received.values()) == {1}, [a for a, n in received.items() if n > 1]
    senders = Counter(s.instance for s in platform.sent)
    assert senders[killed.pid] >= 1 and senders[survivor.pid] >= 1
    after_kill = platform.sent[killed_at:]
    assert after_kill and {s.instance for s in after_kill} == {survivor.pid}
    # the survivor asked the platform before taking over the killed instance's claims
    assert in_flight.key in platform.lookups
    assert all(s.key and s.key.startswith("invite:") for s in platform.sent)
