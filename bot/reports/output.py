"""One entry point for every output format of the report."""

from __future__ import annotations

from bot.reports.model import Report
from bot.reports.present import present
from bot.reports.render_csv import render_csv
from bot.reports.render_json import render_json
from bot.reports.render_text import render_text

FORMATS = ("text", "html", "json", "csv", "pdf")


class PdfUnavailable(RuntimeError):
    """WeasyPrint (the `pdf` extra) is not installed."""


def render(report: Report, fmt: str, language: str, timezone: str) -> str | bytes:
    """The report in a format of FORMATS (pdf gives bytes), in the given language."""
    if fmt == "json":
        return render_json(report, language)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "text":
        return render_text(present(report, language, timezone))
    from bot.reports.render_html import render_html

    html = render_html(report, language, timezone)
    if fmt == "html":
        return html
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except ImportError as exc:
        raise PdfUnavailable from exc
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
