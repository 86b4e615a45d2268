"""Assemble one report: resolve the scope, query the aggregates, score, judge, conclude."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.config.settings import Config
from bot.reports.certificate_report import Known, certificate
from bot.reports.certificate_report import follow_up as follow_up_figures
from bot.reports.conclusions import conclude
from bot.reports.figures import (
    TOTAL,
    Anonymous,
    Plan,
    breakdown_columns,
    csat_figure,
    current_passing,
    cvs_score,
    needs_sums,
    nps_figure,
    question_result,
    trend_series,
)
from bot.reports.mirror import mirror_section
from bot.reports.model import (
    Breakdown,
    Report,
    Respondents,
    Scope,
    Score,
    Trend,
)
from bot.reports.scope import Resolved, Selection, resolve
from bot.storage import Transaction
from bot.storage.report_sql import NOT_SET, Histogram, Histograms, PeriodUnit, Slice
from bot.timeutil import from_text
from flows import Survey
from scoring.cvs import SCALE_HIGH, SCALE_LOW, wave_cvs
from scoring.margin import margin_of_error, response_rate
from scoring.nps import PASSIVE_FROM, PROMOTER_FROM
from scoring.pulses import ces
from scoring.stats import summarize
from scoring.suppression import Group, guard


async def build_report(
    tx: Transaction,
    surveys: Mapping[str, Survey],
    config: Config,
    selection: Selection,
    now: datetime,
) -> Report:
    """The full report for a selection; raises ReportError when it names nothing."""
    resolved = await resolve(tx, surveys, selection)
    survey, scope_slice = resolved.survey, resolved.slice
    plan = Plan.of(survey)
    min_group = config.min_group_size

    trend, current, known = await _trend(tx, resolved, plan, config, min_group)
    label = resolved.wave.label if resolved.wave else current
    if current is not None:
        histograms, sums = known.histograms.get(current, {}), known.sums.get(current, {})
        anonymous_h = known.anonymous.get(current, {})
        anonymous_sums = known.anonymous_sums.get(current, {})
    else:
        histograms = await tx.histograms(scope_slice)
        sums = await tx.sum_histograms(scope_slice, plan.cvs_ids)
        anonymous_h = await tx.histograms(scope_slice.anonymous())
        anonymous_sums = await tx.sum_histograms(scope_slice.anonymous(), plan.cvs_ids)
    part = Anonymous.of({TOTAL: anonymous_h}, {TOTAL: anonymous_sums}, [TOTAL])
    named, anonymous = await tx.respondent_counts(scope_slice)
    respondents = await _respondents(tx, resolved, named, anonymous)
    population = respondents.invited
    cvs = None
    if plan.cvs_ids:
        passing = None
        if plan.pass_mark:
            value = wave_cvs(sums).mean
            passing = current_passing(trend.get("cvs"), label, value, SCALE_LOW, SCALE_HIGH)
        cvs = cvs_score(sums, population, passing, min_group, part.cvs(TOTAL, plan))

    questions = []
    for q in plan.scale:
        h = histograms.get(q.id, {})
        passing = None
        if plan.pass_mark and q in plan.grades:
            value = summarize(h).mean
            passing = current_passing(trend.get(q.id), label, value, q.low, q.high)
        hidden_part = part.answered(TOTAL, q.id)
        questions.append(question_result(q, h, population, passing, min_group, hidden_part))

    report_scope = await _scope(tx, resolved)
    follow_up = None
    if not survey.always_anonymous:
        follow_up = await follow_up_figures(tx, config, now)
    mirror = await mirror_section(tx, surveys, resolved, config, histograms, anonymous_h)
    breakdowns = await _breakdowns(tx, resolved, plan, min_group)
    cert = await certificate(tx, surveys, config, now, known if resolved.wave else None)
    report = Report(
        survey=survey,
        versions=await tx.answered_versions(scope_slice),
        scope=report_scope,
        generated_at=now,
        min_group=min_group,
        respondents=respondents,
        cvs=cvs,
        nps=nps_figure(
            histograms.get(plan.nps_id, {}),
            population,
            min_group,
            part.answered(TOTAL, plan.nps_id),
        )
        if plan.nps_id
        else None,
        nps_question=plan.nps_id,
        csat=csat_figure(
            histograms.get(plan.csat_id, {}),
            population,
            min_group,
            part.answered(TOTAL, plan.csat_id),
        )
        if plan.csat_id
        else None,
        ces=_ces(
            histograms.get(plan.ces_id, {}),
            population,
            min_group,
            part.answered(TOTAL, plan.ces_id),
        )
        if plan.ces_id
        else None,
        questions=questions,
        trend=trend,
        breakdowns=breakdowns,
        mirror=mirror,
        follow_up=follow_up,
        certificate=cert,
        conclusions=[],
        recommendations=[],
    )
    conclusions, recommendations = conclude(report, config)
    return replace(report, conclusions=conclusions, recommendations=recommendations)


def _ces(h: Histogram, population: int | None, min_group: int, anonymous: int) -> Group[Score]:
    def compute() -> Score:
        summary = ces(h)
        return Score(summary, margin_of_error(summary, population))

    return guard("ces", sum(h.values()), compute, min_group, anonymous=anonymous)


async def _respondents(
    tx: Transaction, resolved: Resolved, named: int, anonymous: int
) -> Respondents:
    """The stored responses, the anonymous answers waiting for release (of the wave; of
    the survey outside waves for a period; of the whole survey for all responses) and
    those withheld at the wave's close. The response rate counts every answer given:
    stored, waiting and withheld; margins of error use the stored ones only."""
    invited: int | None = None
    survey_id = resolved.survey.id
    withheld = 0
    if resolved.wave is not None:
        invited = await tx.invited(resolved.wave.id)
        held = await tx.held_count(survey_id, resolved.wave.id)
        withheld = resolved.wave.withheld
    elif resolved.period is not None:
        by_period = await tx.invited_by_period(survey_id, resolved.period.unit)
        invited = by_period.get(resolved.period.label)
        held = await tx.held_outside_waves(survey_id)
    else:
        held = await tx.held_count(survey_id)
    n = named + anonymous
    # Answers waiting outside waves belong to no period until their release dates them.
    answered = n + withheld + (held if resolved.period is None else 0)
    rate = response_rate(answered, invited) if invited else None
    return Respondents(n, named, anonymous, invited, rate, held, withheld, answered)


async def _scope(tx: Transaction, resolved: Resolved) -> Scope:
    span = await tx.completed_span(resolved.slice)
    first, last = (span.first, span.last) if span else (None, None)
    if resolved.wave is not None:
        wave = resolved.wave
        published = (await tx.published_waves()).get(wave.id)
        ends = wave.closed_at or wave.closes_at
        return Scope(
            "wave",
            wave.label,
            wave_id=wave.id,
            opened_at=from_text(wave.opened_at),
            closes_at=from_text(ends) if ends else None,
            first_response=first,
            last_response=last,
            published_at=from_text(published) if published else None,
        )
    if resolved.period is not None:
        return Scope("period", resolved.period.label, first_response=first, last_response=last)
    return Scope("all", "", first_response=first, last_response=last)


async def _trend(
    tx: Transaction, resolved: Resolved, plan: Plan, config: Config, min_group: int
) -> tuple[Trend, str | None, Known]:
    """The trend up to the reported wave or period, the label of that wave or period (None
    for all responses), and the aggregates read for it, keyed by that same label (waves
    are keyed by id, their trend by label)."""
    survey_id = resolved.survey.id
    if resolved.wave is not None:
        reported = resolved.wave
        by_wave = await tx.histograms_by_wave(survey_id)
        responses = await tx.responses_by_wave(survey_id)
        shown = [
            w
            for w in await tx.report_waves(survey_id)
            if w.opened_at <= reported.opened_at and (w.id in by_wave or w.id == reported.id)
        ]
        # The reported wave's sums give its CVS spread and margin; an earlier wave needs
        # them only when someone skipped a CVS question.
        summed = [
            w
            for w in shown
            if w.id == reported.id
            or needs_sums(plan, by_wave.get(w.id, {}), responses.get(w.id, 0))
        ]
        sums_by_wave = {
            w.id: await tx.sum_histograms(Slice(survey_id, w.id), plan.cvs_ids) for w in summed
        }
        anonymous_by_wave = await tx.histograms_by_wave(survey_id, anonymous_only=True)
        anonymous_sums = {
            w.id: await tx.sum_histograms(Slice(survey_id, w.id).anonymous(), plan.cvs_ids)
            for w in summed
        }
        labels = [w.label for w in shown]
        anonymous = Anonymous.of(
            {w.label: anonymous_by_wave.get(w.id, {}) for w in shown},
            {w.label: anonymous_sums.get(w.id, {}) for w in summed},
            [w.label for w in summed],
        )
        series = trend_series(
            plan,
            labels,
            {w.label: by_wave.get(w.id, {}) for w in shown},
            {w.label: sums_by_wave[w.id] for w in shown if w.id in sums_by_wave},
            min_group,
            anonymous,
            {w.label: responses.get(w.id, 0) for w in shown},
        )
        known = Known(survey_id, by_wave, sums_by_wave, anonymous_by_wave, anonymous_sums)
        return Trend("wave", labels, series), reported.id, known
    unit: PeriodUnit = resolved.period.unit if resolved.period else config.report_period
    by_period = await tx.histograms_by_period(survey_id, unit)
    sums = await tx.sum_histograms_by_period(survey_id, plan.cvs_ids, unit)
    anonymous_by_period = await tx.histograms_by_period(survey_id, unit, anonymous_only=True)
    anonymous_sums_by_period = await tx.sum_histograms_by_period(
        survey_id, plan.cvs_ids, unit, anonymous_only=True
    )
    current = resolved.period.label if resolved.period else None
    labels = sorted(p for p in by_period if current is None or p <= current)
    if current is not None and current not in labels:
        labels.append(current)
    anonymous = Anonymous.of(anonymous_by_period, anonymous_sums_by_period, labels)
    series = trend_series(plan, labels, by_period, sums, min_group, anonymous)
    known = Known(survey_id, by_period, sums, anonymous_by_period, anonymous_sums_by_period)
    return Trend(unit, labels, series), current, known


def _ordered(labels: set[str], first: list[str]) -> list[str]:
    """Known labels in their own order, then the rest sorted, the not-set group last."""
    rest = sorted(label for label in labels if label not in first and label != NOT_SET)
    ordered = [label for label in first if label in labels] + rest
    return ordered + ([NOT_SET] if NOT_SET in labels else [])


async def _breakdowns(
    tx: Transaction, resolved: Resolved, plan: Plan, min_group: int
) -> list[Breakdown]:
    survey, scope_slice = resolved.survey, resolved.slice
    keys = plan.column_keys()
    out: list[Breakdown] = []

    def add(
        kind: str,
        key: str,
        hs: dict[str, Histograms],
        sums: dict[str, Histogram],
        anonymous: tuple[dict[str, Histograms], dict[str, Histogram]],
        columns: list[str],
        order: list[str],
    ) -> None:
        if not hs:
            return
        labels = _ordered(set(hs) | set(sums), order)
        parts = Anonymous.of(*anonymous, labels)
        cols = breakdown_columns(plan, columns, hs, sums, min_group, parts)
        out.append(Breakdown(kind, key, labels, cols))  # type: ignore[arg-type]

    wanted = plan.column_questions()
    hidden = scope_slice.anonymous()
    by_attribute = await tx.histograms_by_attribute(scope_slice, wanted)
    sums_by_attribute = await tx.sum_histograms_by_attribute(scope_slice, plan.cvs_ids)
    anonymous_by_attribute = await tx.histograms_by_attribute(hidden, wanted)
    anonymous_sums_by_attribute = await tx.sum_histograms_by_attribute(hidden, plan.cvs_ids)
    for attribute, hs in by_attribute.items():
        anonymous = (
            anonymous_by_attribute.get(attribute, {}),
            anonymous_sums_by_attribute.get(attribute, {}),
        )
        sums = sums_by_attribute.get(attribute, {})
        add("attribute", attribute, hs, sums, anonymous, keys, [])
    for q in survey.questions:
        if q.classification and q.choices:
            hs = await tx.histograms_by_choice(scope_slice, q.id, wanted)
            sums = await tx.sum_histograms_by_choice(scope_slice, plan.cvs_ids, q.id)
            anonymous = (
                await tx.histograms_by_choice(hidden, q.id, wanted),
                await tx.sum_histograms_by_choice(hidden, plan.cvs_ids, q.id),
            )
            add("classification", q.id, hs, sums, anonymous, keys, [c.id for c in q.choices])
    if plan.nps_id:
        columns = [k for k in plan.column_keys(with_nps=False) if k != "cvs"]
        questions = plan.column_questions(columns)
        hs = await tx.histograms_by_nps_group(
            scope_slice, plan.nps_id, PROMOTER_FROM, PASSIVE_FROM, questions
        )
        anonymous = (
            await tx.histograms_by_nps_group(
                hidden, plan.nps_id, PROMOTER_FROM, PASSIVE_FROM, questions
            ),
            {},
        )
        add(
            "nps_group",
            plan.nps_id,
            hs,
            {},
            anonymous,
            columns,
            ["promoter", "passive", "detractor"],
        )
    return out
