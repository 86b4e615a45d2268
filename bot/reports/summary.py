"""Short report summaries for chat: `/report` for admins, and the results sent back to a
wave's people (G-R4). Both come from the same suppressed report model as the full report,
with one chart as a PNG image.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot import i18n
from bot.admin.commands import AdminRequest
from bot.config.settings import Config
from bot.delivery import Notice
from bot.reports import fmt, labels
from bot.reports.build import build_report
from bot.reports.conclusions import render as render_finding
from bot.reports.model import Report
from bot.reports.present import verdict
from bot.reports.scope import ReportError, Selection
from bot.storage import Storage
from flows import Survey

Audience = Literal["admin", "respondents"]
MAX_FINDINGS = 3
_PERIOD = re.compile(r"^\d{4}-(\d{2}|[Qq][1-4])$")


def summary_text(report: Report, language: str, audience: Audience = "admin") -> str:
    """A few lines: the scope, the response, the key figures with their pass marks and, for
    admins, the first recommendations. Results for respondents leave out internal advice."""
    tr = i18n.translator(language)
    title = labels.survey_title(report.survey, tr, language)
    lines = [f"{title} \u2013 {report.scope.label or tr.gettext('all responses')}"]
    r = report.respondents
    if r.rate is not None and r.invited:
        lines.append(
            tr.gettext("{n} of {invited} invited answered ({rate}).").format(
                n=r.answered, invited=r.invited, rate=fmt.share(r.rate, language)
            )
        )
    else:
        lines.append(
            tr.ngettext("{n} person answered.", "{n} people answered.", r.answered).format(
                n=r.answered
            )
        )
    if r.held:
        lines.append(labels.held_note(r.held, report.min_group, tr))
    if r.withheld:
        lines.append(labels.withheld_note(r.withheld, report.min_group, tr))
    if r.n < report.min_group:
        lines.append(
            tr.gettext("Figures are shown from {min} respondents on.").format(min=report.min_group)
        )
        return "\n".join(lines)
    if report.cvs is not None and report.cvs.figures is not None:
        s = report.cvs.figures
        line = f"{labels.figure(report.survey, 'cvs', tr)}: {fmt.score(s.summary.mean, language)}"
        reason = verdict(s.passing, tr, language)
        lines.append(f"{line} ({reason})" if reason else line)
    if report.nps is not None and report.nps.figures is not None:
        result = report.nps.figures.result
        lines.append(
            f"{labels.figure(report.survey, 'nps', tr)}: "
            f"{fmt.whole(result.nps, language, sign=True)}"
        )
    if report.csat is not None and report.csat.figures is not None:
        lines.append(
            f"{labels.figure(report.survey, 'csat', tr)}: "
            f"{fmt.share((report.csat.figures.result.csat or 0.0) / 100, language)}"
        )
    for q in report.questions:
        if q.metric != "grade" or q.group.figures is None:
            continue
        score = q.group.figures.score
        mark = "" if score.passing is None or score.passing.passed else " \u2717"
        lines.append(
            f"\u2022 {labels.figure(report.survey, q.question_id, tr)}: "
            f"{fmt.score(score.summary.mean, language)}{mark}"
        )
    if audience == "admin":
        for finding in report.recommendations[:MAX_FINDINGS]:
            lines.append("\u2192 " + render_finding(report, finding, tr, language))
    else:
        lines.append(tr.gettext("Thank you for taking part. This is what everyone said together."))
    return "\n".join(lines)


def summary_image(report: Report, language: str) -> bytes | None:
    """One chart as PNG: grades against the pass mark, else the trend."""
    # matplotlib loads only when a chart is drawn, not with every `klantstem` command.
    from bot.reports.charts import pass_mark_chart, trend_chart

    chart = pass_mark_chart(report, language, "png") or trend_chart(report, language, "png")
    return chart.data if chart else None


def summary_notice(report: Report, language: str, audience: Audience = "admin") -> Notice:
    """The summary with its chart, ready for any channel."""
    image = summary_image(report, language)
    return Notice(summary_text(report, language, audience), image=image)


def parse_request(args: tuple[str, ...], surveys: Mapping[str, Survey]) -> Selection:
    """`/report [SURVEY] [WAVE | PERIOD]`, in any order."""
    survey = wave = period = None
    for arg in args:
        if arg in surveys and survey is None:
            survey = arg
        elif _PERIOD.match(arg):
            period = arg
        else:
            wave = arg
    return Selection(survey, wave, period)


@dataclass
class ReportCommand:
    """The `/report` admin command: a summary and one chart of a wave or period."""

    storage: Storage
    surveys: dict[str, Survey]
    config: Config
    clock: Callable[[], datetime]

    async def __call__(self, request: AdminRequest) -> Notice:
        """Answer `/report [SURVEY] [WAVE | PERIOD]` in the admin's language."""
        tr = i18n.translator(request.language)
        try:
            selection = parse_request(request.args, self.surveys)
            async with self.storage.transaction(write=False) as tx:
                report = await build_report(tx, self.surveys, self.config, selection, self.clock())
        except ReportError as exc:
            return Notice(exc.text(tr))
        return summary_notice(report, request.language)
