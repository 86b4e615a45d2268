"""Which responses a report covers: `--wave`, `--period`, or by default the survey's latest
wave (all its responses when it has no waves, as after `klantstem try`).

Periods are calendar months ('2026-11') or quarters ('2026-Q4') in UTC, the time zone in
which completion times are stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage import Transaction
from bot.storage.report_sql import PeriodUnit, Slice, WaveRow
from flows import N_, Survey, Translator

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class ReportError(ValueError):
    """A report that cannot be made; the message is an English id, translated when shown."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params

    def text(self, tr: Translator) -> str:
        """The message in a reader's language."""
        return tr.gettext(self.message).format(**self.params)


@dataclass(frozen=True)
class Selection:
    """What was asked for: a survey, and a wave or a period (all optional)."""

    survey_id: str | None = None
    wave: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter, as a half-open UTC interval."""

    label: str
    unit: PeriodUnit
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Resolved:
    """The survey, the wave or period, and the slice of responses a report covers."""

    survey: Survey
    slice: Slice
    wave: WaveRow | None = None
    period: Period | None = None


def parse_period(text: str) -> Period:
    """'2026-11' (a month) or '2026-Q4' (a quarter); ReportError for anything else."""
    month, quarter = _MONTH.match(text.strip()), _QUARTER.match(text.strip())
    if month and 1 <= int(month.group(2)) <= 12:
        year, first, months, unit = int(month.group(1)), int(month.group(2)), 1, "month"
        label = f"{year:04d}-{first:02d}"
    elif quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        first, months, unit, label = 3 * q - 2, 3, "quarter", f"{year:04d}-Q{q}"
    else:
        raise ReportError(
            N_("{period!r} is not a period: use a month (2026-11) or a quarter (2026-Q4)."),
            period=text,
        )
    end_month = first - 1 + months
    since = datetime(year, first, 1, tzinfo=UTC)
    until = datetime(year + end_month // 12, end_month % 12 + 1, 1, tzinfo=UTC)
    return Period(label, "month" if unit == "month" else "quarter", since, until)


def _survey(surveys: Mapping[str, Survey], survey_id: str) -> Survey:
    survey = surveys.get(survey_id)
    if survey is None:
        raise ReportError(
            N_("Unknown survey {survey!r}; choose one of: {surveys}."),
            survey=survey_id,
            surveys=", ".join(surveys),
        )
    return survey


async def resolve(tx: Transaction, surveys: Mapping[str, Survey], selection: Selection) -> Resolved:
    """Turn a selection into a survey and a slice; ReportError when it names nothing."""
    if selection.wave and selection.period:
        raise ReportError(N_("Choose a wave or a period, not both."))
    if selection.wave:
        wave = await tx.report_wave(selection.wave)
        if wave is None:
            raise ReportError(N_("There is no wave {wave!r}."), wave=selection.wave)
        if selection.survey_id and selection.survey_id != wave.survey_id:
            raise ReportError(
                N_("Wave {wave!r} belongs to survey {survey!r}."),
                wave=selection.wave,
                survey=wave.survey_id,
            )
        survey = _survey(surveys, wave.survey_id)
        return Resolved(survey, Slice(survey.id, wave_id=wave.id), wave=wave)
    survey_id = selection.survey_id
    if survey_id is None and selection.period is None:
        latest = await tx.latest_wave()
        survey_id = latest.survey_id if latest else None
    survey_id = survey_id or await tx.latest_response_survey()
    if survey_id is None:
        raise ReportError(N_("No responses yet. Try a survey with: klantstem try --survey cvs"))
    survey = _survey(surveys, survey_id)
    if selection.period:
        period = parse_period(selection.period)
        return Resolved(
            survey,
            Slice(survey.id, since=period.since, until=period.until, outside_waves=True),
            period=period,
        )
    waves = await tx.report_waves(survey.id)
    if waves:
        return Resolved(survey, Slice(survey.id, wave_id=waves[-1].id), wave=waves[-1])
    return Resolved(survey, Slice(survey.id))
