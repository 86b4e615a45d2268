"""Charts of the report (matplotlib, Agg backend), as SVG for the HTML report or PNG for chat.

Each chart draws only figures the model shows: a suppressed group has no figures to draw.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot import i18n
from bot.reports import fmt, labels
from bot.reports.model import Report
from scoring.nps import PASSIVE_FROM, PROMOTER_FROM
from scoring.passmark import PASS_MARK

ImageFormat = Literal["svg", "png"]

PASSED = "#2e7d5b"
FAILED = "#c0392b"
NEUTRAL = "#4a6fa5"
MUTED = "#9aa5b1"
PASSIVE = "#e0b43c"

# Applied per chart (no global state); svg.hashsalt keeps the SVG the same for the same data.
STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "klantstem",
}

Maker = Callable[[Report, str, "ImageFormat"], "Chart | None"]


@dataclass(frozen=True)
class Chart:
    """One rendered chart with its caption (already translated)."""

    key: str
    caption: str
    data: bytes
    mime: str


def _styled(make: Maker) -> Maker:
    @wraps(make)
    def styled(report: Report, language: str, kind: ImageFormat = "svg") -> Chart | None:
        with matplotlib.rc_context(STYLE):
            return make(report, language, kind)

    return styled


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure drawn by the Agg renderer, never through pyplot's global state."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _save(fig: Figure, kind: ImageFormat) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    fig.savefig(buffer, format=kind, bbox_inches="tight", dpi=144, metadata=metadata)
    return buffer.getvalue()


def _chart(key: str, caption: str, fig: Figure, kind: ImageFormat) -> Chart:
    mime = "image/svg+xml" if kind == "svg" else "image/png"
    return Chart(key, caption, _save(fig, kind), mime)


@_styled
def pass_mark_chart(report: Report, language: str, kind: ImageFormat = "svg") -> Chart | None:
    """CVS and every grade as bars against the pass mark, the previous wave as a marker."""
    tr = i18n.translator(language)
    rows: list[tuple[str, float, float | None, bool | None]] = []
    if report.cvs is not None and report.cvs.figures is not None:
        s = report.cvs.figures
        passing = s.passing
        rows.append(
            (
                labels.figure(report.survey, "cvs", tr),
                s.summary.mean or 0.0,
                passing.previous if passing else None,
                passing.passed if passing else None,
            )
        )
    for q in report.questions:
        if q.metric != "grade" or q.group.figures is None:
            continue
        score = q.group.figures.score
        p = score.passing
        rows.append(
            (
                labels.figure(report.survey, q.question_id, tr),
                score.summary.mean or 0.0,
                p.previous if p else None,
                p.passed if p else None,
            )
        )
    if not rows:
        return None
    rows.reverse()
    fig, ax = _figure(7.2, 0.42 * len(rows) + 0.9)
    names = [r[0] for r in rows]
    colors = [NEUTRAL if r[3] is None else PASSED if r[3] else FAILED for r in rows]
    ax.barh(names, [r[1] for r in rows], color=colors, height=0.6)
    previous = [(i, r[2]) for i, r in enumerate(rows) if r[2] is not None]
    if previous:
        ax.scatter(
            [v for _, v in previous],
            [i for i, _ in previous],
            marker="|",
            s=260,
            linewidths=2.2,
            color="#222222",
            zorder=3,
            label=tr.gettext("previous wave"),
        )
    for i, r in enumerate(rows):
        ax.text(r[1] + 0.08, i, fmt.score(r[1], language), va="center", fontsize=8)
    ax.axvline(PASS_MARK, color="#555555", linestyle="--", linewidth=1)
    ax.text(PASS_MARK, len(rows) - 0.35, tr.gettext("pass mark 7"), ha="center", fontsize=8)
    ax.set_xlim(0, 10.6)
    ax.set_xlabel(tr.gettext("grade (CVS on 0-10, dimensions on 1-10)"))
    if previous:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    caption = tr.gettext(
        "CVS and grades against the pass mark; green passed (7 or more, or 10 points up), "
        "red did not; the black mark is the previous wave."
    )
    return _chart("passmark", caption, fig, kind)


@_styled
def nps_chart(report: Report, language: str, kind: ImageFormat = "svg") -> Chart | None:
    """The 0-10 answers of the recommendation question, coloured by NPS group."""
    if report.nps is None or report.nps.figures is None or report.nps_question is None:
        return None
    question = report.question(report.nps_question)
    if question is None or question.group.figures is None:
        return None
    tr = i18n.translator(language)
    spread = question.group.figures.distribution
    scores = list(range(0, 11))
    counts = [spread.get(s, 0) for s in scores]
    colors = [
        PASSED if s >= PROMOTER_FROM else PASSIVE if s >= PASSIVE_FROM else FAILED for s in scores
    ]
    fig, ax = _figure(7.2, 2.8)
    ax.bar(scores, counts, color=colors)
    ax.set_xticks(scores)
    ax.set_xlabel(labels.figure(report.survey, report.nps_question, tr) + " (0-10)")
    ax.set_ylabel(tr.gettext("respondents"))
    result = report.nps.figures.result
    ax.set_title(
        tr.gettext(
            "NPS {nps}: {promoters} promoters, {passives} passives, {detractors} detractors"
        ).format(
            nps=fmt.whole(result.nps, language, sign=True),
            promoters=result.promoters,
            passives=result.passives,
            detractors=result.detractors,
        ),
        fontsize=9,
    )
    caption = tr.gettext(
        "How the answers spread: red detractors (0-6), yellow passives (7-8), green promoters "
        "(9-10)."
    )
    return _chart("nps", caption, fig, kind)


@_styled
def trend_chart(report: Report, language: str, kind: ImageFormat = "svg") -> Chart | None:
    """Every mean figure over the waves or periods, against the pass mark."""
    trend = report.trend
    if len(trend.labels) < 2:
        return None
    tr = i18n.translator(language)
    fig, ax = _figure(7.2, 3.4)
    drawn = 0
    positions = range(len(trend.labels))
    percent_only = all(s.key in ("csat", "nps") for s in trend.series)
    for series in trend.series:
        if (series.key in ("nps", "csat")) != percent_only:
            continue
        shown = [
            (i, p.figures.value)
            for i, p in zip(positions, series.points, strict=True)
            if p.figures is not None and p.figures.value is not None
        ]
        xs, ys = [i for i, _ in shown], [v for _, v in shown]
        if not xs:
            continue
        bold = series.key in ("cvs", "csat")
        ax.plot(
            xs,
            ys,
            marker="o",
            linewidth=2.6 if bold else 1.1,
            color="#1f3b5c" if bold else None,
            alpha=1 if bold else 0.75,
            label=labels.figure(report.survey, series.key, tr),
        )
        drawn += 1
    if not drawn:
        return None
    if percent_only:
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
    else:
        ax.axhline(PASS_MARK, color="#555555", linestyle="--", linewidth=1)
        ax.set_ylim(max(0, ax.get_ylim()[0] - 0.3), min(10, ax.get_ylim()[1] + 0.3))
    ax.set_xticks(list(positions), trend.labels, rotation=0 if len(trend.labels) < 6 else 30)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    caption = (
        tr.gettext("Trend over waves; the dashed line is the pass mark.")
        if trend.unit == "wave"
        else tr.gettext("Trend per period.")
    )
    return _chart("trend", caption, fig, kind)


@_styled
def mirror_chart(report: Report, language: str, kind: ImageFormat = "svg") -> Chart | None:
    """Staff prediction and customer grade per dimension, joined by their gap."""
    m = report.mirror
    if m is None:
        return None
    rows = [
        (r.label, r.figures.staff.mean, r.figures.customers.mean)
        for r in m.rows
        if r.figures is not None
        and r.figures.staff.mean is not None
        and r.figures.customers.mean is not None
    ]
    if not rows:
        return None
    tr = i18n.translator(language)
    rows.reverse()
    fig, ax = _figure(7.2, 0.42 * len(rows) + 0.9)
    for i, (dimension, staff, customers) in enumerate(rows):
        color = FAILED if dimension in m.discrepancies else MUTED
        ax.plot([customers, staff], [i, i], color=color, linewidth=3, zorder=1)
    ax.scatter(
        [customers for _, _, customers in rows],
        range(len(rows)),
        color=NEUTRAL,
        s=45,
        zorder=2,
        label=tr.gettext("customers give"),
    )
    ax.scatter(
        [staff for _, staff, _ in rows],
        range(len(rows)),
        color="#e67e22",
        marker="D",
        s=40,
        zorder=2,
        label=tr.gettext("staff expect"),
    )
    ax.set_yticks(range(len(rows)), [labels.dimension(d, tr) for d, _, _ in rows])
    ax.set_xlim(1, 10)
    ax.axvline(PASS_MARK, color="#555555", linestyle="--", linewidth=1)
    ax.legend(loc="lower left", frameon=False, fontsize=8)
    caption = tr.gettext(
        "Mirror survey: what staff expect against what customers give; red gaps are {threshold} "
        "or more and need an action plan."
    ).format(threshold=fmt.score(m.threshold, language))
    return _chart("mirror", caption, fig, kind)


def all_charts(report: Report, language: str, kind: ImageFormat = "svg") -> list[Chart]:
    """Every chart the report has data for, in reading order."""
    makers = (pass_mark_chart, nps_chart, trend_chart, mirror_chart)
    return [c for c in (make(report, language, kind) for make in makers) if c is not None]
