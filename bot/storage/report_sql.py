"""Report queries: score histograms grouped by wave, period, attribute or answer, counts of
invitations, flag times, certificate evidence and publications of results.

Every figure starts as a GROUP BY over `answers` (DESIGN.md, decision 5); no answer row
is ever loaded into Python. The SQL is portable (SQLite and PostgreSQL): breakdowns by
imported attribute group by the stored attributes text as a whole, and the few distinct
attribute sets are unpacked here, so no dialect's JSON functions are needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from bot.storage.driver import Connection, id_prefix_pattern
from bot.timeutil import from_text, to_text

Histogram = dict[int, int]
Histograms = dict[str, Histogram]
"""question id -> {score: respondents}"""

PeriodUnit = Literal["month", "quarter"]
NOT_SET = ""
"""Group label for respondents without the attribute or without an answer to the question."""

_PERIOD_SQL: dict[str, str] = {
    "month": "substr({column}, 1, 7)",
    "quarter": (
        "substr({column}, 1, 4) || '-Q' ||"
        " CAST((CAST(substr({column}, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
    ),
}
"""A stored UTC time's period as text: '2026-11' or '2026-Q4'."""


@dataclass(frozen=True)
class CompletedSpan:
    """When the first and the last response of a slice were completed."""

    first: datetime
    last: datetime


@dataclass(frozen=True)
class Slice:
    """Which responses of a survey a query covers: one wave, a time span (optionally only
    responses outside waves, i.e. after interactions), or all; `anonymous_only` keeps
    only the anonymous responses, whose counts decide what a group may show."""

    survey_id: str
    wave_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    outside_waves: bool = False
    anonymous_only: bool = False

    @property
    def needs_responses(self) -> bool:
        """Whether the filter reads `responses` (times and anonymity live there, not on
        answers)."""
        return self.since is not None or self.until is not None or self.anonymous_only

    def anonymous(self) -> Slice:
        """The same slice, its anonymous responses only."""
        return replace(self, anonymous_only=True)

    def where(self, table: str = "a") -> tuple[str, list[Any]]:
        """The condition on `table` (answers `a` or responses `r`, both carry survey and
        wave) plus, for times, responses `r`; and its parameters."""
        sql, params = [f"{table}.survey_id = ?"], [self.survey_id]
        if self.wave_id is not None:
            sql.append(f"{table}.wave_id = ?")
            params.append(self.wave_id)
        if self.outside_waves:
            sql.append(f"{table}.wave_id IS NULL")
        if self.since is not None:
            sql.append("r.completed_at >= ?")
            params.append(to_text(self.since))
        if self.until is not None:
            sql.append("r.completed_at < ?")
            params.append(to_text(self.until))
        if self.anonymous_only:
            sql.append("r.anonymous = 1")
        return " AND ".join(sql), params


@dataclass(frozen=True)
class _Grouping:
    """A GROUP BY key over answers `a`: its SELECT expression, the joins it needs."""

    expression: str
    params: tuple[Any, ...] = ()
    join: str = ""
    join_params: tuple[Any, ...] = ()
    needs_responses: bool = False


_RESPONSES_JOIN = " JOIN responses r ON r.id = a.response_id"
_BY_WAVE = _Grouping("a.wave_id")
_BY_ATTRIBUTES = _Grouping("r.attributes", needs_responses=True)


def _by_period(unit: PeriodUnit) -> _Grouping:
    return _Grouping(_PERIOD_SQL[unit].format(column="r.completed_at"), needs_responses=True)


def _by_choice(question_id: str) -> _Grouping:
    return _Grouping(
        "c.choice",
        join=" LEFT JOIN answers c ON c.response_id = a.response_id AND c.question_id = ?",
        join_params=(question_id,),
    )


def _by_nps_group(question_id: str, promoter_from: int, passive_from: int) -> _Grouping:
    return _Grouping(
        "CASE WHEN c.score IS NULL THEN NULL WHEN c.score >= ? THEN 'promoter'"
        " WHEN c.score >= ? THEN 'passive' ELSE 'detractor' END",
        params=(promoter_from, passive_from),
        join=" LEFT JOIN answers c ON c.response_id = a.response_id AND c.question_id = ?",
        join_params=(question_id,),
    )


@dataclass(frozen=True)
class WaveRow:
    """A wave as reports need it."""

    id: str
    survey_id: str
    survey_version: int
    label: str
    opened_at: str
    closes_at: str | None
    closed_at: str | None
    withheld: int = 0
    """Anonymous answers withheld at the close: fewer than the minimum group size."""


@dataclass(frozen=True)
class FlagTimes:
    """When one flag was raised, forwarded and closed (stored UTC text, None if not yet)."""

    raised_at: str
    forwarded_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class EvidenceRow:
    """A certificate criterion an admin vouched for."""

    id: str
    criterion: str
    note: str
    recorded_by: str
    recorded_at: str


@dataclass(frozen=True)
class Recipient:
    """Someone a wave's results go back to: 'contact:<id>' or 'staff:<id>', their language,
    and their chat address per channel."""

    key: str
    language: str | None
    chats: dict[str, str]


_WAVE_COLUMNS = (
    "id, survey_id, survey_version, label, opened_at, closes_at, closed_at, withheld_count"
)


class ReportQueries:
    """Aggregates for reports, evidence and publications (mixed into `Transaction`)."""

    conn: Connection

    # -- waves --------------------------------------------------------------------------

    async def report_waves(self, survey_id: str) -> list[WaveRow]:
        """Every wave of a survey, oldest first."""
        rows = await self.conn.fetchall(
            f"SELECT {_WAVE_COLUMNS} FROM waves WHERE survey_id = ? ORDER BY opened_at, id",
            (survey_id,),
        )
        return [_wave(r) for r in rows]

    async def report_wave(self, wave: str) -> WaveRow | None:
        """A wave by id, by label (the latest with that label), or by the first characters
        of its id when they match one wave only."""
        row = await self.conn.fetchone(f"SELECT {_WAVE_COLUMNS} FROM waves WHERE id = ?", (wave,))
        if row is None:
            row = await self.conn.fetchone(
                f"SELECT {_WAVE_COLUMNS} FROM waves WHERE label = ?"
                " ORDER BY opened_at DESC, id LIMIT 1",
                (wave,),
            )
        pattern = id_prefix_pattern(wave)
        if row is None and pattern != "%":
            rows = await self.conn.fetchall(
                f"SELECT {_WAVE_COLUMNS} FROM waves WHERE id LIKE ? LIMIT 2", (pattern,)
            )
            row = rows[0] if len(rows) == 1 else None
        return _wave(row) if row else None

    async def latest_wave(self) -> WaveRow | None:
        """The most recently opened wave of any survey."""
        row = await self.conn.fetchone(
            f"SELECT {_WAVE_COLUMNS} FROM waves ORDER BY opened_at DESC, id LIMIT 1"
        )
        return _wave(row) if row else None

    async def latest_response_survey(self) -> str | None:
        """The survey of the most recent response, if any."""
        row = await self.conn.fetchone(
            "SELECT survey_id FROM responses ORDER BY completed_at DESC, survey_id LIMIT 1"
        )
        return str(row[0]) if row else None

    async def invited(self, wave_id: str) -> int:
        """How many people a wave invited (the population asked): its invitations, or the
        count an imported earlier measurement brought along."""
        row = await self.conn.fetchone(
            "SELECT COALESCE((SELECT invited_count FROM waves WHERE id = ?), COUNT(*))"
            " FROM invitations WHERE wave_id = ?",
            (wave_id, wave_id),
        )
        return int(row[0]) if row else 0

    async def invited_by_period(self, survey_id: str, unit: PeriodUnit) -> dict[str, int]:
        """period -> invitations sent after interactions (no wave) in that period."""
        expression = _PERIOD_SQL[unit].format(column="sent_at")
        rows = await self.conn.fetchall(
            f"SELECT {expression}, COUNT(*) FROM invitations WHERE survey_id = ?"
            " AND wave_id IS NULL AND sent_at IS NOT NULL GROUP BY 1",
            (survey_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def responses_by_wave(self, survey_id: str) -> dict[str, int]:
        """wave id -> completed responses, for the waves of a survey that have any."""
        rows = await self.conn.fetchall(
            "SELECT wave_id, COUNT(*) FROM responses WHERE survey_id = ?"
            " AND wave_id IS NOT NULL GROUP BY wave_id",
            (survey_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def held_outside_waves(self, survey_id: str) -> int:
        """How many anonymous answers of a survey given outside waves wait for release."""
        row = await self.conn.fetchone(
            "SELECT COUNT(*) FROM held_responses WHERE survey_id = ? AND wave_id IS NULL",
            (survey_id,),
        )
        return int(row[0]) if row else 0

    async def withheld_counts(self) -> dict[str, int]:
        """survey id -> anonymous answers withheld when its waves closed (too few)."""
        rows = await self.conn.fetchall(
            "SELECT survey_id, SUM(withheld_count) FROM waves GROUP BY survey_id"
            " HAVING SUM(withheld_count) > 0"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def with_attributes(self, scope: Slice) -> int:
        """How many responses of a slice carry imported attributes (for breakdowns)."""
        where, params = scope.where("r")
        row = await self.conn.fetchone(
            f"SELECT COUNT(*) FROM responses r WHERE {where} AND r.attributes <> '{{}}'", params
        )
        return int(row[0]) if row else 0

    async def action_items_for(self, mirror_wave_id: str) -> int:
        """How many action items (G-F4) were made from a mirror wave."""
        row = await self.conn.fetchone(
            "SELECT COUNT(*) FROM action_items WHERE mirror_wave_id = ?", (mirror_wave_id,)
        )
        return int(row[0]) if row else 0

    async def respondent_counts(self, scope: Slice) -> tuple[int, int]:
        """(named, anonymous) responses in a slice."""
        where, params = scope.where("r")
        row = await self.conn.fetchone(
            "SELECT COALESCE(SUM(1 - r.anonymous), 0), COALESCE(SUM(r.anonymous), 0)"
            f" FROM responses r WHERE {where}",
            params,
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def completed_span(self, scope: Slice) -> CompletedSpan | None:
        """The first and last completion time in a slice."""
        where, params = scope.where("r")
        row = await self.conn.fetchone(
            f"SELECT MIN(r.completed_at), MAX(r.completed_at) FROM responses r WHERE {where}",
            params,
        )
        if row is None or row[0] is None:
            return None
        return CompletedSpan(from_text(str(row[0])), from_text(str(row[1])))

    async def answered_versions(self, scope: Slice) -> list[int]:
        """The questionnaire versions the responses of a slice were given to."""
        where, params = scope.where("r")
        rows = await self.conn.fetchall(
            f"SELECT DISTINCT r.survey_version FROM responses r WHERE {where} ORDER BY 1", params
        )
        return [int(r[0]) for r in rows]

    # -- histograms ---------------------------------------------------------------------

    async def histograms(self, scope: Slice) -> Histograms:
        """question id -> histogram of scores, for a slice."""
        where, params = scope.where()
        join = _RESPONSES_JOIN if scope.needs_responses else ""
        rows = await self.conn.fetchall(
            f"SELECT a.question_id, a.score, COUNT(*) FROM answers a{join}"
            f" WHERE {where} AND a.score IS NOT NULL GROUP BY a.question_id, a.score",
            params,
        )
        out: Histograms = {}
        for question_id, score, n in rows:
            out.setdefault(str(question_id), {})[int(score)] = int(n)
        return out

    async def sum_histograms(self, scope: Slice, question_ids: Sequence[str]) -> Histogram:
        """{per-respondent sum of the questions: respondents}, for those who answered all."""
        grouped = await self._grouped_sums(scope, question_ids, None)
        return grouped.get(NOT_SET, {})

    async def histograms_by_wave(
        self, survey_id: str, *, anonymous_only: bool = False
    ) -> dict[str, Histograms]:
        """wave id -> question histograms, for every wave of a survey."""
        scope = Slice(survey_id, anonymous_only=anonymous_only)
        return await self._grouped(scope, _BY_WAVE, "a.wave_id IS NOT NULL")

    async def histograms_by_period(
        self, survey_id: str, unit: PeriodUnit, *, anonymous_only: bool = False
    ) -> dict[str, Histograms]:
        """period ('2026-11' or '2026-Q4') -> question histograms of responses outside waves."""
        scope = Slice(survey_id, anonymous_only=anonymous_only)
        return await self._grouped(scope, _by_period(unit), "a.wave_id IS NULL")

    async def sum_histograms_by_period(
        self,
        survey_id: str,
        question_ids: Sequence[str],
        unit: PeriodUnit,
        *,
        anonymous_only: bool = False,
    ) -> dict[str, Histogram]:
        """period -> per-respondent sum histogram of responses outside waves."""
        scope = Slice(survey_id, anonymous_only=anonymous_only)
        return await self._grouped_sums(scope, question_ids, _by_period(unit), "a.wave_id IS NULL")

    async def histograms_by_attribute(
        self, scope: Slice, questions: Sequence[str] | None = None
    ) -> dict[str, dict[str, Histograms]]:
        """attribute -> value -> question histograms (of some questions, or all); NOT_SET
        holds those without the attribute."""
        return _by_attribute(await self._grouped(scope, _BY_ATTRIBUTES, questions=questions))

    async def sum_histograms_by_attribute(
        self, scope: Slice, question_ids: Sequence[str]
    ) -> dict[str, dict[str, Histogram]]:
        """attribute -> value -> per-respondent sum histogram."""
        grouped = await self._grouped_sums(scope, question_ids, _BY_ATTRIBUTES)
        return _by_attribute(grouped, sums=True)

    async def histograms_by_choice(
        self, scope: Slice, question_id: str, questions: Sequence[str] | None = None
    ) -> dict[str, Histograms]:
        """choice id of a classification question (NOT_SET: not answered) -> histograms."""
        return await self._grouped(scope, _by_choice(question_id), questions=questions)

    async def sum_histograms_by_choice(
        self, scope: Slice, question_ids: Sequence[str], question_id: str
    ) -> dict[str, Histogram]:
        """choice id -> per-respondent sum histogram."""
        return await self._grouped_sums(scope, question_ids, _by_choice(question_id))

    async def histograms_by_nps_group(
        self,
        scope: Slice,
        question_id: str,
        promoter_from: int,
        passive_from: int,
        questions: Sequence[str] | None = None,
    ) -> dict[str, Histograms]:
        """promoter / passive / detractor on a 0-10 question (NOT_SET: not answered)."""
        grouping = _by_nps_group(question_id, promoter_from, passive_from)
        return await self._grouped(scope, grouping, questions=questions)

    async def _grouped(
        self,
        scope: Slice,
        grouping: _Grouping,
        condition: str = "",
        questions: Sequence[str] | None = None,
    ) -> dict[str, Histograms]:
        where, params = scope.where()
        join = grouping.join
        if scope.needs_responses or grouping.needs_responses:
            join = _RESPONSES_JOIN + join
        extra = f" AND {condition}" if condition else ""
        wanted: list[str] = []
        if questions is not None:
            wanted = list(questions)
            if not wanted:
                return {}
            extra += f" AND a.question_id IN ({', '.join('?' for _ in wanted)})"
        rows = await self.conn.fetchall(
            f"SELECT {grouping.expression}, a.question_id, a.score, COUNT(*) FROM answers a{join}"
            f" WHERE {where}{extra} AND a.score IS NOT NULL GROUP BY 1, 2, 3",
            (*grouping.params, *grouping.join_params, *params, *wanted),
        )
        out: dict[str, Histograms] = {}
        for group, question_id, score, n in rows:
            label = NOT_SET if group is None else str(group)
            out.setdefault(label, {}).setdefault(str(question_id), {})[int(score)] = int(n)
        return out

    async def _grouped_sums(
        self,
        scope: Slice,
        question_ids: Sequence[str],
        grouping: _Grouping | None,
        condition: str = "",
    ) -> dict[str, Histogram]:
        """Per-respondent sums of the questions, for respondents who answered them all.

        The first question's answers `a` drive the query; the others join on the primary
        key, which is faster than grouping every answer by respondent.
        """
        ids = list(question_ids)
        if not ids:
            return {}
        where, params = scope.where()
        grouping = grouping or _Grouping("NULL")
        others = [
            f" JOIN answers q{i} ON q{i}.response_id = a.response_id AND q{i}.question_id = ?"
            f" AND q{i}.score IS NOT NULL"
            for i in range(1, len(ids))
        ]
        join = "".join(others) + grouping.join
        if scope.needs_responses or grouping.needs_responses:
            join += _RESPONSES_JOIN
        extra = f" AND {condition}" if condition else ""
        total = " + ".join(["a.score", *(f"q{i}.score" for i in range(1, len(ids)))])
        rows = await self.conn.fetchall(
            f"SELECT {grouping.expression}, {total}, COUNT(*) FROM answers a{join}"
            f" WHERE {where}{extra} AND a.question_id = ? AND a.score IS NOT NULL"
            " GROUP BY 1, 2",
            (*grouping.params, *ids[1:], *grouping.join_params, *params, ids[0]),
        )
        out: dict[str, Histogram] = {}
        for group, summed, n in rows:
            label = NOT_SET if group is None else str(group)
            out.setdefault(label, {})[int(summed)] = int(n)
        return out

    # -- follow-up of flags -------------------------------------------------------------

    async def flag_times(self, since: datetime, until: datetime) -> list[FlagTimes]:
        """When each flag raised in [since, until) was raised, forwarded and closed."""
        rows = await self.conn.fetchall(
            "SELECT raised_at, forwarded_at, closed_at FROM flags"
            " WHERE raised_at >= ? AND raised_at < ? ORDER BY raised_at",
            (to_text(since), to_text(until)),
        )
        return [FlagTimes(str(r[0]), r[1], r[2]) for r in rows]

    async def flag_status_counts(self, since: datetime, until: datetime) -> dict[str, int]:
        """status -> number of flags raised in [since, until)."""
        rows = await self.conn.fetchall(
            "SELECT status, COUNT(*) FROM flags WHERE raised_at >= ? AND raised_at < ?"
            " GROUP BY status",
            (to_text(since), to_text(until)),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def flaggable_responses(
        self,
        questions: Iterable[tuple[str, str]],
        promoter_from: int,
        passive_from: int,
        since: datetime,
        until: datetime,
    ) -> tuple[int, int]:
        """(named promoters and detractors on the given (survey, question) pairs, of whom
        flagged) among responses completed in [since, until)."""
        pairs = list(questions)
        if not pairs:
            return 0, 0
        match = " OR ".join("(a.survey_id = ? AND a.question_id = ?)" for _ in pairs)
        row = await self.conn.fetchone(
            "SELECT COUNT(DISTINCT r.id), COUNT(DISTINCT f.response_id) FROM responses r"
            " JOIN answers a ON a.response_id = r.id"
            " LEFT JOIN flags f ON f.response_id = r.id"
            f" WHERE r.anonymous = 0 AND ({match}) AND (a.score >= ? OR a.score < ?)"
            " AND r.completed_at >= ? AND r.completed_at < ?",
            (
                *(v for pair in pairs for v in pair),
                promoter_from,
                passive_from,
                to_text(since),
                to_text(until),
            ),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # -- evidence -----------------------------------------------------------------------

    async def add_evidence(self, evidence: EvidenceRow) -> None:
        """Record that an admin vouched for a criterion."""
        await self.conn.execute(
            "INSERT INTO evidence (id, criterion, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                evidence.id,
                evidence.criterion,
                evidence.note,
                evidence.recorded_by,
                evidence.recorded_at,
            ),
        )

    async def evidence(self) -> list[EvidenceRow]:
        """Every recorded piece of evidence, oldest first."""
        rows = await self.conn.fetchall(
            "SELECT id, criterion, note, recorded_by, recorded_at FROM evidence"
            " ORDER BY recorded_at, id"
        )
        return [EvidenceRow(*(str(v) for v in r)) for r in rows]

    # -- publications of results --------------------------------------------------------

    async def published_waves(self) -> dict[str, str]:
        """wave id -> when its results were first published."""
        rows = await self.conn.fetchall(
            "SELECT wave_id, MIN(published_at) FROM publications GROUP BY wave_id"
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def wave_recipients(self, wave_id: str, include_all_staff: bool) -> list[Recipient]:
        """The wave's invitees, plus every staff member when asked, each once, with every
        chat where they can be reached ("telegram 123", "slack U024BE7LH")."""
        staff_filter = "" if include_all_staff else " WHERE s.id IN (SELECT staff_id FROM ids)"
        rows = await self.conn.fetchall(
            "WITH ids AS (SELECT contact_id, staff_id FROM invitations WHERE wave_id = ?),"
            " people AS (SELECT 'contact:' || c.id AS rkey, c.language AS lang, c.id AS cid,"
            "  NULL AS sid FROM contacts c WHERE c.id IN (SELECT contact_id FROM ids)"
            f" UNION SELECT 'staff:' || s.id, s.language, NULL, s.id FROM staff s{staff_filter})"
            " SELECT p.rkey, p.lang, i.channel, i.external_id FROM people p"
            " LEFT JOIN identities i ON i.unreachable_at IS NULL"
            "  AND (i.contact_id = p.cid OR i.staff_id = p.sid)"
            " ORDER BY p.rkey, i.channel, i.external_id",
            (wave_id,),
        )
        out: dict[str, Recipient] = {}
        for key, language, channel, address in rows:
            found = out.setdefault(str(key), Recipient(str(key), language, {}))
            if channel and address:
                found.chats.setdefault(str(channel), str(address))
        return list(out.values())

    async def add_publication(
        self, publication_id: str, wave_id: str, actor: str, now: datetime
    ) -> None:
        """Record that a wave's results are being sent back."""
        await self.conn.execute(
            "INSERT INTO publications (id, wave_id, published_at, published_by)"
            " VALUES (?, ?, ?, ?)",
            (publication_id, wave_id, to_text(now), actor),
        )

    async def publication_count(self, wave_id: str) -> int:
        """How many times a wave's results were published."""
        row = await self.conn.fetchone(
            "SELECT COUNT(*) FROM publications WHERE wave_id = ?", (wave_id,)
        )
        return int(row[0]) if row else 0

    async def result_recipient(self, key: str) -> Recipient | None:
        """One recipient of results by key ('contact:<id>' or 'staff:<id>'), with their
        chats as `wave_recipients` finds them; None when the person is gone."""
        kind, _, person = key.partition(":")
        table, column = _PEOPLE.get(kind, ("", ""))
        if not table:
            return None
        rows = await self.conn.fetchall(
            f"SELECT p.language, i.channel, i.external_id FROM {table} p"
            f" LEFT JOIN identities i ON i.{column} = p.id AND i.unreachable_at IS NULL"
            " WHERE p.id = ? ORDER BY i.channel, i.external_id",
            (person,),
        )
        if not rows:
            return None
        found = Recipient(key, rows[0][0], {})
        for _language, channel, address in rows:
            if channel and address:
                found.chats.setdefault(str(channel), str(address))
        return found


_PEOPLE = {"contact": ("contacts", "contact_id"), "staff": ("staff", "staff_id")}
"""Where a recipient key's person lives: its table and the identities' column."""


def _wave(row: Any) -> WaveRow:
    return WaveRow(
        id=str(row[0]),
        survey_id=str(row[1]),
        survey_version=int(row[2]),
        label=str(row[3]),
        opened_at=str(row[4]),
        closes_at=row[5],
        closed_at=row[6],
        withheld=int(row[7] or 0),
    )


def _by_attribute(grouped: dict[str, Any], *, sums: bool = False) -> dict[str, dict[str, Any]]:
    """Unpack {attributes JSON: figures} into {attribute: {value: figures}}, merging the
    figures of attribute sets that share a value; respondents lacking an attribute that
    others have go under NOT_SET, so each attribute's groups add up to the total."""
    parsed = [(json.loads(text) if text else {}, figures) for text, figures in grouped.items()]
    keys = sorted({k for attributes, _ in parsed for k in attributes})
    out: dict[str, dict[str, Any]] = {k: {} for k in keys}
    for attributes, figures in parsed:
        for key in keys:
            value = attributes.get(key)
            label = NOT_SET if value in (None, "") else str(value)
            target = out[key].setdefault(label, {})
            if sums:
                _add(target, figures)
            else:
                for question_id, histogram in figures.items():
                    _add(target.setdefault(question_id, {}), histogram)
    return out


def _add(target: Histogram, histogram: Histogram) -> None:
    for score, n in histogram.items():
        target[score] = target.get(score, 0) + n
