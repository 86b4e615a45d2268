"""The research report as one self-contained HTML file (G-R1): styles inline, charts as
embedded SVG, no external resources, readable on screen and printable on A4 (WeasyPrint
renders the same file to PDF).

Group cells carry `data-n` (the respondents behind the figure), so anyone can check that
no figure is shown for a group below the minimum.
"""

from __future__ import annotations

import base64
from html import escape

from bot.reports.charts import Chart, all_charts
from bot.reports.model import Report
from bot.reports.present import HIDDEN, Presentation, Table, present

CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d2733;
       margin: 0; font-size: 10.5pt; line-height: 1.45; background: #fff; }
main { max-width: 1060px; margin: 0 auto; padding: 28px 36px 48px; }
header.cover { border-bottom: 3px solid #1f3b5c; padding-bottom: 18px; margin-bottom: 8px; }
.brand { text-transform: uppercase; letter-spacing: .14em; color: #4a6fa5; font-size: 9pt;
         margin: 0; }
h1 { font-size: 24pt; margin: 4px 0 2px; color: #1f3b5c; }
.subtitle { font-size: 13pt; margin: 0; color: #3c4a5a; }
.generated { color: #6b7785; font-size: 9pt; margin: 6px 0 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.kpi { flex: 1 1 150px; border: 1px solid #d8dee6; border-radius: 8px; padding: 10px 14px;
       border-top: 5px solid #4a6fa5; }
.kpi.passed { border-top-color: #2e7d5b; } .kpi.failed { border-top-color: #c0392b; }
.kpi .name { font-size: 9pt; color: #5b6775; text-transform: uppercase; letter-spacing: .05em; }
.kpi .value { font-size: 22pt; font-weight: bold; color: #1f3b5c; }
.kpi .note { font-size: 8.5pt; color: #5b6775; }
nav ol { columns: 3; font-size: 9.5pt; color: #3c4a5a; padding-left: 18px; }
h2 { font-size: 15pt; color: #1f3b5c; border-bottom: 1px solid #d8dee6; padding-bottom: 4px;
     margin-top: 30px; break-after: avoid; }
h3 { font-size: 11.5pt; color: #27394d; margin: 18px 0 6px; break-after: avoid; }
section { break-inside: auto; }
.summary { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.summary ul, .summary ol { padding-left: 18px; margin: 6px 0; }
.summary li { margin-bottom: 5px; }
dl.method { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 8px 0; }
dl.method dt { font-weight: bold; color: #3c4a5a; } dl.method dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 9.5pt;
        break-inside: avoid; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e8ee; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #eef2f7; color: #27394d; font-weight: bold; }
tbody tr:nth-child(even) { background: #fafbfd; }
td.hidden { color: #9aa5b1; text-align: center; }
td.verdict-passed { color: #2e7d5b; } td.verdict-failed { color: #c0392b; font-weight: bold; }
.note { color: #6b7785; font-size: 8.5pt; margin: 2px 0 10px; }
figure { margin: 12px 0 18px; break-inside: avoid; }
figure img { width: 100%; max-width: 760px; display: block; }
figcaption { color: #5b6775; font-size: 8.5pt; margin-top: 4px; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 8.5pt;
          font-weight: bold; white-space: nowrap; }
.status.met { background: #dff2e8; color: #1e6b47; }
.status.not_met { background: #f9e0dd; color: #a02b1f; }
.status.no_data { background: #eceff3; color: #5b6775; }
.status.needs_evidence { background: #fbf0d0; color: #8a6500; }
.level { font-size: 12pt; margin: 8px 0; }
ol.questions li { margin-bottom: 6px; } ol.questions .answer { color: #5b6775; font-size: 9pt; }
footer { margin-top: 36px; color: #6b7785; font-size: 8.5pt; border-top: 1px solid #d8dee6;
         padding-top: 8px; }
@media print { main { padding: 0; max-width: none; } nav { display: none; } }
"""


def _table(table: Table, *, status_column: int | None = None, hidden_note: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        attrs = f' data-key="{escape(row.key)}"' if row.key else ""
        if row.n is not None:
            attrs += f' data-n="{row.n}"'
        cells = []
        for i, cell in enumerate(row.cells):
            classes = []
            n = table.column_n[i] if i < len(table.column_n) else None
            if cell == HIDDEN:
                classes.append("hidden")
            content = escape(cell)
            if status_column is not None and i == status_column:
                content = f'<span class="status {escape(row.key)}">{content}</span>'
            if row.state and i == len(row.cells) - 1:
                classes.append(f"verdict-{row.state}")
            cell_attrs = f' class="{" ".join(c for c in classes if c)}"' if any(classes) else ""
            if n is not None:
                cell_attrs += f' data-n="{n}"'
            cells.append(f"<td{cell_attrs}>{content}</td>")
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    notes = [table.note] if table.note else []
    if any(HIDDEN in row.cells for row in table.rows) and hidden_note:
        notes.append(hidden_note)
    note = "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    return (
        f'<table id="{escape(table.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{note}"
    )


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.data).decode("ascii")
    return (
        f'<figure data-chart="{chart.key}"><img alt="{escape(chart.caption)}" '
        f'src="data:{chart.mime};base64,{data}"><figcaption>{escape(chart.caption)}'
        "</figcaption></figure>"
    )


def document(p: Presentation, charts: dict[str, Chart]) -> str:
    """The HTML text of a presentation with its charts."""
    h, hide = p.headings, p.hidden_note
    parts = [
        f'<!DOCTYPE html><html lang="{p.language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(p.title)} \u2013 {escape(p.subtitle)}</title><style>{CSS}</style>"
        "</head><body><main>",
        '<header class="cover"><p class="brand">Klantstem</p>'
        f'<h1>{escape(p.title)}</h1><p class="subtitle">{escape(p.subtitle)}</p>'
        f'<p class="generated">{escape(h["generated"])}</p><div class="kpis">',
    ]
    for k in p.highlights:
        parts.append(
            f'<div class="kpi {k.state}"><div class="name">{escape(k.name)}</div>'
            f'<div class="value">{escape(k.value)}</div><div class="note">{escape(k.note)}</div>'
            "</div>"
        )
    parts.append("</div></header>")
    sections = [
        ("summary", h["summary"]),
        ("method", h["method"]),
        ("results", h["results"]),
    ]
    if p.trend:
        sections.append(("trend", h["trend"]))
    if p.breakdowns:
        sections.append(("breakdowns", h["breakdowns"]))
    if p.mirror:
        sections.append(("mirror", h["mirror"]))
    if p.follow_up:
        sections.append(("follow-up", h["follow_up"]))
    sections += [("certificate", h["certificate"]), ("appendix", h["appendix"])]
    toc = "".join(f'<li><a href="#s-{key}">{escape(title)}</a></li>' for key, title in sections)
    parts.append(f"<nav><h2>{escape(h['contents'])}</h2><ol>{toc}</ol></nav>")

    conclusions = "".join(f"<li>{escape(c)}</li>" for c in p.conclusions)
    recommendations = "".join(f"<li>{escape(r)}</li>" for r in p.recommendations)
    parts.append(
        f'<section id="s-summary"><h2>{escape(h["summary"])}</h2><div class="summary">'
        f'<div><h3>{escape(h["conclusions"])}</h3><ul id="conclusions">{conclusions}</ul></div>'
        f'<div><h3>{escape(h["recommendations"])}</h3><ol id="recommendations">'
        f"{recommendations}</ol></div></div></section>"
    )
    method = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in p.method)
    parts.append(
        f'<section id="s-method"><h2>{escape(h["method"])}</h2><dl class="method">{method}</dl>'
        "</section>"
    )
    parts.append(f'<section id="s-results"><h2>{escape(h["results"])}</h2>')
    parts.append(f"<h3>{escape(p.totals.title)}</h3>{_table(p.totals, hidden_note=hide)}")
    for key in ("passmark", "nps"):
        if key in charts:
            parts.append(_figure(charts[key]))
    parts.append(
        f"<h3>{escape(p.questions.title)}</h3>{_table(p.questions, hidden_note=hide)}</section>"
    )
    if p.trend:
        parts.append(f'<section id="s-trend"><h2>{escape(h["trend"])}</h2>')
        if "trend" in charts:
            parts.append(_figure(charts["trend"]))
        parts.append(f"{_table(p.trend, hidden_note=hide)}</section>")
    if p.breakdowns:
        parts.append(f'<section id="s-breakdowns"><h2>{escape(h["breakdowns"])}</h2>')
        for table in p.breakdowns:
            parts.append(f"<h3>{escape(table.title)}</h3>{_table(table, hidden_note=hide)}")
        parts.append("</section>")
    if p.mirror:
        parts.append(f'<section id="s-mirror"><h2>{escape(h["mirror"])}</h2>')
        if "mirror" in charts:
            parts.append(_figure(charts["mirror"]))
        parts.append(f"{_table(p.mirror, hidden_note=hide)}</section>")
    if p.follow_up:
        parts.append(
            f'<section id="s-follow-up"><h2>{escape(h["follow_up"])}</h2>'
            f"{_table(p.follow_up)}</section>"
        )
    evidence = "".join(f"<li>{escape(e)}</li>" for e in p.evidence)
    parts.append(
        f'<section id="s-certificate"><h2>{escape(h["certificate"])}</h2>'
        f'<p class="level">{escape(h["level"])}: <strong>{escape(p.level)}</strong></p>'
        f"{_table(p.certificate, status_column=2)}"
        + (f"<h3>{escape(h['evidence'])}</h3><ul>{evidence}</ul>" if evidence else "")
        + "</section>"
    )
    questions = "".join(
        f'<li>{escape(text)}<br><span class="answer">{escape(answer)}</span></li>'
        for _, text, answer in p.appendix
    )
    parts.append(
        f'<section id="s-appendix"><h2>{escape(h["appendix"])}</h2>'
        f'<ol class="questions">{questions}</ol></section>'
    )
    parts.append(f"<footer>{escape(p.hidden_note)}</footer></main></body></html>")
    return "\n".join(parts) + "\n"


def render_html(report: Report, language: str, timezone: str) -> str:
    """The full HTML report in a language."""
    charts = {c.key: c for c in all_charts(report, language)}
    return document(present(report, language, timezone), charts)
