"""The report's aggregated figures as CSV, one figure per line, for spreadsheets.

Columns: section, kind, key, group, figure, n, value, margin, previous, change, passed.
`n` is the number of respondents behind a figure (empty where the value is itself a
count or share of flags or invitations). Values are unformatted (shares 0..1, NPS and
CSAT in points); a suppressed group keeps its n and leaves every figure empty.
"""

from __future__ import annotations

from bot.imports.csvfile import write_csv
from bot.reports.model import Report, Score
from scoring.passmark import PassResult

HEADER = (
    "section",
    "kind",
    "key",
    "group",
    "figure",
    "n",
    "value",
    "margin",
    "previous",
    "change",
    "passed",
)

Cell = str | int | float | None


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _pass(p: PassResult | None) -> list[str]:
    if p is None:
        return ["", "", ""]
    return [_num(p.previous), _num(p.change), "yes" if p.passed else "no"]


def _score(score: Score | None) -> list[str]:
    if score is None:
        return ["", "", "", "", ""]
    return [_num(score.summary.mean), _num(score.margin), *_pass(score.passing)]


def _total_share(figure: str, n: int, value: float | None, margin: float | None) -> list[Cell]:
    """A total-level NPS or CSAT row: a value with its margin, no pass mark."""
    return ["total", "", "", "", figure, n, _num(value), _num(margin), "", "", ""]


def rows(report: Report) -> list[list[Cell]]:
    """Every aggregated figure as a CSV row (without the header)."""
    out: list[list[Cell]] = []
    if report.cvs is not None:
        out.append(["total", "", "", "", "cvs", report.cvs.n, *_score(report.cvs.figures)])
    if report.nps is not None:
        nps = report.nps.figures
        value, margin = (nps.result.nps, nps.margin) if nps else (None, None)
        out.append(_total_share("nps", report.nps.n, value, margin))
    if report.csat is not None:
        c = report.csat.figures
        value, margin = (c.result.csat, c.margin) if c else (None, None)
        out.append(_total_share("csat", report.csat.n, value, margin))
    if report.ces is not None:
        out.append(["total", "", "", "", "ces", report.ces.n, *_score(report.ces.figures)])
    r = report.respondents
    out.append(["total", "", "", "", "respondents", r.n, "", "", "", "", ""])
    out.append(["total", "", "", "", "answered", "", r.answered, "", "", "", ""])
    out.append(["total", "", "", "", "held", "", r.held, "", "", "", ""])
    out.append(["total", "", "", "", "withheld", "", r.withheld, "", "", "", ""])
    out.append(["total", "", "", "", "invited", "", r.invited, "", "", "", ""])
    out.append(["total", "", "", "", "response_rate", "", _num(r.rate), "", "", "", ""])
    for q in report.questions:
        figures = q.group.figures
        out.append(
            [
                "question",
                q.metric or "",
                q.question_id,
                "",
                "mean",
                q.group.n,
                *_score(figures.score if figures else None),
            ]
        )
    for s in report.trend.series:
        for p in s.points:
            f = p.figures
            out.append(
                [
                    "trend",
                    report.trend.unit,
                    "",
                    p.label,
                    s.key,
                    p.n,
                    _num(f.value) if f else "",
                    "",
                    *(_pass(f.passing) if f else ["", "", ""]),
                ]
            )
            if f and f.passing is None:
                out[-1][9] = _num(f.change)
    for b in report.breakdowns:
        for label in b.labels:
            for column in b.columns:
                g = column.groups.get(label)
                if g is None:
                    continue
                out.append(
                    [
                        "breakdown",
                        b.kind,
                        b.key,
                        label,
                        column.key,
                        g.n,
                        _num(g.figures),
                        "",
                        "",
                        "",
                        "",
                    ]
                )
    if report.mirror is not None:
        for row in report.mirror.rows:
            m = row.figures
            for figure, value in (
                ("staff", m.staff.mean if m else None),
                ("customers", m.customers.mean if m else None),
                ("gap", m.gap if m else None),
            ):
                out.append(
                    ["mirror", "", "", row.label, figure, row.n, _num(value), "", "", "", ""]
                )
    if report.follow_up is not None:
        c2 = report.follow_up.compliance
        flags: tuple[tuple[str, Cell], ...] = (
            ("flags_raised", c2.raised),
            ("forward_due", c2.forward_due),
            ("forwarded_in_time", c2.forwarded_in_time),
            ("forwarded_share", _num(c2.forwarded_share)),
            ("close_due", c2.close_due),
            ("closed_in_time", c2.closed_in_time),
            ("closed_share", _num(c2.closed_share)),
        )
        for name, count in flags:
            out.append(["follow_up", "", "", "", name, "", count, "", "", "", ""])
    for check in report.certificate.checks:
        out.append(
            [
                "certificate",
                check.criterion.level.name.lower(),
                check.criterion.id,
                "",
                check.status.value,
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return out


def render_csv(report: Report) -> str:
    """The CSV text, header first; text cells that look like formulas are neutralised."""
    return write_csv(HEADER, rows(report))
