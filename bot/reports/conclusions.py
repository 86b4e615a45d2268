"""Conclusions and recommendations, generated from the figures by fixed rules.

Conclusions (what the figures say):
- the CVS against the pass mark: passed on level, passed on improvement, or failed;
- the grades that fail the pass mark, or that all pass;
- the weakest and the strongest grade;
- the NPS when more customers detract than promote;
- the CSAT of the latest period and its change on the period before;
- mirror gaps of at least KLANTSTEM_MIRROR_GAP, largest first;
- the share of flags forwarded and followed up in time;
- groups hidden because they are smaller than the minimum;
- the certificate level the data supports.

Recommendations (what to do):
- an improvement action for each failing grade (at most three, lowest first), else for the
  weakest one; lifting the CVS when it fails;
- calling detractors when the NPS is negative and some respondents answered named;
- an action plan on the mirror gaps (G-F4);
- forwarding and following up every flag in time (G-F2, G-F3);
- a higher response rate when it is below KLANTSTEM_REPORT_LOW_RESPONSE;
- publishing the wave's results when they were not fed back yet (G-R4);
- the criteria still missing for the next certificate level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.config.settings import Config
from bot.reports import fmt, labels
from bot.reports.model import Finding, Param, Report
from flows import N_, Translator
from scoring.certificate import CRITERIA, LEVEL_NAMES, Level, Status

MAX_ACTIONS = 3

MESSAGES: Mapping[str, str] = {
    "too_few": N_(
        "Fewer than {min} people answered, so no figures are shown: small groups could "
        "expose anonymous answers."
    ),
    "response": N_("{n} of {invited} invited people answered: a response rate of {rate}."),
    "cvs_level": N_("The CVS is {cvs}: it reaches the pass mark of 7."),
    "cvs_improved": N_(
        "The CVS is {cvs}: below 7, but it passes by rising {change} on the previous wave."
    ),
    "cvs_failed": N_("The CVS is {cvs}: below 7 and not 1.0 higher than the previous wave."),
    "cvs_change": N_("The CVS changed by {change} on the previous measurement ({previous})."),
    "grades_pass": N_("Every grade reaches the pass mark (7, or 10 points up)."),
    "weakest": N_("The weakest grade is {name} ({grade}); the strongest is {best} ({best_grade})."),
    "nps_negative": N_(
        "More people detract than promote: the NPS is {nps} ({promoters} promoters, "
        "{detractors} detractors)."
    ),
    "nps": N_("The NPS is {nps} ({promoters} promoters, {detractors} detractors)."),
    "csat": N_("In {period} the CSAT was {csat}: {change} points on the period before."),
    "mirror_gap": N_(
        "Staff expect {name} to be graded {staff}; customers give {customers} (a gap of {gap})."
    ),
    "mirror_agree": N_("Staff predictions and customer grades agree within {threshold} points."),
    "forwarded": N_(
        "{share} of the flags were forwarded to the contact person within {days} days."
    ),
    "closed": N_("{share} of the flags were followed up within {days} days."),
    "level": N_("The data supports the {level} certificate level."),
    "no_level": N_("The data does not support a certificate level yet."),
    "act_grade": N_(
        "Make an improvement action, with an owner and a due date, for {name} (now {grade})."
    ),
    "act_weakest": N_("Keep improving {name}, the weakest grade ({grade})."),
    "act_cvs": N_("Lift the CVS to 7 or more: start with the weakest grades."),
    "call_detractors": N_(
        "Call the named detractors, ask what went wrong and record what was done."
    ),
    "mirror_plan": N_(
        "Write an action plan on the gaps between staff and customers ({names}) and discuss "
        "it with the staff involved."
    ),
    "forward_all": N_("Forward every flag to the contact person within {days} days."),
    "close_all": N_("Follow up every flag within {days} days and record the outcome."),
    "response_low": N_(
        "Raise the response rate (now {rate}): announce the survey, send the reminder and "
        "keep it short."
    ),
    "publish": N_(
        "Send the results back to the people asked and to staff: klantstem wave publish {wave}"
    ),
    "next_level": N_("To reach {level}: {criteria}."),
}


def _score(value: float) -> Param:
    return Param("score", value)


def _label(key: str) -> Param:
    return Param("label", key)


@dataclass
class _Findings:
    """What a report says and what it recommends, each in reading order."""

    said: list[Finding] = field(default_factory=list)
    todo: list[Finding] = field(default_factory=list)


Rule = Callable[[Report, Config, _Findings], None]


def conclude(report: Report, config: Config) -> tuple[list[Finding], list[Finding]]:
    """The conclusions and the recommendations of a report, in reading order."""
    out = _Findings()
    for rule in RULES:
        rule(report, config, out)
    return out.said, out.todo


def _respondents(report: Report, config: Config, out: _Findings) -> None:
    r = report.respondents
    if r.answered < report.min_group:
        out.said.append(Finding("too_few", {"min": Param("count", report.min_group)}))
    elif r.invited:
        out.said.append(
            Finding(
                "response",
                {
                    "n": Param("count", r.answered),
                    "invited": Param("count", r.invited),
                    "rate": Param("share", r.rate or 0.0),
                },
            )
        )
        if r.rate is not None and r.rate < config.report_low_response:
            out.todo.append(Finding("response_low", {"rate": Param("share", r.rate)}))
    else:
        out.said.append(Finding("respondents", {"n": Param("count", r.answered)}))


def _cvs(report: Report, config: Config, out: _Findings) -> None:
    cvs = report.cvs.figures if report.cvs else None
    if not cvs or cvs.summary.mean is None:
        return
    passing = cvs.passing
    values = {"cvs": _score(cvs.summary.mean)}
    if passing is None:
        return
    if passing.by_level:
        out.said.append(Finding("cvs_level", values))
    elif passing.by_improvement and passing.change is not None:
        out.said.append(
            Finding("cvs_improved", {**values, "change": Param("points", passing.change)})
        )
    else:
        out.said.append(Finding("cvs_failed", values))
        out.todo.append(Finding("act_cvs"))
    if passing.change is not None and passing.previous is not None:
        out.said.append(
            Finding(
                "cvs_change",
                {"change": Param("points", passing.change), "previous": _score(passing.previous)},
            )
        )


def _grades(report: Report, config: Config, out: _Findings) -> None:
    grades = [
        (q.question_id, q.group.figures.score)
        for q in report.questions
        if q.metric == "grade" and q.group.figures is not None
    ]
    graded = sorted(
        ((qid, s.summary.mean) for qid, s in grades if s.summary.mean is not None),
        key=lambda g: (g[1], g[0]),
    )
    failing = [qid for qid, s in grades if s.passing is not None and not s.passing.passed]
    if grades and any(s.passing for _, s in grades):
        out.said.append(_grades_verdict(failing))
    if len(graded) >= 2:
        (weakest, low), (best, high) = graded[0], graded[-1]
        out.said.append(
            Finding(
                "weakest",
                {
                    "name": _label(weakest),
                    "grade": _score(low),
                    "best": _label(best),
                    "best_grade": _score(high),
                },
            )
        )
    out.todo.extend(_grade_actions(graded, failing))


def _grades_verdict(failing: list[str]) -> Finding:
    if not failing:
        return Finding("grades_pass")
    return Finding(
        "grades_fail",
        {"count": Param("count", len(failing)), "names": Param("labels", ",".join(failing))},
    )


def _grade_actions(graded: list[tuple[str, float]], failing: list[str]) -> list[Finding]:
    """An action for each failing grade, lowest first (at most `MAX_ACTIONS`), else for
    the weakest grade."""
    mean_of = dict(graded)
    failing_sorted = sorted(failing, key=lambda qid: (mean_of.get(qid, 0.0), qid))
    actions = [
        Finding("act_grade", {"name": _label(qid), "grade": _score(mean_of[qid])})
        for qid in failing_sorted[:MAX_ACTIONS]
    ]
    if graded and not failing:
        actions.append(
            Finding("act_weakest", {"name": _label(graded[0][0]), "grade": _score(graded[0][1])})
        )
    return actions


def _nps(report: Report, config: Config, out: _Findings) -> None:
    nps = report.nps.figures if report.nps else None
    if not nps or nps.result.nps is None:
        return
    values = {
        "nps": Param("nps", nps.result.nps),
        "promoters": Param("count", nps.result.promoters),
        "detractors": Param("count", nps.result.detractors),
    }
    if nps.result.nps >= 0:
        out.said.append(Finding("nps", values))
        return
    out.said.append(Finding("nps_negative", values))
    # Only named respondents can be called back; anonymous ones were never flagged.
    if not report.survey.always_anonymous and report.respondents.named:
        out.todo.append(Finding("call_detractors"))


def _csat(report: Report, config: Config, out: _Findings) -> None:
    series = report.trend.get("csat")
    last = series.points[-1] if series and series.points else None
    if last and last.figures and last.figures.value is not None and last.figures.change is not None:
        out.said.append(
            Finding(
                "csat",
                {
                    "period": Param("text", last.label),
                    "csat": Param("share", last.figures.value / 100),
                    "change": Param("points", last.figures.change),
                },
            )
        )


def _mirror(report: Report, config: Config, out: _Findings) -> None:
    if not report.mirror:
        return
    gaps = {r.label: r.figures for r in report.mirror.rows if r.figures is not None}
    for dimension in report.mirror.discrepancies[:MAX_ACTIONS]:
        gap = gaps[dimension]
        out.said.append(
            Finding(
                "mirror_gap",
                {
                    "name": _label(dimension),
                    "staff": _score(gap.staff.mean or 0.0),
                    "customers": _score(gap.customers.mean or 0.0),
                    "gap": Param("points", gap.gap or 0.0),
                },
            )
        )
    if report.mirror.discrepancies:
        names = ",".join(report.mirror.discrepancies)
        out.todo.append(Finding("mirror_plan", {"names": Param("labels", names)}))
    elif gaps:
        out.said.append(Finding("mirror_agree", {"threshold": _score(report.mirror.threshold)}))


def _follow_up(report: Report, config: Config, out: _Findings) -> None:
    if not report.follow_up:
        return
    c = report.follow_up.compliance
    for share, said, todo, days in (
        (c.forwarded_share, "forwarded", "forward_all", report.follow_up.forward_days),
        (c.closed_share, "closed", "close_all", report.follow_up.close_days),
    ):
        if share is None:
            continue
        out.said.append(
            Finding(said, {"share": Param("share", share), "days": Param("count", days)})
        )
        if share < 1:
            out.todo.append(Finding(todo, {"days": Param("count", days)}))


def _suppressed(report: Report, config: Config, out: _Findings) -> None:
    hidden = sum(
        1
        for b in report.breakdowns
        for column in b.columns[:1]
        for g in column.groups.values()
        if g.suppressed
    )
    if hidden:
        out.said.append(
            Finding(
                "suppressed",
                {"count": Param("count", hidden), "min": Param("count", report.min_group)},
            )
        )


def _publish(report: Report, config: Config, out: _Findings) -> None:
    scope = report.scope
    if (
        scope.kind == "wave"
        and scope.published_at is None
        and report.respondents.n >= report.min_group
    ):
        out.todo.append(Finding("publish", {"wave": Param("text", scope.label)}))


def _certificate(report: Report, config: Config, out: _Findings) -> None:
    level = report.certificate.level
    out.said.append(
        Finding("level", {"level": Param("level", level)}) if level else Finding("no_level")
    )
    target = Level.BRONZE if level is None else Level(level + 1) if level < Level.GOLD else None
    if target is None:
        return
    missing = [
        c.criterion.id
        for c in report.certificate.checks
        if c.criterion.level <= target and c.status is not Status.MET
    ]
    if missing:
        out.todo.append(
            Finding(
                "next_level",
                {"level": Param("level", target), "criteria": Param("criteria", ",".join(missing))},
            )
        )


RULES: tuple[Rule, ...] = (
    _respondents,
    _cvs,
    _grades,
    _nps,
    _csat,
    _mirror,
    _follow_up,
    _suppressed,
    _publish,
    _certificate,
)
"""The rules in reading order; each adds what it finds to the conclusions and the
recommendations."""


def _plural(code: str, n: int, tr: Translator) -> str:
    """The sentences whose wording depends on a count."""
    if code == "respondents":
        return tr.ngettext("{n} person answered.", "{n} people answered.", n)
    if code == "grades_fail":
        return tr.ngettext(
            "{count} grade fails the pass mark: {names}.",
            "{count} grades fail the pass mark: {names}.",
            n,
        )
    return tr.ngettext(
        "{count} group in the breakdowns shows no figures: under {min} respondents, some "
        "but under {min} of them anonymous, or it would reveal such a group.",
        "{count} groups in the breakdowns show no figures: under {min} respondents, some "
        "but under {min} of them anonymous, or they would reveal such a group.",
        n,
    )


PLURAL_CODES = {"respondents": "n", "grades_fail": "count", "suppressed": "count"}
"""Codes rendered with ngettext, and the parameter that holds their count."""


def render(report: Report, finding: Finding, tr: Translator, language: str) -> str:
    """A finding as a sentence in the report language."""
    values = {name: _format(report, p, tr, language) for name, p in finding.params.items()}
    counter = PLURAL_CODES.get(finding.code)
    if counter is not None:
        n = int(finding.params[counter].value)
        return _plural(finding.code, n, tr).format(**values)
    return tr.gettext(MESSAGES[finding.code]).format(**values)


_CRITERIA = {c.id: c for c in CRITERIA}


def _format(report: Report, param: Param, tr: Translator, language: str) -> str:
    value = param.value
    if param.kind == "score":
        return fmt.score(float(value), language)
    if param.kind == "points":
        return fmt.signed(float(value), language)
    if param.kind == "share":
        return fmt.share(float(value), language)
    if param.kind == "nps":
        return fmt.whole(float(value), language, sign=True)
    if param.kind == "count":
        return fmt.whole(float(value), language)
    if param.kind == "label":
        return labels.figure(report.survey, str(value), tr)
    if param.kind == "labels":
        return ", ".join(labels.figure(report.survey, k, tr) for k in str(value).split(","))
    if param.kind == "level":
        return tr.gettext(LEVEL_NAMES[Level(int(value))])
    if param.kind == "criteria":
        return "; ".join(tr.gettext(_CRITERIA[k].description) for k in str(value).split(","))
    return str(value)
