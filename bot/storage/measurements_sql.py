"""Statements of earlier measurements: imported waves (marked, counted, fingerprinted) and
the anonymous answers read back for an export. Answers themselves go in through
`CoreQueries.insert_response_rows`, like every other response."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.driver import Connection, Row
from bot.timeutil import to_text


@dataclass(frozen=True)
class LabelledWave:
    """A stored wave found by its label, with what an import needs to compare against."""

    id: str
    survey_id: str
    imported: bool
    fingerprint: str | None
    invited_count: int | None


class HistoryQueries:
    """Imported waves and exports of anonymous answers (mixed into `Transaction`)."""

    conn: Connection

    async def waves_labelled(self, labels: Sequence[str]) -> dict[str, list[LabelledWave]]:
        """label -> the waves (of any survey) that carry it."""
        if not labels:
            return {}
        marks = ", ".join("?" for _ in labels)
        rows = await self.conn.fetchall(
            "SELECT label, id, survey_id, imported_at, fingerprint, invited_count FROM waves"
            f" WHERE label IN ({marks}) ORDER BY opened_at, id",
            tuple(labels),
        )
        out: dict[str, list[LabelledWave]] = {}
        for r in rows:
            invited = None if r[5] is None else int(r[5])
            wave = LabelledWave(str(r[1]), str(r[2]), r[3] is not None, r[4], invited)
            out.setdefault(str(r[0]), []).append(wave)
        return out

    async def mark_imported(
        self, wave_id: str, now: datetime, invited: int | None, fingerprint: str
    ) -> None:
        """Mark a wave as an imported earlier measurement."""
        await self.conn.execute(
            "UPDATE waves SET imported_at = ?, invited_count = ?, fingerprint = ? WHERE id = ?",
            (to_text(now), invited, fingerprint, wave_id),
        )

    async def set_invited_count(self, wave_id: str, invited: int) -> None:
        """Record how many people an imported wave asked (it was not known at import)."""
        await self.conn.execute(
            "UPDATE waves SET invited_count = ? WHERE id = ? AND imported_at IS NOT NULL",
            (invited, wave_id),
        )

    async def export_attribute_sets(self, survey_id: str, wave_id: str | None) -> list[str]:
        """The distinct attribute sets (stored JSON) of the anonymous answers to export."""
        where, params = _export_scope(survey_id, wave_id)
        rows = await self.conn.fetchall(
            f"SELECT DISTINCT r.attributes FROM responses r WHERE {where}", params
        )
        return [str(r[0]) for r in rows]

    def export_answers(self, survey_id: str, wave_id: str | None) -> AsyncIterator[list[Row]]:
        """Anonymous responses in waves with their answers, a batch of rows at a time, in
        wave order: (wave label, completed_at, attributes, response id, question_id,
        score, choice, text); a response without answers has one row of NULL answers."""
        where, params = _export_scope(survey_id, wave_id)
        return self.conn.stream(
            "SELECT w.label, r.completed_at, r.attributes, r.id, a.question_id, a.score,"
            " a.choice, a.text FROM responses r JOIN waves w ON w.id = r.wave_id"
            f" LEFT JOIN answers a ON a.response_id = r.id WHERE {where}"
            " ORDER BY w.opened_at, w.id, r.id",
            params,
            batch=5000,
        )


def _export_scope(survey_id: str, wave_id: str | None) -> tuple[str, tuple[Any, ...]]:
    """Anonymous responses of a survey given in a wave (one wave, or all)."""
    where = "r.survey_id = ? AND r.anonymous = 1 AND r.wave_id IS NOT NULL"
    if wave_id is None:
        return where, (survey_id,)
    return where + " AND r.wave_id = ?", (survey_id, wave_id)
