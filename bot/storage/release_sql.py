"""Statements of held anonymous answers and their release in batches.

A finished anonymous conversation is held (`held_responses`) with its person until a batch
of at least k is released. `release_held` writes the batch as responses in one statement
per table: random ids, rows in random order, one date, the attributes as coarsened by the
caller, and every invitation of the batch marked done without a time. `withhold_held`
ends a batch too small to release: its invitations count as answered, its answers go.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.driver import Connection
from bot.storage.records import StoredAnswer
from bot.timeutil import day_text, to_text


@dataclass(frozen=True)
class HeldResponse:
    """A finished anonymous conversation waiting for its batch."""

    survey_id: str
    survey_version: int
    wave_id: str | None
    invitation_id: str | None
    identity_id: str | None
    attributes: dict[str, str]
    answers: tuple[StoredAnswer, ...]
    id: str = ""


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ResponseRows:
    """The one statement pair that writes responses and their answers."""

    conn: Connection

    async def insert_response_rows(
        self, responses: Iterable[Sequence[Any]], answers: Iterable[Sequence[Any]]
    ) -> None:
        """Insert responses and their answers as plain rows, one `executemany` each (bulk
        imports). Response rows: id, survey_id, survey_version, wave_id, anonymous,
        contact_id, identity_id, language, attributes (`compact_json`), completed_at;
        answer rows: response_id, question_id, survey_id, wave_id, score, choice, text."""
        await self.conn.executemany(
            "INSERT INTO responses (id, survey_id, survey_version, wave_id, anonymous,"
            " contact_id, identity_id, language, attributes, completed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            responses,
        )
        await self.conn.executemany(
            "INSERT INTO answers (response_id, question_id, survey_id, wave_id, score, choice,"
            " text) VALUES (?, ?, ?, ?, ?, ?, ?)",
            answers,
        )


class ReleaseQueries(ResponseRows):
    """Hold, count, release and withhold anonymous answers."""

    async def hold_response(self, held: HeldResponse, now: datetime) -> None:
        """Keep a finished anonymous conversation until its batch is released."""
        answers = [[a.question_id, a.score, a.choice, a.text] for a in held.answers]
        await self.conn.execute(
            "INSERT INTO held_responses (id, survey_id, survey_version, wave_id, invitation_id,"
            " identity_id, attributes, answers, held_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                secrets.token_hex(16),
                held.survey_id,
                held.survey_version,
                held.wave_id,
                held.invitation_id,
                held.identity_id,
                _json(held.attributes),
                _json(answers),
                to_text(now),
            ),
        )

    async def held_responses(self, survey_id: str, wave_id: str | None) -> list[HeldResponse]:
        """The held answers of one wave, or (wave None) of the survey outside waves, taken
        for release: on PostgreSQL rows another instance is releasing are skipped, so two
        instances never release one answer twice (each batch they release has k)."""
        condition = "wave_id = ?" if wave_id is not None else "wave_id IS NULL"
        params = (survey_id, wave_id) if wave_id is not None else (survey_id,)
        rows = await self.conn.fetchall(
            "SELECT id, survey_id, survey_version, wave_id, invitation_id, identity_id,"
            f" attributes, answers FROM held_responses WHERE survey_id = ? AND {condition}"
            + self.conn.claim_clause,
            params,
        )
        return [
            HeldResponse(
                survey_id=str(r[1]),
                survey_version=int(r[2]),
                wave_id=r[3],
                invitation_id=r[4],
                identity_id=r[5],
                attributes=dict(json.loads(r[6])),
                answers=tuple(StoredAnswer(*a) for a in json.loads(r[7])),
                id=str(r[0]),
            )
            for r in rows
        ]

    async def held_count(self, survey_id: str, wave_id: str | None = None) -> int:
        """How many anonymous answers of a survey (or of one wave) wait for release."""
        if wave_id is None:
            row = await self.conn.fetchone(
                "SELECT COUNT(*) FROM held_responses WHERE survey_id = ?", (survey_id,)
            )
        else:
            row = await self.conn.fetchone(
                "SELECT COUNT(*) FROM held_responses WHERE survey_id = ? AND wave_id = ?",
                (survey_id, wave_id),
            )
        return int(row[0]) if row else 0

    async def held_counts(self) -> dict[str, int]:
        """survey id -> anonymous answers waiting for release."""
        rows = await self.conn.fetchall(
            "SELECT survey_id, COUNT(*) FROM held_responses GROUP BY survey_id"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def surveys_held_outside_waves(self, at_least: int) -> list[str]:
        """Surveys with at least `at_least` held answers given outside waves."""
        rows = await self.conn.fetchall(
            "SELECT survey_id FROM held_responses WHERE wave_id IS NULL"
            " GROUP BY survey_id HAVING COUNT(*) >= ?",
            (at_least,),
        )
        return [str(r[0]) for r in rows]

    async def waves_with_held(self) -> list[str]:
        """Ids of waves that hold anonymous answers (to release those whose wave closed)."""
        rows = await self.conn.fetchall(
            "SELECT DISTINCT wave_id FROM held_responses WHERE wave_id IS NOT NULL"
        )
        return [str(r[0]) for r in rows]

    async def release_held(
        self,
        batch: Sequence[HeldResponse],
        attributes: Sequence[dict[str, str]],
        day: datetime,
    ) -> None:
        """Write a batch as anonymous responses (attributes[i] for batch[i], coarsened by
        the caller) and delete it; mark its invitations done without a time."""
        rng = random.SystemRandom()
        order = list(range(len(batch)))
        rng.shuffle(order)
        released = day_text(day)
        responses: list[tuple[object, ...]] = []
        answers: list[tuple[object, ...]] = []
        for i in order:
            held = batch[i]
            rid = secrets.token_hex(16)
            responses.append(
                (
                    rid,
                    held.survey_id,
                    held.survey_version,
                    held.wave_id,
                    1,
                    None,
                    None,
                    "",
                    _json(attributes[i]),
                    released,
                )
            )
            answers.extend(
                (rid, a.question_id, held.survey_id, held.wave_id, a.score, a.choice, a.text)
                for a in held.answers
            )
        rng.shuffle(answers)
        await self.insert_response_rows(responses, answers)
        await self._end_held(batch)

    async def withhold_held(self, batch: Sequence[HeldResponse], wave_id: str) -> None:
        """End a wave's batch that is too small to release: its invitations count as
        answered, its answers are deleted and only their number is kept on the wave."""
        await self._end_held(batch)
        await self.conn.execute(
            "UPDATE waves SET withheld_count = withheld_count + ? WHERE id = ?",
            (len(batch), wave_id),
        )

    async def _end_held(self, batch: Sequence[HeldResponse]) -> None:
        await self.conn.executemany(
            "UPDATE invitations SET status = 'done', answered_at = NULL WHERE id = ?",
            [(h.invitation_id,) for h in batch if h.invitation_id],
        )
        await self.conn.executemany(
            "DELETE FROM held_responses WHERE id = ?", [(h.id,) for h in batch]
        )

    async def delete_held_of(self, identity_ids: Sequence[str]) -> int:
        """Forget the held answers of a person's identities; returns how many went."""
        if not identity_ids:
            return 0
        marks = ", ".join("?" for _ in identity_ids)
        return await self.conn.execute(
            f"DELETE FROM held_responses WHERE identity_id IN ({marks})", tuple(identity_ids)
        )
