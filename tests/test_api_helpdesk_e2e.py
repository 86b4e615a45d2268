"""Done when: a helpdesk posts an interaction to a running `klantstem run`, and after the
configured delay the contact gets the survey invitation in Telegram (the Bot API
emulator), sent by the scheduler; SIGTERM then stops the process with exit code 0."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from bot.storage import open_storage
from bot.timeutil import from_text
from tests.fakes.telegram_emulator import emulator
from tests.support.processes import free_port

TOKEN = "123456:klantstem-helpdesk"
CUSTOMER = 5101
KLANTSTEM = str(Path(sys.executable).parent / "klantstem")
DELAY_HOURS = "0.001"  # 3.6 seconds
DEADLINE = 60.0


def klantstem(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [KLANTSTEM, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


async def healthy(url: str, bot: asyncio.subprocess.Process) -> None:
    """Return once `/healthz` answers 200 (polled: the process gives no other sign)."""
    async with httpx.AsyncClient() as client:
        while True:
            assert bot.returncode is None, "klantstem run stopped"
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def test_a_helpdesk_interaction_reaches_the_customer_after_the_delay(
    tmp_path: Path, db_url: str
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(f"ref,name,telegram,language\nC-042,Ann de Vries,{CUSTOMER},en\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with emulator(TOKEN) as users:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KLANTSTEM_TELEGRAM_API_URL": users.url,
            "KLANTSTEM_HTTP_HOST": "127.0.0.1",
            "KLANTSTEM_HTTP_PORT": str(port),
            "KLANTSTEM_INTERACTION_DELAY_HOURS": DELAY_HOURS,
            "KLANTSTEM_QUIET_HOURS": "off",
            "KLANTSTEM_SWEEP_SECONDS": "0.5",
            "KLANTSTEM_LOG_LEVEL": "INFO",
        }
        klantstem(env, "contacts", "import", str(contacts))
        token = klantstem(env, "api-token", "create", "--scope", "write", "--name", "helpdesk")

        with (tmp_path / "bot.log").open("w") as log:
            bot = await asyncio.create_subprocess_exec(KLANTSTEM, "run", env=env, stderr=log)
            try:
                await asyncio.wait_for(healthy(url, bot), DEADLINE)
                async with httpx.AsyncClient() as client:
                    response = await client.post(
                        f"{url}/api/v1/interactions",
                        json={"contact": "C-042", "touchpoint": "support-call"},
                        headers={"Authorization": f"Bearer {token.strip()}"},
                    )
                assert response.status_code == 202, response.text
                messages = await users.wait(CUSTOMER, 1)
            finally:
                bot.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(bot.wait(), DEADLINE)
        assert code == 0, (tmp_path / "bot.log").read_text()[-3000:]

    scheduled = response.json()
    assert scheduled["scheduled"] is True and scheduled["survey"] == "csat"
    invitation = messages[0]
    assert invitation["chat"]["id"] == CUSTOMER
    assert invitation["text"].startswith("Contact satisfaction\n")
    labels = [b["text"] for row in invitation["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Named", "Anonymous"]
    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            row = await tx.conn.fetchone(
                "SELECT status, touchpoint, due_at, sent_at, created_at FROM invitations"
                " WHERE id = ?",
                (scheduled["invitation"],),
            )
    finally:
        await storage.close()
    status, touchpoint, due_at, sent_at, created_at = row
    assert (status, touchpoint) == ("sent", "support-call")
    assert due_at == scheduled["due_at"]
    assert (from_text(due_at) - from_text(created_at)).total_seconds() >= 3
    assert from_text(sent_at) >= from_text(due_at)
