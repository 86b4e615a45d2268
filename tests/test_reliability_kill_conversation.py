"""SIGKILL in the middle of a conversation, then a restart: the respondent goes on where
they were.

`klantstem run` is its own process against telegram-test-api (`tests/fakes/
telegram_emulator.py`). A customer answers two questions, the bot is killed with SIGKILL
before it confirmed the last update to Telegram, and a new process starts. The update that
Telegram hands out again is recognised and changes nothing, the question already on the
customer's screen is not sent a second time, and the next answers complete the survey.
"""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest

from bot.storage import open_storage
from tests.fakes.telegram_emulator import emulator
from tests.support.telegram_process import CUSTOMER, KLANTSTEM, TOKEN, answer, bot_env, klantstem

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


async def test_a_respondent_killed_mid_survey_goes_on_where_they_were(
    tmp_path: Path, db_url: str
) -> None:
    async with emulator(TOKEN) as users:
        env = bot_env(users.url, db_url)
        (tmp_path / "contacts.csv").write_text("ref,name\nC-001,Ann de Vries\n")
        klantstem(env, "contacts", "import", str(tmp_path / "contacts.csv"))
        printed = klantstem(env, "contacts", "link", "C-001", "--channel", "telegram").stdout
        link = re.search(r"start=(\S+)", printed)
        assert link, printed
        log = tmp_path / "bot.log"

        with log.open("w") as sink:
            first = await asyncio.create_subprocess_exec(KLANTSTEM, "run", env=env, stderr=sink)
            try:
                await users.command(CUSTOMER, f"/start {link.group(1)}")
                await answer(users, 1, "Named")
                await answer(users, 2, "8")
                await users.wait(CUSTOMER, 3)  # the third question is on the screen
            finally:
                first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL

            second = await asyncio.create_subprocess_exec(KLANTSTEM, "run", env=env, stderr=sink)
            try:
                await answer(users, 3, "9")
                await answer(users, 4, "10")
                messages = await users.wait(CUSTOMER, 5)
            finally:
                second.send_signal(signal.SIGTERM)
                code = await second.wait()
        assert code == 0, log.read_text()[-2000:]
        everything = (await users.messages())[str(CUSTOMER)]

    assert len(everything) == 5, "the restart sent no question a second time"
    assert messages[-1]["text"] == "Thank you! Your answers have been saved."
    assert [m["text"].rsplit("\n", 1)[-1] for m in everything[:4]] == [
        "Your answer: Named",
        "Your answer: 8",
        "Your answer: 9",
        "Your answer: 10",
    ]
    storage = await open_storage(db_url)
    try:
        async with storage.transaction(write=False) as tx:
            rows = await tx.conn.fetchall(
                "SELECT a.question_id, a.score FROM answers a ORDER BY a.question_id"
            )
            open_sessions = await tx.conn.fetchall("SELECT 1 FROM sessions")
    finally:
        await storage.close()
    assert [tuple(r) for r in rows] == [("loyalty", 9), ("recommendation", 10), ("satisfaction", 8)]
    assert open_sessions == []
