"""Faults and kills, seeded: a wave answered in Slack DMs through a Web API that fails and a
bot that dies.

`klantstem run` is its own process in Slack's HTTP mode, between the Web API recorder
(`tests/fakes/slack_api.py`) and a sender that signs requests as Slack does
(`tests/fakes/slack_platform.py`). A wave goes out to four people, who answer at the same
time. Before every press the next fault of the list goes in (a 5xx, a 429, or a
connection closed unanswered, on each Web API method a conversation uses, in turn), and
at seeded presses the process is SIGKILLed and started again. A press the bot did not
acknowledge (it was down, or answered 5xx) is pressed again, as a person does when Slack
says the app did not respond. Then the wave closes and its results are published, with
a kill while they go out. Afterwards every person went on to the thank-you and got the
results, the stored answers are the last ones given, and nothing happened twice beyond
the messages in flight at a kill.

`KLANTSTEM_FAULT_SEED` replays another sequence (the default keeps CI repeatable).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.slack.blocks import ANSWER_ACTION
from tests.fakes.slack_api import TOKEN, FakeSlackApi, serve
from tests.fakes.slack_platform import SIGNING_SECRET, SlackSender
from tests.support.bot_process import BotProcess, cli
from tests.support.faults import (
    BATCH,
    SEED,
    Chaos,
    assert_arrived_once,
    assert_stored_as_given,
    consents,
)
from tests.support.processes import free_port
from tests.support.slack_harness import buttons, texts

pytestmark = pytest.mark.slow

PEOPLE = {f"U0PERSON{i:02}": (f"person{i}@example.com", "en-GB") for i in range(4)}
REFS = tuple(PEOPLE)

METHODS = ("chat.postMessage", "chat.update", "conversations.open")
STATUSES = (500, 503, 429, 0)  # 0: the connection closed without an answer
FAULTS = tuple(itertools.product(METHODS, STATUSES))
KILLS = 3
"""Kills while people answer; one more comes while the results go out."""
PATIENCE = 4.0
"""Seconds a person waits for the bot before pressing again."""
THANKS = "Thank you! Your answers have been saved."
QUESTIONS = {"satisfied": "satisfaction", "keep buying": "loyalty", "recommend": "recommendation"}


def dm(user: str) -> str:
    return "D" + user[1:]


def screen(api: FakeSlackApi, channel: str) -> list[dict[str, Any]]:
    """A DM's messages as the person sees them: each post with its latest update."""
    shown = {post["ts"]: post for post in api.posts(channel)}
    for update in api.to("chat.update"):
        if update["channel"] == channel and update["ts"] in shown:
            shown[update["ts"]] = {**shown[update["ts"]], **update}
    return [shown[ts] for ts in sorted(shown)]


def is_results(message: dict[str, Any]) -> bool:
    text = str(message.get("text", ""))
    return text.startswith("Customer Value Score \u2013") and "answered" in text


def answers(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in buttons(message) if b["action_id"].startswith(f"{ANSWER_ACTION}.")]


async def press(
    slack: SlackSender, bot: BotProcess, user: str, message: dict[str, Any], action: dict[str, Any]
) -> None:
    """Press until the bot acknowledges: Slack does not resend a press it got no 200 for."""
    for _ in range(20):
        await asyncio.wait_for(bot.running.wait(), 60)
        try:
            if (await slack.press(user, dm(user), message, action)).status == 200:
                return
        except aiohttp.ClientError:
            pass  # killed while the press was on its way
    raise AssertionError(f"the bot never acknowledged {user}'s press")


async def respond(
    api: FakeSlackApi,
    slack: SlackSender,
    chaos: Chaos,
    user: str,
    consent: str,
    rng: random.Random,
) -> dict[str, str]:
    """Answer what the bot asks `user` until the thank-you, pressing again when it keeps
    quiet for `PATIENCE`; returns the last answer given per question (scores 7 to 10, so
    the open question for low recommenders does not come up)."""
    given: dict[str, str] = {}
    pressed: set[str] = set()
    last: tuple[dict[str, Any], dict[str, Any]] | None = None
    while True:
        seen = api.version
        shown = screen(api, dm(user))
        if any(THANKS in texts(m) for m in shown):
            return given
        asked = [m for m in shown if answers(m) and m["ts"] not in pressed]
        if asked:
            message = asked[-1]
            options = answers(message)
            labels = [b["text"]["text"] for b in options]
            if consent in labels:
                options = [b for b in options if b["text"]["text"] == consent]
            else:
                options = [b for b in options if int(b["text"]["text"]) >= 7]
            action = rng.choice(options)
            await chaos.before_press()
            await press(slack, chaos.bot, user, message, action)
            pressed.add(message["ts"])
            question = next((q for w, q in QUESTIONS.items() if w in texts(message)), "consent")
            given[question] = action["text"]["text"]
            last = (message, action)
            await chaos.after_press()
        elif not await api.changed(seen, PATIENCE) and last is not None:
            await press(slack, chaos.bot, user, *last)  # the bot kept quiet: press again


async def results_everywhere(api: FakeSlackApi) -> None:
    while not all(any(map(is_results, screen(api, dm(u)))) for u in PEOPLE):
        seen = api.version
        assert await api.changed(seen, 60), "results did not reach everyone"


async def test_a_slack_wave_survives_web_api_faults_and_kills(
    tmp_path: Path, backend_url: str
) -> None:
    rng = random.Random(SEED)
    port = free_port()
    async with serve(PEOPLE) as api, aiohttp.ClientSession() as session:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": backend_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api.url,
            "KLANTSTEM_HTTP_HOST": "127.0.0.1",
            "KLANTSTEM_HTTP_PORT": str(port),
            "KLANTSTEM_LOG_LEVEL": "INFO",
            "KLANTSTEM_SWEEP_SECONDS": "1",
            "KLANTSTEM_OUTBOX_LEASE_SECONDS": "5",
            "KLANTSTEM_QUIET_HOURS": "off",
            "KLANTSTEM_MIN_GROUP_SIZE": str(BATCH),
        }
        people = tmp_path / "contacts.csv"
        people.write_text("ref,name,slack\n" + "".join(f"{u},{u},{u}\n" for u in PEOPLE))
        await cli(env, "contacts", "import", str(people))
        slack = SlackSender(f"http://127.0.0.1:{port}/slack/events", session)
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()

        async def inject(method: str, status: int, times: int) -> None:
            if status == 429:
                api.throttle(method, times=times, retry_after=1)
            else:
                api.fail(method, status, times=times)

        kill_at = set(rng.sample(range(2, 4 * len(PEOPLE)), KILLS))
        chaos = Chaos(FAULTS, inject, bot, rng, kill_at)
        try:
            await asyncio.wait_for(bot.running.wait(), 60)
            wave = (await cli(env, "wave", "start", "cvs")).split()[-1]
            given = await asyncio.gather(
                *(
                    respond(api, slack, chaos, u, consent, random.Random(rng.random()))
                    for u, consent in zip(PEOPLE, consents(rng, len(PEOPLE)), strict=True)
                )
            )
            await cli(env, "wave", "close", wave)
            await cli(env, "wave", "publish", wave)
            await asyncio.sleep(rng.uniform(0, 1.5))  # a random moment while results go out
            await bot.restart()
            await asyncio.wait_for(results_everywhere(api), 120)
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
    for user in PEOPLE:
        shown = screen(api, dm(user))
        received[user] = (
            sum("Customer Value Score" in texts(m) and not is_results(m) for m in shown),
            sum(THANKS in texts(m) for m in shown),
            sum(map(is_results, shown)),
        )
    assert_arrived_once(received, KILLS + 1)
    assert_stored_as_given(given, REFS, exported, named)
    assert len([line for line in waves.splitlines() if "cvs" in line]) == 1, waves
