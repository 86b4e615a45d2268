"""The certificate checklist (G-C) from what the whole database shows, not one report.

For each kind of survey the latest wave with responses counts, judged against the wave
before it. "Periodic" means at least two waves; "results fed back" means the latest
wave's results were published (`klantstem wave publish`). Flags raised in the assessed
window (KLANTSTEM_CERTIFICATE_DAYS) decide the follow-up criteria. An admin's evidence
covers what the data cannot show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config.settings import Config
from bot.reports.figures import Plan, mean_series
from bot.reports.mirror import anonymous_by_dimension, by_dimension, closest_wave
from bot.reports.model import Certificate, FollowUp, TrendSeries
from bot.storage import Transaction
from bot.storage.report_sql import Histogram, Histograms, Slice, WaveRow
from bot.timeutil import from_text
from flows import Survey
from flows.builtin import DIMENSIONS
from scoring.certificate import (
    CRITERIA,
    CertificateFacts,
    SurveyFacts,
    checklist,
    highest_level,
)
from scoring.cvs import SCALE_HIGH, SCALE_LOW, wave_cvs
from scoring.followup import FlagDates, compliance
from scoring.mirror import discrepancies, mirror_rows
from scoring.passmark import PassResult
from scoring.stats import count


@dataclass(frozen=True)
class Known:
    """Aggregates a report already read for one survey, by wave id (or period), so the
    checklist does not read them again; `anonymous` and `anonymous_sums` are those of the
    anonymous responses only."""

    survey_id: str
    histograms: Mapping[str, Histograms]
    sums: Mapping[str, Histogram]
    anonymous: Mapping[str, Histograms]
    anonymous_sums: Mapping[str, Histogram]

    async def wave_histograms(self, tx: Transaction, survey_id: str, wave_id: str) -> Histograms:
        """A wave's question histograms, from what was read or else from storage."""
        if survey_id == self.survey_id and wave_id in self.histograms:
            return self.histograms[wave_id]
        return await tx.histograms(Slice(survey_id, wave_id))

    async def wave_sums(
        self, tx: Transaction, survey_id: str, wave_id: str, question_ids: Sequence[str]
    ) -> Histogram:
        """A wave's per-respondent CVS sums, from what was read or else from storage."""
        if survey_id == self.survey_id and wave_id in self.sums:
            return self.sums[wave_id]
        return await tx.sum_histograms(Slice(survey_id, wave_id), question_ids)

    async def wave_anonymous(self, tx: Transaction, survey_id: str, wave_id: str) -> Histograms:
        """A wave's question histograms of its anonymous responses."""
        if survey_id == self.survey_id and wave_id in self.histograms:
            return self.anonymous.get(wave_id, {})
        return await tx.histograms(Slice(survey_id, wave_id).anonymous())

    async def wave_anonymous_sums(
        self, tx: Transaction, survey_id: str, wave_id: str, question_ids: Sequence[str]
    ) -> Histogram:
        """A wave's per-respondent CVS sums of its anonymous responses."""
        if survey_id == self.survey_id and wave_id in self.sums:
            return self.anonymous_sums.get(wave_id, {})
        return await tx.sum_histograms(Slice(survey_id, wave_id).anonymous(), question_ids)


NOTHING_KNOWN = Known("", {}, {}, {}, {})


@dataclass(frozen=True)
class _Ran:
    """A survey of one kind as it ran: its waves with responses, oldest first."""

    survey: Survey
    waves: list[WaveRow]
    responses: int

    def facts(self, published: dict[str, str]) -> SurveyFacts:
        latest = self.waves[-1] if self.waves else None
        return SurveyFacts(
            periodic=len(self.waves) >= 2,
            anonymity_offered=True,  # customers are asked for consent; employees never named
            results_fed_back=latest is not None and latest.id in published,
        )


async def _ran(tx: Transaction, surveys: Mapping[str, Survey], kind: str) -> _Ran | None:
    """The survey of this kind that ran most recently (waves first), if any ran."""
    found: list[tuple[str, _Ran]] = []
    for survey in surveys.values():
        if survey.kind != kind:
            continue
        counts = await tx.responses_by_wave(survey.id)
        waves = [w for w in await tx.report_waves(survey.id) if w.id in counts]
        total = sum(await tx.respondent_counts(Slice(survey.id)))
        if total:
            found.append((waves[-1].opened_at if waves else "", _Ran(survey, waves, total)))
    return max(found, key=lambda f: f[0])[1] if found else None


async def _latest_series(
    tx: Transaction, ran: _Ran, min_group: int, known: Known
) -> list[TrendSeries]:
    """CVS and grades over the last two waves, so the latest is judged on its predecessor."""
    plan = Plan.of(ran.survey)
    waves = ran.waves[-2:]
    if not waves:
        return []
    series = []
    if plan.cvs_ids:
        sums = [(w.id, await known.wave_sums(tx, w.survey_id, w.id, plan.cvs_ids)) for w in waves]
        hidden = {
            w.id: count(await known.wave_anonymous_sums(tx, w.survey_id, w.id, plan.cvs_ids))
            for w in waves
        }
        series.append(
            mean_series(
                "cvs",
                sums,
                anonymous=hidden,
                figures=wave_cvs,
                low=SCALE_LOW,
                high=SCALE_HIGH,
                pass_mark=True,
                min_group=min_group,
            )
        )
    by_wave = {w.id: await known.wave_histograms(tx, w.survey_id, w.id) for w in waves}
    anonymous = {w.id: await known.wave_anonymous(tx, w.survey_id, w.id) for w in waves}
    for q in plan.grades:
        labelled = [(w.id, by_wave[w.id].get(q.id, {})) for w in waves]
        series.append(
            mean_series(
                q.dimension or q.id,
                labelled,
                anonymous={w.id: count(anonymous[w.id].get(q.id, {})) for w in waves},
                low=q.low,
                high=q.high,
                pass_mark=True,
                min_group=min_group,
            )
        )
    return series


def _latest(series: TrendSeries) -> PassResult | None:
    point = series.points[-1].figures if series.points else None
    return point.passing if point else None


async def _mirror_facts(
    tx: Transaction, kto: _Ran | None, mirror: _Ran | None, config: Config, known: Known
) -> tuple[int | None, bool]:
    """(discrepancies of the latest mirror wave against its KTO wave, action plan made)."""
    if kto is None or mirror is None or not mirror.waves:
        return None, False
    staff_wave = mirror.waves[-1]
    kto_wave = closest_wave(kto.waves, staff_wave)
    if kto_wave is None:
        return None, False
    rows = mirror_rows(
        by_dimension(
            mirror.survey, await known.wave_histograms(tx, mirror.survey.id, staff_wave.id)
        ),
        by_dimension(kto.survey, await known.wave_histograms(tx, kto.survey.id, kto_wave.id)),
        staff_anonymous=anonymous_by_dimension(
            mirror.survey, await known.wave_anonymous(tx, mirror.survey.id, staff_wave.id)
        ),
        customer_anonymous=anonymous_by_dimension(
            kto.survey, await known.wave_anonymous(tx, kto.survey.id, kto_wave.id)
        ),
        min_group=config.min_group_size,
    )
    shown = [r.figures for r in rows if r.figures is not None]
    if not shown:
        return None, False
    return len(discrepancies(shown, config.mirror_gap)), await tx.action_items_for(
        staff_wave.id
    ) > 0


async def follow_up(tx: Transaction, config: Config, now: datetime) -> FollowUp:
    """Forwarding and follow-up of the flags raised in the assessed window."""
    since = now - config.certificate_window
    dates = [
        FlagDates(
            from_text(t.raised_at),
            from_text(t.forwarded_at) if t.forwarded_at else None,
            from_text(t.closed_at) if t.closed_at else None,
        )
        for t in await tx.flag_times(since, now)
    ]
    result = compliance(
        dates,
        now,
        forward_within=config.forward_escalation,
        close_within=config.followup_escalation,
    )
    return FollowUp(
        result,
        await tx.flag_status_counts(since, now),
        config.forward_escalation.days,
        config.followup_escalation.days,
    )


async def certificate(
    tx: Transaction,
    surveys: Mapping[str, Survey],
    config: Config,
    now: datetime,
    known: Known | None = None,
) -> Certificate:
    """The checklist with the level reached and the evidence it used; `known` holds
    aggregates by wave that the caller already read."""
    known = known or NOTHING_KNOWN
    evidence = await tx.evidence()
    criteria_ids = {c.id for c in CRITERIA}
    evidenced = frozenset(e.criterion for e in evidence if e.criterion in criteria_ids)
    published = await tx.published_waves()
    kto = await _ran(tx, surveys, "kto")
    mto = await _ran(tx, surveys, "mto")
    mirror = await _ran(tx, surveys, "mirror")
    cvs_ran = kto if kto and kto.waves else (await _ran(tx, surveys, "cvs")) or kto
    since = now - config.certificate_window

    cvs_value = cvs_previous = None
    dimension_results: dict[str, PassResult] = {}
    if cvs_ran is not None:
        for series in await _latest_series(tx, cvs_ran, config.min_group_size, known):
            result = _latest(series)
            if result is None:
                continue
            if series.key == "cvs":
                cvs_value, cvs_previous = result.value, result.previous
            elif cvs_ran is kto and series.key in DIMENSIONS:
                dimension_results[series.key] = result

    discrepancy_count, action_items = await _mirror_facts(tx, kto, mirror, config, known)
    follow = (await follow_up(tx, config, now)).compliance
    flag_pairs = [
        (s.id, q)
        for s in surveys.values()
        if not s.always_anonymous
        for q in config.flag_questions
        if any(x.id == q for x in s.questions)
    ]
    due, flagged = await tx.flaggable_responses(
        flag_pairs, config.promoter_min, config.detractor_max + 1, since, now
    )
    latest_cvs_wave = cvs_ran.waves[-1] if cvs_ran and cvs_ran.waves else None
    with_attributes = 0
    if cvs_ran is not None:
        wave_id = latest_cvs_wave.id if latest_cvs_wave else None
        with_attributes = await tx.with_attributes(Slice(cvs_ran.survey.id, wave_id))
    by_answers = cvs_ran is not None and (
        Plan.of(cvs_ran.survey).nps_id is not None
        or any(q.classification for q in cvs_ran.survey.questions)
    )
    facts = CertificateFacts(
        cvs_survey=cvs_ran.facts(published) if cvs_ran else None,
        cvs=cvs_value,
        cvs_previous=cvs_previous,
        kto_survey=kto.facts(published) if kto else None,
        kto_covers_all_dimensions=kto is not None
        and set(DIMENSIONS) <= {q.dimension for q in kto.survey.questions},
        dimension_results=dimension_results,
        mto_survey=mto.facts(published) if mto else None,
        mto_covers_internal_communication=mto is not None
        and any(q.dimension == "internal_communication" for q in mto.survey.questions),
        mirror_survey=mirror.facts(published) if mirror else None,
        mirror_discrepancies=discrepancy_count,
        action_plan_present=action_items or "mirror_action_plan" in evidenced,
        flags_all_raised=None if due == 0 else flagged == due,
        flags_forwarded_within_week=follow.forwarded_share,
        flags_closed_within_month=follow.closed_share,
        breakdown_by_attributes=with_attributes > 0,
        breakdown_by_wave_and_answers=cvs_ran is not None
        and len(cvs_ran.waves) >= 2
        and by_answers,
        evidence=evidenced,
    )
    checks = checklist(facts)
    return Certificate(checks, highest_level(checks), evidence)
