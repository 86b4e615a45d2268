"""The mirror section: staff predictions against customer grades per dimension (G-M4, G-F4).

A mirror survey names the survey it mirrors. The report of either side pairs the
reported wave with the other survey's wave that opened closest in time to it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.settings import Config
from bot.reports.model import Mirror
from bot.reports.scope import Resolved
from bot.storage import Transaction
from bot.storage.report_sql import Histograms, Slice, WaveRow
from bot.timeutil import from_text
from flows import Survey
from scoring.mirror import discrepancies, mirror_rows
from scoring.stats import count


def counterpart(survey: Survey, surveys: Mapping[str, Survey]) -> tuple[Survey, Survey] | None:
    """(customer survey, mirror survey) for a survey on either side, if it has a partner."""
    if survey.mirrors is not None:
        customers = surveys.get(survey.mirrors)
        return (customers, survey) if customers else None
    staff = next((s for s in surveys.values() if s.mirrors == survey.id), None)
    return (survey, staff) if staff else None


def closest_wave(waves: list[WaveRow], to: WaveRow | None) -> WaveRow | None:
    """The wave opened closest in time to `to` (the latest one when `to` is None)."""
    if not waves:
        return None
    if to is None:
        return waves[-1]
    moment = from_text(to.opened_at)
    return min(waves, key=lambda w: abs((from_text(w.opened_at) - moment).total_seconds()))


def by_dimension(survey: Survey, histograms: Histograms) -> Histograms:
    """dimension -> histogram of the survey's question on that dimension."""
    return {
        q.dimension: histograms[q.id]
        for q in survey.questions
        if q.dimension and q.id in histograms
    }


def anonymous_by_dimension(survey: Survey, anonymous: Histograms) -> dict[str, int]:
    """dimension -> anonymous respondents who answered it, from the histograms of the
    anonymous responses only."""
    return {d: count(h) for d, h in by_dimension(survey, anonymous).items()}


async def mirror_section(
    tx: Transaction,
    surveys: Mapping[str, Survey],
    resolved: Resolved,
    config: Config,
    histograms: Histograms,
    anonymous: Histograms,
) -> Mirror | None:
    """The gaps for the reported wave (whose `histograms`, and those of its anonymous
    responses, the caller read) and its counterpart; None without a partner's answers."""
    pair = counterpart(resolved.survey, surveys)
    if pair is None or resolved.period is not None:
        return None
    customers, staff = pair
    other = staff if resolved.survey is customers else customers
    other_wave = closest_wave(await tx.report_waves(other.id), resolved.wave)
    other_slice = Slice(other.id, wave_id=other_wave.id if other_wave else None)
    own = by_dimension(resolved.survey, histograms)
    theirs = by_dimension(other, await tx.histograms(other_slice))
    if not own or not theirs:
        return None
    own_part = anonymous_by_dimension(resolved.survey, anonymous)
    their_part = anonymous_by_dimension(other, await tx.histograms(other_slice.anonymous()))
    staff_h, customer_h = (theirs, own) if other is staff else (own, theirs)
    staff_a, customer_a = (their_part, own_part) if other is staff else (own_part, their_part)
    own_label = resolved.wave.label if resolved.wave else ""
    other_label = other_wave.label if other_wave else ""
    rows = mirror_rows(
        staff_h,
        customer_h,
        staff_anonymous=staff_a,
        customer_anonymous=customer_a,
        min_group=config.min_group_size,
    )
    shown = [r.figures for r in rows if r.figures is not None]
    return Mirror(
        customer_survey=customers.id,
        staff_survey=staff.id,
        customer_label=other_label if other is customers else own_label,
        staff_label=other_label if other is staff else own_label,
        rows=rows,
        threshold=config.mirror_gap,
        discrepancies=[g.dimension for g in discrepancies(shown, config.mirror_gap)],
    )
