"""The report as translated, formatted tables and lists, shared by the text and HTML outputs.

A hidden figure (a group below the minimum, or one that would reveal such a group) is
shown as HIDDEN; its respondent count stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import i18n
from bot.reports import fmt, labels
from bot.reports.conclusions import render as render_finding
from bot.reports.model import Breakdown, Point, Report, Score, TrendSeries
from bot.storage.flags_sql import FlagStatus
from flows import Kind, Translator
from scoring.certificate import LEVEL_NAMES
from scoring.passmark import PassResult
from scoring.suppression import Group

HIDDEN = "\u00b7"


@dataclass(frozen=True)
class Row:
    """One table row; `n` is the respondent count behind it (None for non-group rows) and
    `state` the pass-mark verdict of its figure ('passed', 'failed' or '')."""

    cells: list[str]
    n: int | None = None
    hidden: bool = False
    key: str = ""
    state: str = ""


@dataclass(frozen=True)
class Table:
    """A titled table; the first column is a label, the others figures. Where columns are
    groups of respondents (trend, breakdowns), column_n holds each column's count."""

    key: str
    title: str
    headers: list[str]
    rows: list[Row]
    note: str = ""
    column_n: list[int | None] = field(default_factory=list)


@dataclass(frozen=True)
class Highlight:
    """A key figure for the report's cover: its name, value, a short note and its state
    ('passed', 'failed' or '' when no rule applies)."""

    name: str
    value: str
    note: str
    state: str = ""


@dataclass
class Presentation:
    """Everything a text or HTML report shows, in one language."""

    language: str
    title: str
    subtitle: str
    method: list[tuple[str, str]]
    totals: Table
    questions: Table
    trend: Table | None
    breakdowns: list[Table]
    mirror: Table | None
    follow_up: Table | None
    certificate: Table
    level: str
    evidence: list[str]
    conclusions: list[str]
    recommendations: list[str]
    appendix: list[tuple[str, str, str]] = field(default_factory=list)
    hidden_note: str = ""
    headings: dict[str, str] = field(default_factory=dict)
    highlights: list[Highlight] = field(default_factory=list)


def verdict(passing: PassResult | None, tr: Translator, language: str) -> str:
    """The pass-mark verdict with its reason."""
    if passing is None:
        return ""
    if passing.by_level and passing.by_improvement:
        return tr.gettext("passed (7 or more, and up {change})").format(
            change=fmt.signed(passing.change, language)
        )
    if passing.by_level:
        return tr.gettext("passed (7 or more)")
    if passing.by_improvement:
        return tr.gettext("passed (up {change})").format(
            change=fmt.signed(passing.change, language)
        )
    return tr.gettext("not passed")


def _state(passing: PassResult | None) -> str:
    return "" if passing is None else "passed" if passing.passed else "failed"


def _score_cells(score: Score, language: str) -> list[str]:
    return [
        fmt.score(score.summary.mean, language),
        fmt.margin(score.margin, language),
        fmt.score(score.passing.previous if score.passing else None, language),
        fmt.signed(score.passing.change if score.passing else None, language),
    ]


def _totals(report: Report, tr: Translator, lang: str) -> Table:
    rows: list[Row] = []

    def hidden(label: str, n: int) -> Row:
        return Row([label, fmt.whole(n, lang), HIDDEN, "", "", "", ""], n, True)

    if report.cvs is not None:
        g = report.cvs
        label = labels.figure(report.survey, "cvs", tr)
        if g.figures is None:
            rows.append(hidden(label, g.n))
        else:
            cells = _score_cells(g.figures, lang)
            passing = g.figures.passing
            rows.append(
                Row(
                    [label, fmt.whole(g.n, lang), *cells, verdict(passing, tr, lang)],
                    g.n,
                    key="cvs",
                    state=_state(passing),
                )
            )
    if report.nps is not None:
        g2 = report.nps
        label = labels.figure(report.survey, "nps", tr)
        if g2.figures is None:
            rows.append(hidden(label, g2.n))
        else:
            nps = g2.figures
            previous, change = _previous(report.trend.get("nps"), report.scope.label)
            rows.append(
                Row(
                    [
                        label,
                        fmt.whole(g2.n, lang),
                        fmt.whole(nps.result.nps, lang, sign=True),
                        fmt.margin(nps.margin, lang, digits=0),
                        fmt.whole(previous, lang, sign=True),
                        fmt.whole(change, lang, sign=True),
                        "",
                    ],
                    g2.n,
                )
            )
    if report.csat is not None:
        g3 = report.csat
        label = labels.figure(report.survey, "csat", tr)
        if g3.figures is None:
            rows.append(hidden(label, g3.n))
        else:
            c = g3.figures.result
            previous, change = _previous(report.trend.get("csat"), report.scope.label)
            rows.append(
                Row(
                    [
                        label,
                        fmt.whole(g3.n, lang),
                        fmt.share((c.csat or 0) / 100, lang),
                        fmt.margin(g3.figures.margin, lang, digits=0),
                        fmt.share(None if previous is None else previous / 100, lang),
                        fmt.signed(change, lang),
                        "",
                    ],
                    g3.n,
                )
            )
    if report.ces is not None:
        g4 = report.ces
        label = labels.figure(report.survey, "ces", tr)
        if g4.figures is None:
            rows.append(hidden(label, g4.n))
        else:
            rows.append(
                Row([label, fmt.whole(g4.n, lang), *_score_cells(g4.figures, lang), ""], g4.n)
            )
    for q in report.questions:
        if q.metric != "grade":
            continue
        label = labels.figure(report.survey, q.question_id, tr)
        if q.group.figures is None:
            rows.append(hidden(label, q.group.n))
            continue
        score = q.group.figures.score
        rows.append(
            Row(
                [
                    label,
                    fmt.whole(q.group.n, lang),
                    *_score_cells(score, lang),
                    verdict(score.passing, tr, lang),
                ],
                q.group.n,
                key=q.question_id,
                state=_state(score.passing),
            )
        )
    headers = [
        tr.gettext("figure"),
        tr.gettext("respondents"),
        tr.gettext("result"),
        tr.gettext("margin (95%)"),
        tr.gettext("previous"),
        tr.gettext("change"),
        tr.gettext("pass mark"),
    ]
    return Table("totals", tr.gettext("Results at total level"), headers, rows)


def _previous(series: TrendSeries | None, label: str) -> tuple[float | None, float | None]:
    """The shown value before `label` in a series, and the change to it."""
    if series is None or not label:
        return None, None
    for i, point in enumerate(series.points):
        if point.label == label and point.figures is not None and i > 0:
            before = series.points[i - 1].figures
            return (before.value if before else None), point.figures.change
    return None, None


def _questions(report: Report, tr: Translator, lang: str) -> Table:
    rows = []
    for q in report.questions:
        label = labels.figure(report.survey, q.question_id, tr)
        scale = f"{q.low}\u2013{q.high}"
        if q.group.figures is None:
            rows.append(
                Row([label, scale, fmt.whole(q.group.n, lang), HIDDEN, "", ""], q.group.n, True)
            )
            continue
        s = q.group.figures.score
        rows.append(
            Row(
                [
                    label,
                    scale,
                    fmt.whole(q.group.n, lang),
                    fmt.score(s.summary.mean, lang),
                    fmt.score(s.summary.sd, lang),
                    fmt.margin(s.margin, lang),
                ],
                q.group.n,
                key=q.question_id,
            )
        )
    headers = [
        tr.gettext("question"),
        tr.gettext("scale"),
        tr.gettext("respondents"),
        tr.gettext("mean"),
        tr.gettext("sd"),
        tr.gettext("margin (95%)"),
    ]
    return Table("questions", tr.gettext("Every scale question"), headers, rows)


def _point(series: TrendSeries, point: Group[Point], lang: str) -> str:
    if point.figures is None:
        return HIDDEN if point.n else fmt.DASH
    value = point.figures.value
    if series.key == "nps":
        return fmt.whole(value, lang, sign=True)
    if series.key == "csat":
        return fmt.share(None if value is None else value / 100, lang)
    text = fmt.score(value, lang)
    passing = point.figures.passing
    return text + ("" if passing is None or passing.passed else " \u2717")


def _trend(report: Report, tr: Translator, lang: str) -> Table | None:
    trend = report.trend
    if len(trend.labels) < 2:
        return None
    sizes = [
        max((s.points[i].n for s in trend.series), default=0) for i in range(len(trend.labels))
    ]
    first = tr.gettext("wave") if trend.unit == "wave" else tr.gettext("period")
    rows = [
        Row([tr.gettext("respondents"), *(fmt.whole(n, lang) for n in sizes)], key="respondents")
    ]
    for s in trend.series:
        cells = [labels.figure(report.survey, s.key, tr)]
        cells += [_point(s, p, lang) for p in s.points]
        rows.append(Row(cells, key=s.key))
    judged = any(p.figures and p.figures.passing for s in trend.series for p in s.points)
    note = (
        tr.gettext("\u2717: below the pass mark and not 10 points up on the previous one.")
        if judged
        else ""
    )
    return Table("trend", tr.gettext("Trend"), [first, *trend.labels], rows, note, [None, *sizes])


def breakdown_title(report: Report, b: Breakdown, tr: Translator, lang: str) -> str:
    """'By segment', 'By answer to: How long have you been our customer?', 'By NPS group'."""
    if b.kind == "attribute":
        return tr.gettext("By {attribute}").format(attribute=b.key)
    if b.kind == "nps_group":
        return tr.gettext("By promoters, passives and detractors")
    text = report.survey.question(b.key).text.render(lang, tr)
    return tr.gettext("By answer to: {question}").format(question=text)


def _breakdown(report: Report, b: Breakdown, tr: Translator, lang: str) -> Table:
    sizes = [b.size(label) for label in b.labels]
    headers = [tr.gettext("figure")]
    headers += [labels.group(report.survey, b.kind, b.key, label, tr, lang) for label in b.labels]
    rows = [
        Row([tr.gettext("respondents"), *(fmt.whole(n, lang) for n in sizes)], key="respondents")
    ]
    for column in b.columns:
        cells = [labels.figure(report.survey, column.key, tr)]
        for label in b.labels:
            g = column.groups.get(label)
            if g is None:
                cells.append(fmt.DASH)
            elif g.figures is None:
                cells.append(HIDDEN)
            elif column.key == "nps":
                cells.append(fmt.whole(g.figures, lang, sign=True))
            elif column.key == "csat":
                cells.append(fmt.share(g.figures / 100, lang))
            else:
                cells.append(fmt.score(g.figures, lang))
        rows.append(Row(cells, key=column.key))
    key = f"breakdown-{b.kind}-{b.key}"
    return Table(key, breakdown_title(report, b, tr, lang), headers, rows, "", [None, *sizes])


def _mirror(report: Report, tr: Translator, lang: str) -> Table | None:
    m = report.mirror
    if m is None:
        return None
    headers = [
        tr.gettext("dimension"),
        tr.gettext("staff expect"),
        tr.gettext("customers give"),
        tr.gettext("gap"),
        "",
    ]
    rows = []
    for g in m.rows:
        name = labels.dimension(g.label, tr)
        if g.figures is None:
            rows.append(Row([name, HIDDEN, HIDDEN, HIDDEN, ""], g.n, True, key=g.label))
            continue
        gap = g.figures
        mark = tr.gettext("needs an action plan") if g.label in m.discrepancies else ""
        rows.append(
            Row(
                [
                    name,
                    fmt.score(gap.staff.mean, lang),
                    fmt.score(gap.customers.mean, lang),
                    fmt.signed(gap.gap, lang),
                    mark,
                ],
                g.n,
                key=g.label,
            )
        )
    note = tr.gettext(
        "Staff: {staff}; customers: {customers}. A gap of {threshold} or more needs an action plan."
    ).format(
        staff=m.staff_label or labels.survey_title(report.survey, tr, lang),
        customers=m.customer_label or "\u2013",
        threshold=fmt.score(m.threshold, lang),
    )
    return Table(
        "mirror", tr.gettext("Mirror survey: staff against customers"), headers, rows, note
    )


def _follow_up(report: Report, tr: Translator, lang: str) -> Table | None:
    f = report.follow_up
    if f is None or f.compliance.raised == 0:
        return None
    c = f.compliance
    rows = [
        Row([tr.gettext("flags raised"), fmt.whole(c.raised, lang), ""]),
        Row(
            [
                tr.gettext("forwarded within {days} days").format(days=f.forward_days),
                f"{fmt.whole(c.forwarded_in_time, lang)} / {fmt.whole(c.forward_due, lang)}",
                fmt.share(c.forwarded_share, lang),
            ]
        ),
        Row(
            [
                tr.gettext("followed up within {days} days").format(days=f.close_days),
                f"{fmt.whole(c.closed_in_time, lang)} / {fmt.whole(c.close_due, lang)}",
                fmt.share(c.closed_share, lang),
            ]
        ),
    ]
    status_names: dict[str, str] = {
        FlagStatus.OPEN: tr.gettext("open"),
        FlagStatus.FORWARDED: tr.gettext("forwarded"),
        FlagStatus.CLOSED: tr.gettext("closed"),
    }
    for status, n in sorted(f.by_status.items()):
        rows.append(
            Row(
                [
                    tr.gettext("now {status}").format(status=status_names.get(status, status)),
                    fmt.whole(n, lang),
                    "",
                ]
            )
        )
    headers = [tr.gettext("flags"), tr.gettext("count"), tr.gettext("share")]
    return Table("follow-up", tr.gettext("Follow-up of flagged respondents"), headers, rows)


def _certificate(report: Report, tr: Translator) -> Table:
    rows = [
        Row(
            [
                tr.gettext(c.criterion.description),
                tr.gettext(LEVEL_NAMES[c.criterion.level]),
                tr.gettext(labels.STATUSES[c.status.value]),
            ],
            key=c.status.value,
        )
        for c in report.certificate.checks
    ]
    headers = [tr.gettext("criterion"), tr.gettext("level"), tr.gettext("status")]
    return Table("certificate", tr.gettext("Certificate checklist"), headers, rows)


def _method(report: Report, tr: Translator, lang: str, timezone: str) -> list[tuple[str, str]]:
    survey, scope, r = report.survey, report.scope, report.respondents
    min_group = report.min_group
    items = [(tr.gettext("Survey"), f"{labels.survey_title(survey, tr, lang)} ({survey.id})")]
    if survey.always_anonymous:
        anonymity = tr.gettext("always anonymous (employees)")
    else:
        anonymity = tr.gettext("anonymity offered: each respondent chooses named or anonymous")
    items.append((tr.gettext("Anonymity"), anonymity))
    if scope.kind == "wave":
        frequency = tr.gettext("periodic waves; this report covers wave {wave}").format(
            wave=scope.label
        )
    elif scope.kind == "period":
        frequency = tr.gettext("sent after interactions; this report covers {period}").format(
            period=scope.label
        )
    else:
        frequency = tr.gettext("all responses so far")
    items.append((tr.gettext("Frequency"), frequency))
    if scope.opened_at:
        items.append(
            (
                tr.gettext("Fieldwork"),
                f"{fmt.day(scope.opened_at, lang, timezone)} \u2013 "
                f"{fmt.day(scope.closes_at, lang, timezone)}",
            )
        )
    if scope.first_response:
        items.append(
            (
                tr.gettext("Answers received"),
                f"{fmt.day(scope.first_response, lang, timezone)} \u2013 "
                f"{fmt.day(scope.last_response, lang, timezone)}",
            )
        )
    if r.invited:
        response = tr.gettext("{n} of {invited} invited ({rate})").format(
            n=fmt.whole(r.answered, lang),
            invited=fmt.whole(r.invited, lang),
            rate=fmt.share(r.rate, lang),
        )
    else:
        response = tr.ngettext(
            "{n} respondent (no invitation count)", "{n} respondents (no invitation count)", r.n
        ).format(n=fmt.whole(r.n, lang))
    items.append((tr.gettext("Response"), response))
    items.append(
        (
            tr.gettext("Named / anonymous"),
            f"{fmt.whole(r.named, lang)} / {fmt.whole(r.anonymous, lang)}",
        )
    )
    if r.held:
        items.append((tr.gettext("Waiting for release"), labels.held_note(r.held, min_group, tr)))
    if r.withheld:
        items.append((tr.gettext("Withheld"), labels.withheld_note(r.withheld, min_group, tr)))
    cvs = report.cvs.figures if report.cvs else None
    if cvs and cvs.margin is not None:
        items.append(
            (
                tr.gettext("Margin of error"),
                tr.gettext(
                    "CVS {margin} at {confidence} confidence, corrected for the invited population"
                ).format(margin=fmt.margin(cvs.margin, lang), confidence=i18n.percent(0.95, lang)),
            )
        )
    items.append(
        (
            tr.gettext("Small groups"),
            tr.gettext(
                "no figures for groups of fewer than {min} respondents, or with some but "
                "fewer than {min} anonymous ones among them"
            ).format(min=min_group),
        )
    )
    if scope.published_at:
        items.append((tr.gettext("Results fed back"), fmt.day(scope.published_at, lang, timezone)))
    return items


def _appendix(report: Report, tr: Translator, lang: str) -> list[tuple[str, str, str]]:
    out = []
    for i, q in enumerate(report.survey.questions, 1):
        text = q.text.render(lang, tr)
        if q.kind is Kind.SCALE:
            low = q.low_label.render(lang, tr) if q.low_label else ""
            high = q.high_label.render(lang, tr) if q.high_label else ""
            answer = (
                f"{q.low} ({low}) \u2013 {q.high} ({high})" if low else f"{q.low}\u2013{q.high}"
            )
        elif q.kind is Kind.CHOICE:
            answer = " / ".join(c.label.render(lang, tr) for c in q.choices)
        else:
            answer = tr.gettext("open answer")
        if q.optional:
            answer += " \u00b7 " + tr.gettext("optional")
        out.append((str(i), text, answer))
    return out


def _highlights(report: Report, tr: Translator, lang: str) -> list[Highlight]:
    out = []
    cvs = report.cvs
    if cvs is not None and cvs.figures is not None:
        passing = cvs.figures.passing
        state = _state(passing)
        out.append(
            Highlight(
                labels.figure(report.survey, "cvs", tr),
                fmt.score(cvs.figures.summary.mean, lang),
                verdict(passing, tr, lang) or fmt.margin(cvs.figures.margin, lang),
                state,
            )
        )
    if report.nps is not None and report.nps.figures is not None:
        result = report.nps.figures.result
        out.append(
            Highlight(
                labels.figure(report.survey, "nps", tr),
                fmt.whole(result.nps, lang, sign=True),
                tr.gettext("{promoters} promoters, {detractors} detractors").format(
                    promoters=result.promoters, detractors=result.detractors
                ),
            )
        )
    if report.csat is not None and report.csat.figures is not None:
        c = report.csat.figures.result
        out.append(
            Highlight(
                labels.figure(report.survey, "csat", tr),
                fmt.share((c.csat or 0.0) / 100, lang),
                tr.gettext("{satisfied} of {n} satisfied (4-5)").format(
                    satisfied=c.satisfied, n=c.n
                ),
            )
        )
    r = report.respondents
    if r.rate is not None:
        out.append(
            Highlight(
                tr.gettext("Response rate"),
                fmt.share(r.rate, lang),
                tr.gettext("{n} of {invited} invited").format(n=r.answered, invited=r.invited),
            )
        )
    else:
        out.append(Highlight(tr.gettext("Respondents"), fmt.whole(r.n, lang), ""))
    judged = [
        q.group.figures.score.passing
        for q in report.questions
        if q.metric == "grade" and q.group.figures and q.group.figures.score.passing
    ]
    if judged:
        failing = sum(1 for passing in judged if not passing.passed)
        out.append(
            Highlight(
                tr.gettext("Grades passing"),
                f"{len(judged) - failing} / {len(judged)}",
                tr.gettext("7 or more, or 10 points up"),
                "failed" if failing else "passed",
            )
        )
    level = report.certificate.level
    out.append(
        Highlight(
            tr.gettext("Certificate"),
            tr.gettext(LEVEL_NAMES[level]) if level else tr.gettext("none yet"),
            tr.gettext("what the data supports"),
        )
    )
    return out


def present(report: Report, language: str, timezone: str) -> Presentation:
    """Translate and format a report for reading."""
    tr = i18n.translator(language)
    title = labels.survey_title(report.survey, tr, language)
    if report.scope.kind == "wave":
        subtitle = tr.gettext("Research report, wave {wave}").format(wave=report.scope.label)
    elif report.scope.kind == "period":
        subtitle = tr.gettext("Research report, {period}").format(period=report.scope.label)
    else:
        subtitle = tr.gettext("Research report, all responses")
    level = report.certificate.level
    return Presentation(
        language=language,
        title=title,
        subtitle=subtitle,
        method=_method(report, tr, language, timezone),
        totals=_totals(report, tr, language),
        questions=_questions(report, tr, language),
        trend=_trend(report, tr, language),
        breakdowns=[_breakdown(report, b, tr, language) for b in report.breakdowns],
        mirror=_mirror(report, tr, language),
        follow_up=_follow_up(report, tr, language),
        certificate=_certificate(report, tr),
        level=tr.gettext(LEVEL_NAMES[level]) if level else tr.gettext("none yet"),
        evidence=[
            f"{e.recorded_at[:10]} \u00b7 {e.criterion} \u00b7 {e.note} ({e.recorded_by})"
            for e in report.certificate.evidence
        ],
        conclusions=[render_finding(report, f, tr, language) for f in report.conclusions],
        recommendations=[render_finding(report, f, tr, language) for f in report.recommendations],
        appendix=_appendix(report, tr, language),
        hidden_note=tr.gettext(
            "{mark} not shown: fewer than {min} respondents, some but fewer than {min} of "
            "them anonymous, or it would reveal such a group."
        ).format(mark=HIDDEN, min=report.min_group),
        highlights=_highlights(report, tr, language),
        headings={
            "method": tr.gettext("Method"),
            "conclusions": tr.gettext("Conclusions"),
            "recommendations": tr.gettext("Recommendations"),
            "charts": tr.gettext("Charts"),
            "breakdowns": tr.gettext("Breakdowns"),
            "certificate": tr.gettext("Certificate"),
            "level": tr.gettext("Certificate level the data supports"),
            "evidence": tr.gettext("Evidence recorded by administrators"),
            "appendix": tr.gettext("Appendix: the questionnaire"),
            "results": tr.gettext("Results"),
            "trend": tr.gettext("Trend"),
            "mirror": tr.gettext("Mirror survey"),
            "follow_up": tr.gettext("Follow-up"),
            "contents": tr.gettext("Contents"),
            "summary": tr.gettext("Summary"),
            "generated": tr.gettext("Made by Klantstem on {date}").format(
                date=fmt.day(report.generated_at, language, timezone)
            ),
        },
    )
