"""Faults and kills, seeded: a wave answered through a Telegram that fails and a bot that dies.

`klantstem run` is its own process against telegram-test-api (`tests/fakes/
telegram_emulator.py`). A wave goes out to five customers, who answer at the same time.
Before every tap the next fault of the list goes in (a 5xx, a 429 or a timeout, on each
Bot API method the conversation uses, in turn), and at seeded taps the process is
SIGKILLed and started again. Then the wave closes and its results are published, with a
kill while they go out. Afterwards:

- every customer got their invitation, went on to the thank-you and got the results;
- the answers stored are the last ones each customer gave, none lost, none doubled;
- nothing happened twice: one wave, and per customer at most the documented duplicate
  of a message that was in flight at a kill.

`KLANTSTEM_FAULT_SEED` replays another sequence (the default keeps CI repeatable).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.telegram_emulator import TelegramUsers, emulator
from tests.support.bot_process import BotProcess, cli
from tests.support.faults import (
    BATCH,
    SEED,
    Chaos,
    assert_arrived_once,
    assert_stored_as_given,
    consents,
)
from tests.support.telegram_process import TOKEN, bot_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

CUSTOMERS = tuple(7001 + i for i in range(5))
REFS = tuple(f"C-{c}" for c in CUSTOMERS)

METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "getUpdates")
STATUSES = (502, 429, 0)  # 0: a timeout
FAULTS = tuple(
    # A getUpdates held without an answer is what long polling is anyway: no fault.
    (m, s)
    for m, s in itertools.product(METHODS, STATUSES)
    if (m, s) != ("getUpdates", 0)
)
KILLS = 3
"""Kills while customers answer; one more comes while the results go out."""
PATIENCE_MS = 4_000
"""How long a customer waits for the bot before tapping again (a person would)."""
THANKS = "Thank you! Your answers have been saved."
INVITATION = "Customer Value Score\n"
"""How an invitation begins: the survey's title over the first question."""
QUESTIONS = {"satisfied": "satisfaction", "keep buying": "loyalty", "recommend": "recommendation"}
"""Words of each question's text -> its column in the export."""


def is_results(message: dict[str, Any]) -> bool:
    """The published results: the summary under the survey's title and wave."""
    text = str(message["text"])
    return text.startswith("Customer Value Score \u2013") and "answered" in text


def keyboard(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def question_of(message: dict[str, Any]) -> str:
    return next((q for words, q in QUESTIONS.items() if words in message["text"]), "consent")


async def respond(
    users: TelegramUsers, chat: int, consent: str, chaos: Chaos, rng: random.Random
) -> dict[str, str]:
    """Answer what the bot asks `chat` until the thank-you, tapping again when the bot keeps
    quiet for `PATIENCE_MS`; returns the last answer given per question.

    Scores are 7 to 10, so the open question for low recommenders (typed, not tapped)
    does not come up."""
    given: dict[str, str] = {}
    pressed: set[int] = set()
    last: tuple[dict[str, Any], str] | None = None
    messages = await users.wait_for(chat, 1, PATIENCE_MS)  # the invitation
    while not any(m["text"] == THANKS for m in messages):
        asked = [m for m in messages if keyboard(m) and m["message_id"] not in pressed]
        if asked:
            question = asked[-1]
            labels = keyboard(question)
            choices = (
                [consent]
                if consent in labels
                else [v for v in labels if v.isdigit() and int(v) >= 7]
            )
            last = (question, rng.choice(choices))
            await chaos.before_press()
            await users.tap(chat, *last)
            pressed.add(question["message_id"])
            given[question_of(question)] = last[1]
            await chaos.after_press()
        seen = len(messages)
        messages = await users.wait_for(chat, seen + 1, PATIENCE_MS)
        if len(messages) == seen and last is not None:
            await users.tap(chat, *last)  # the bot kept quiet: tap again, as a person does
    return given


async def test_a_wave_survives_platform_faults_and_kills(tmp_path: Path, backend_url: str) -> None:
    rng = random.Random(SEED)
    async with emulator(TOKEN) as users:
        env = {
            **bot_env(users.url, backend_url),
            "KLANTSTEM_SWEEP_SECONDS": "1",
            "KLANTSTEM_OUTBOX_LEASE_SECONDS": "5",
            "KLANTSTEM_QUIET_HOURS": "off",
            "KLANTSTEM_MIN_GROUP_SIZE": str(BATCH),
            "KLANTSTEM_TELEGRAM_START_SURVEY": "",
        }
        contacts = tmp_path / "contacts.csv"
        contacts.write_text(
            "ref,name,telegram\n" + "".join(f"C-{c},Customer {c},{c}\n" for c in CUSTOMERS)
        )
        await cli(env, "contacts", "import", str(contacts))
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()
        taps = 4 * len(CUSTOMERS)

        async def inject(method: str, status: int, times: int) -> None:
            await users.fault(method, status, times=times, retry_after=1)

        chaos = Chaos(FAULTS, inject, bot, rng, set(rng.sample(range(2, taps), KILLS)))
        try:
            wave = (await cli(env, "wave", "start", "cvs")).split()[-1]
            given = await asyncio.gather(
                *(
                    respond(users, c, consent, chaos, random.Random(rng.random()))
                    for c, consent in zip(CUSTOMERS, consents(rng, len(CUSTOMERS)), strict=True)
                )
            )
            await cli(env, "wave", "close", wave)
            await cli(env, "wave", "publish", wave)
            await asyncio.sleep(rng.uniform(0, 1.5))  # a random moment while results go out
            await bot.restart()
            for c in CUSTOMERS:
                await users.wait_until(c, is_results, 60_000)
            everything = await users.messages()
        finally:
            code = await bot.stop()
        exported = await cli(env, "responses", "export", "--survey", "cvs", "--wave", wave)
        waves = await cli(env, "wave", "list")
        named = {ref: await cli(env, "export", ref) for ref in REFS}
    log = (tmp_path / "bot.log").read_text()
    assert code == 0, log[-3000:]

    assert set(chaos.went_in) == set(FAULTS), "every fault went in at least once"
    assert bot.starts == KILLS + 2
    received = {}
    for chat in CUSTOMERS:
        texts = [m["text"] for m in everything[str(chat)]]
        received[str(chat)] = (
            sum(t.startswith(INVITATION) for t in texts),
            texts.count(THANKS),
            sum(map(is_results, everything[str(chat)])),
        )
    assert_arrived_once(received, KILLS + 1)
    assert_stored_as_given(given, REFS, exported, named)
    assert len([line for line in waves.splitlines() if "cvs" in line]) == 1, waves
