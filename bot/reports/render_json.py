"""The report as JSON, in the stable format documented in docs/report-json.md.

Numbers are unformatted (shares 0..1, NPS and CSAT in points), rounded to 4 decimals;
names and sentences are in the report language. A suppressed group has its count and
`"suppressed": true`, and null for every figure.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot import i18n
from bot.reports import labels
from bot.reports.conclusions import render as render_finding
from bot.reports.model import Finding, Report, Score
from bot.timeutil import to_text
from flows import Translator
from scoring.certificate import LEVEL_NAMES
from scoring.passmark import PassResult

FORMAT_VERSION = 1


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _time(value: datetime | None) -> str | None:
    return None if value is None else to_text(value)


def _pass(p: PassResult | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "passed": p.passed,
        "by_level": p.by_level,
        "by_improvement": p.by_improvement,
        "previous": _num(p.previous),
        "change": _num(p.change),
    }


def _score(score: Score | None) -> dict[str, Any]:
    if score is None:
        return {"mean": None, "sd": None, "margin": None, "pass": None}
    return {
        "mean": _num(score.summary.mean),
        "sd": _num(score.summary.sd),
        "margin": _num(score.margin),
        "pass": _pass(score.passing),
    }


def report_dict(report: Report, language: str) -> dict[str, Any]:
    """The report as plain data (what the JSON output holds)."""
    tr = i18n.translator(language)
    level = report.certificate.level
    return {
        "format": "klantstem-report",
        "version": FORMAT_VERSION,
        "generated_at": _time(report.generated_at),
        "language": language,
        "min_group_size": report.min_group,
        "survey": _survey(report, tr, language),
        "scope": _scope(report),
        "respondents": _respondents(report, tr),
        "totals": _totals(report),
        "questions": _questions(report, tr),
        "trend": _trend(report, tr),
        "breakdowns": _breakdowns(report, tr, language),
        "mirror": _mirror(report, tr),
        "follow_up": _follow_up(report),
        "certificate": {
            "level": LEVEL_NAMES[level] if level else None,
            "criteria": _criteria(report, tr),
            "evidence": _evidence(report),
        },
        "conclusions": [_finding(report, f, tr, language) for f in report.conclusions],
        "recommendations": [_finding(report, f, tr, language) for f in report.recommendations],
    }


def _finding(report: Report, f: Finding, tr: Translator, language: str) -> dict[str, Any]:
    return {
        "code": f.code,
        "params": {k: p.value for k, p in f.params.items()},
        "text": render_finding(report, f, tr, language),
    }


def _survey(report: Report, tr: Translator, language: str) -> dict[str, Any]:
    survey = report.survey
    return {
        "id": survey.id,
        "kind": survey.kind,
        "title": labels.survey_title(survey, tr, language),
        "audience": survey.audience.value,
        "always_anonymous": survey.always_anonymous,
        "versions": report.versions,
    }


def _scope(report: Report) -> dict[str, Any]:
    scope = report.scope
    return {
        "kind": scope.kind,
        "label": scope.label or None,
        "wave_id": scope.wave_id,
        "opened_at": _time(scope.opened_at),
        "closes_at": _time(scope.closes_at),
        "first_response": _time(scope.first_response),
        "last_response": _time(scope.last_response),
        "published_at": _time(scope.published_at),
    }


def _respondents(report: Report, tr: Translator) -> dict[str, Any]:
    r = report.respondents
    return {
        "n": r.n,
        "named": r.named,
        "anonymous": r.anonymous,
        "invited": r.invited,
        "response_rate": _num(r.rate),
        "answered": r.answered,
        "held": r.held,
        "withheld": r.withheld,
        "notes": [
            *([labels.held_note(r.held, report.min_group, tr)] if r.held else []),
            *([labels.withheld_note(r.withheld, report.min_group, tr)] if r.withheld else []),
        ],
    }


def _totals(report: Report) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    if report.cvs is not None:
        totals["cvs"] = {
            "n": report.cvs.n,
            "suppressed": report.cvs.suppressed,
            **_score(report.cvs.figures),
        }
    if report.nps is not None:
        nps = report.nps.figures
        totals["nps"] = {
            "n": report.nps.n,
            "suppressed": report.nps.suppressed,
            "question": report.nps_question,
            "nps": _num(nps.result.nps) if nps else None,
            "promoters": nps.result.promoters if nps else None,
            "passives": nps.result.passives if nps else None,
            "detractors": nps.result.detractors if nps else None,
            "margin": _num(nps.margin) if nps else None,
        }
    if report.csat is not None:
        c = report.csat.figures
        totals["csat"] = {
            "n": report.csat.n,
            "suppressed": report.csat.suppressed,
            "csat": _num(c.result.csat) if c else None,
            "satisfied": c.result.satisfied if c else None,
            "margin": _num(c.margin) if c else None,
        }
    if report.ces is not None:
        totals["ces"] = {
            "n": report.ces.n,
            "suppressed": report.ces.suppressed,
            **_score(report.ces.figures),
        }
    return totals


def _questions(report: Report, tr: Translator) -> list[dict[str, Any]]:
    questions = []
    for q in report.questions:
        figures = q.group.figures
        questions.append(
            {
                "id": q.question_id,
                "name": labels.figure(report.survey, q.question_id, tr),
                "metric": q.metric,
                "dimension": q.dimension,
                "low": q.low,
                "high": q.high,
                "n": q.group.n,
                "suppressed": q.group.suppressed,
                **_score(figures.score if figures else None),
                "distribution": {str(k): v for k, v in figures.distribution.items()}
                if figures
                else None,
            }
        )
    return questions


def _trend(report: Report, tr: Translator) -> dict[str, Any]:
    return {
        "unit": report.trend.unit,
        "labels": report.trend.labels,
        "series": [
            {
                "key": s.key,
                "name": labels.figure(report.survey, s.key, tr),
                "points": [
                    {
                        "label": p.label,
                        "n": p.n,
                        "suppressed": p.suppressed,
                        "value": _num(p.figures.value) if p.figures else None,
                        "change": _num(p.figures.change) if p.figures else None,
                        "pass": _pass(p.figures.passing) if p.figures else None,
                    }
                    for p in s.points
                ],
            }
            for s in report.trend.series
        ],
    }


def _breakdowns(report: Report, tr: Translator, language: str) -> list[dict[str, Any]]:
    breakdowns = []
    for b in report.breakdowns:
        groups = []
        for label in b.labels:
            values = {}
            for column in b.columns:
                g = column.groups.get(label)
                values[column.key] = {
                    "n": g.n if g else 0,
                    "suppressed": g.suppressed if g else True,
                    "value": _num(g.figures) if g else None,
                }
            groups.append(
                {
                    "label": label,
                    "name": labels.group(report.survey, b.kind, b.key, label, tr, language),
                    "n": b.size(label),
                    "figures": values,
                }
            )
        breakdowns.append({"kind": b.kind, "key": b.key, "groups": groups})
    return breakdowns


def _mirror(report: Report, tr: Translator) -> dict[str, Any] | None:
    m = report.mirror
    if m is None:
        return None
    return {
        "customer_survey": m.customer_survey,
        "staff_survey": m.staff_survey,
        "customer_wave": m.customer_label or None,
        "staff_wave": m.staff_label or None,
        "threshold": m.threshold,
        "discrepancies": m.discrepancies,
        "dimensions": [
            {
                "dimension": r.label,
                "name": labels.dimension(r.label, tr),
                "n": r.n,
                "suppressed": r.suppressed,
                "staff": _num(r.figures.staff.mean) if r.figures else None,
                "customers": _num(r.figures.customers.mean) if r.figures else None,
                "gap": _num(r.figures.gap) if r.figures else None,
            }
            for r in m.rows
        ],
    }


def _follow_up(report: Report) -> dict[str, Any] | None:
    f = report.follow_up
    if f is None:
        return None
    c = f.compliance
    return {
        "raised": c.raised,
        "forward_days": f.forward_days,
        "forward_due": c.forward_due,
        "forwarded_in_time": c.forwarded_in_time,
        "forwarded_share": _num(c.forwarded_share),
        "close_days": f.close_days,
        "close_due": c.close_due,
        "closed_in_time": c.closed_in_time,
        "closed_share": _num(c.closed_share),
        "by_status": dict(sorted(f.by_status.items())),
    }


def _criteria(report: Report, tr: Translator) -> list[dict[str, Any]]:
    return [
        {
            "id": c.criterion.id,
            "level": LEVEL_NAMES[c.criterion.level],
            "status": c.status.value,
            "description": tr.gettext(c.criterion.description),
        }
        for c in report.certificate.checks
    ]


def _evidence(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "criterion": e.criterion,
            "note": e.note,
            "recorded_by": e.recorded_by,
            "recorded_at": e.recorded_at,
        }
        for e in report.certificate.evidence
    ]


def render_json(report: Report, language: str) -> str:
    """The report as indented JSON text."""
    return json.dumps(report_dict(report, language), ensure_ascii=False, indent=2) + "\n"
