"""Release of anonymous answers in batches: the guarantee against an insider.

The threat: someone who holds copies of every file (database, WAL, backups, exports)
taken after release, every log, every report and every named answer. They must not tie a
released anonymous response to fewer than k people (k = `KLANTSTEM_MIN_GROUP_SIZE`).

So an anonymous answer is never written as a response when it is given. The finished
conversation is held, with its person, as an unfinished one is (`held_responses`). A
release turns a batch of at least k held answers into responses in one transaction:
random ids in random order, one date (the release day), attributes coarsened so every
combination occurs at least k times in the batch (`scoring.coarsen`), the language not
kept, and every invitation of the batch marked done without a time. A wave's batch is
released when the wave closes; fewer than k at that moment are withheld: counted as
answered, never stored. Answers outside waves (after interactions, `klantstem try`) are
released as soon as k of one survey wait. After the commit the files are scrubbed
(`Storage.scrub`), so no copy taken after release holds the pages of before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Transaction
from bot.storage.release_sql import HeldResponse
from scoring.coarsen import coarsen

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a release attempt did: how many answers became responses or were withheld."""

    released: int = 0
    withheld: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was written (then the files are scrubbed after the commit)."""
        return bool(self.released or self.withheld)


async def release_outside_waves(tx: Transaction, survey_id: str, k: int, now: datetime) -> Outcome:
    """Release every held answer of a survey given outside waves, once at least k wait."""
    batch = await tx.held_responses(survey_id, None)
    if len(batch) < k:
        return Outcome()
    await _release(tx, batch, k, now)
    return Outcome(released=len(batch))


async def release_wave(
    tx: Transaction, survey_id: str, wave_id: str, k: int, now: datetime
) -> Outcome:
    """At a wave's close: release its held answers as one batch, or withhold fewer than k."""
    batch = await tx.held_responses(survey_id, wave_id)
    if not batch:
        return Outcome()
    if len(batch) < k:
        await tx.withhold_held(batch, wave_id)
        log.info("a wave closed with fewer anonymous answers than the minimum; withheld")
        return Outcome(withheld=len(batch))
    await _release(tx, batch, k, now)
    return Outcome(released=len(batch))


async def release_closed_waves(tx: Transaction, k: int, now: datetime) -> Outcome:
    """Release (or withhold) the held answers of every wave that has closed by now, also
    those past their closing time whose close has not been processed yet."""
    released = withheld = 0
    for wave_id in await tx.waves_with_held():
        wave = await tx.wave(wave_id)
        if wave is None or wave.is_open(now):
            continue
        outcome = await release_wave(tx, wave.survey_id, wave_id, k, now)
        released += outcome.released
        withheld += outcome.withheld
    return Outcome(released, withheld)


async def release_due(tx: Transaction, k: int, now: datetime) -> Outcome:
    """Everything due for release, as the periodic sweep runs it: waves that have closed,
    and surveys outside waves with at least k waiting (answers that completed at the same
    moment on several instances each saw fewer than k and left the release to this)."""
    outcome = await release_closed_waves(tx, k, now)
    released, withheld = outcome.released, outcome.withheld
    for survey_id in await tx.surveys_held_outside_waves(k):
        released += (await release_outside_waves(tx, survey_id, k, now)).released
    return Outcome(released, withheld)


async def _release(tx: Transaction, batch: list[HeldResponse], k: int, now: datetime) -> None:
    attributes = coarsen([_attributes(h.attributes) for h in batch], k)
    await tx.release_held(batch, attributes, now)


def _attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    return {str(key): str(value) for key, value in attributes.items()}
