"""What the seeded fault-injection tests share: the seed and who answers anonymously."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tests.support.bot_process import BotProcess

SEED = int(os.environ.get("KLANTSTEM_FAULT_SEED", "20261204"))
"""`KLANTSTEM_FAULT_SEED` replays another sequence; the default keeps CI repeatable."""
BATCH = 3
"""The minimum group size the tests run with: anonymous answers are released in batches
of at least this many, so this many people answer anonymously."""


def consents(rng: random.Random, people: int) -> list[str]:
    """Each person's consent: `BATCH` anonymous, the rest named, in a seeded order."""
    chosen = ["Anonymous"] * BATCH + ["Named"] * (people - BATCH)
    rng.shuffle(chosen)
    return chosen


CVS = ("satisfaction", "loyalty", "recommendation")


def assert_stored_as_given(
    given: Sequence[dict[str, str]], refs: Sequence[str], exported: str, named: dict[str, str]
) -> None:
    """The answers stored are exactly the last ones each person gave: the anonymous ones
    in `responses export` (CSV), each named one once in `klantstem export REF` (JSON)."""
    anonymous = sorted(tuple(r[q] for q in CVS) for r in csv.DictReader(io.StringIO(exported)))
    assert anonymous == sorted(
        tuple(g[q] for q in CVS) for g in given if g["consent"] == "Anonymous"
    )
    for ref, g in zip(refs, given, strict=True):
        if g["consent"] == "Named":
            (response,) = json.loads(named[ref])["responses"]  # stored once
            stored = {a["question_id"]: str(a["score"]) for a in response["answers"]}
            assert stored == {q: g[q] for q in CVS}


Inject = Callable[[str, int, int], Awaitable[None]]
"""Make the platform fail the next `times` calls of `method` with `status` (0: timeout)."""


@dataclass
class Chaos:
    """The seeded plan: which fault goes in before each press, and which presses a kill
    follows (at a random moment while the press is handled)."""

    faults: Sequence[tuple[str, int]]
    inject: Inject
    bot: BotProcess
    rng: random.Random
    kill_at: set[int]
    presses: int = 0
    injected: int = 0
    went_in: Counter[tuple[str, int]] = field(default_factory=Counter)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def before_press(self) -> None:
        """Put the next fault of the list in."""
        method, status = self.faults[self.injected % len(self.faults)]
        self.injected += 1
        await self.inject(method, status, self.rng.randint(1, 2))
        self.went_in[method, status] += 1

    async def after_press(self) -> None:
        """Count the press; at a seeded one, SIGKILL the bot and start it again."""
        async with self.lock:
            self.presses += 1
            if self.presses in self.kill_at:
                await asyncio.sleep(self.rng.uniform(0, 0.5))  # a random moment, not a wait
                await self.bot.restart()


def assert_arrived_once(received: Mapping[str, tuple[int, ...]], kills: int) -> None:
    """Everyone got each message (invitation, thank-you, results) at least once, and no
    more duplicates than one per kill (the messages in flight at a kill)."""
    for person, counts in received.items():
        assert all(n >= 1 for n in counts), (person, counts)
    doubled = sum(n - 1 for counts in received.values() for n in counts)
    assert doubled <= kills, "at most the messages in flight at a kill arrive twice"
