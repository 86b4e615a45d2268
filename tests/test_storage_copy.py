"""`klantstem db copy` and `klantstem db migrate`, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import Config
from bot.conversations.service import Inbound, Service
from bot.people.contacts import import_contacts, import_staff, parse_contacts, parse_staff
from bot.storage import Storage, UnsupportedDatabase, open_storage
from bot.storage.copy import data_tables
from bot.storage.migrate import available
from flows import Event, EventKind, builtin_surveys
from tests.conftest import Clock

KLANTSTEM = str(Path(sys.executable).parent / "klantstem")
STAFF = b"ref,name,telegram,admin\njdv,Jan de Vries,111,yes\n"
CONTACTS = (
    "ref,name,telegram,contact_person,segment\n"
    + "".join(f"C{i},Klant {i},{900 + i},jdv,{'retail' if i % 2 else 'b2b'}\n" for i in range(6))
).encode()


def klantstem(*args: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KLANTSTEM_LANGUAGE": "en"}
    if db:
        env["KLANTSTEM_DATABASE_URL"] = db
    return subprocess.run(
        [KLANTSTEM, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def fill(url: str, clock: Clock) -> None:
    """Staff, contacts, and twelve CVS answers: seven named (1), five anonymous (2, released
    together as the fifth completes)."""
    storage = await open_storage(url)
    try:
        async with storage.transaction() as tx:
            await import_staff(tx, parse_staff(STAFF), clock())
            await import_contacts(tx, parse_contacts(CONTACTS), clock())
        service = Service(
            storage,
            builtin_surveys(),
            Config.from_env({"KLANTSTEM_DATABASE_URL": url}),
            clock=clock,
        )
        for n in range(12):
            user = str(900 + n) if n < 7 else f"guest{n}"
            await service.begin("telegram", user, user, "cvs", language="nl")
            for step, text in enumerate(["1" if n < 7 else "2", *scores(n)]):
                clock.advance(minutes=3)
                event = Event(EventKind.TEXT, text)
                await service.handle(Inbound("telegram", user, user, event, f"{user}-{step}"))
    finally:
        await storage.close()


def scores(n: int) -> list[str]:
    # 7 to 10: high enough that the CVS asks no follow-up question
    return [str(7 + (n + k) % 4) for k in range(3)]


async def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a backend-independent order."""
    storage = await open_storage(url)
    try:
        async with storage.transaction(write=False) as tx:
            return {
                t: sorted(
                    (tuple(r) for r in await tx.conn.fetchall(f"SELECT * FROM {t}")), key=repr
                )
                for t in data_tables()
            }
    finally:
        await storage.close()


def figures(url: str) -> list[str]:
    result = klantstem("stats", db=url)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if not line.startswith("Database:")]


async def test_sqlite_to_postgresql_and_back_keeps_every_row_and_figure(
    tmp_path: Path, postgres_url: str, clock: Clock
) -> None:
    original = f"sqlite:///{tmp_path / 'original.db'}"
    back = f"sqlite:///{tmp_path / 'back.db'}"
    await fill(original, clock)

    there = klantstem("db", "copy", "--from", original, "--to", postgres_url)
    assert there.returncode == 0, there.stderr
    assert "Copied" in there.stdout and "responses" in there.stdout
    again = klantstem("db", "copy", "--from", postgres_url, "--to", back)
    assert again.returncode == 0, again.stderr

    rows = await dump(original)
    assert len(rows["responses"]) == 12 and len(rows["answers"]) == 36
    assert await dump(postgres_url) == rows
    assert await dump(back) == rows
    shown = figures(original)
    assert any("CVS (cvs):" in line and "12 respondents" in line for line in shown)
    assert figures(postgres_url) == shown
    assert figures(back) == shown


async def test_copy_refuses_a_target_that_holds_data_unless_told_to_replace(
    backend_url: str, tmp_path: Path, clock: Clock
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await fill(source, clock)
    target: Storage = await open_storage(backend_url)
    async with target.transaction() as tx:
        await tx.audit("cli", "kept", {}, clock())
    await target.close()

    refused = klantstem("db", "copy", "--from", source, "--to", backend_url)
    assert refused.returncode == 1
    assert "Nothing copied" in refused.stderr and "audit_log" in refused.stderr
    assert [r[2] for r in (await dump(backend_url))["audit_log"]] == ["cli"]

    replaced = klantstem("db", "copy", "--from", source, "--to", backend_url, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert await dump(backend_url) == await dump(source)


def test_migrate_upgrades_once_then_reports_the_version(backend_url: str) -> None:
    latest = available()[-1]
    first = klantstem("db", "migrate", db=backend_url)
    assert first.returncode == 0, first.stderr
    assert f"applied {latest.name}" in first.stdout
    second = klantstem("db", "migrate", db=backend_url)
    assert second.returncode == 0, second.stderr
    assert f"already at schema version {latest.version}." in second.stdout
    assert "applied" not in second.stdout


async def test_a_database_from_a_newer_klantstem_stops_every_command(backend_url: str) -> None:
    storage = await open_storage(backend_url)
    async with storage.transaction() as tx:
        await tx.conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, ?, ?)",
            ("9999_future.sql", "2030-01-01T00:00:00Z"),
        )
    await storage.close()
    for command in (("db", "migrate"), ("stats",)):
        result = klantstem(*command, db=backend_url)
        assert result.returncode == 2
        assert "schema version 9999" in result.stderr and "upgrade Klantstem" in result.stderr


async def test_postgresql_without_its_driver_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    monkeypatch.delitem(sys.modules, "bot.storage.postgres", raising=False)
    with pytest.raises(UnsupportedDatabase, match=r"pip install 'klantstem\[postgres\]'"):
        await open_storage("postgresql://klantstem@db.example/klantstem")


def test_an_unreachable_database_is_a_one_line_error_without_the_password() -> None:
    result = klantstem("db", "migrate", db="postgresql://bot:hunter2@127.0.0.1:1/klantstem")
    assert result.returncode == 2
    assert "cannot open the database at postgresql://bot:***@127.0.0.1:1/klantstem" in (
        result.stderr
    )
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
