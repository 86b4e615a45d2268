"""The report as plain text for a terminal: headed sections and aligned tables."""

from __future__ import annotations

import textwrap

from bot.reports.present import Presentation, Table

WIDTH = 100


def _table(table: Table) -> list[str]:
    grid = [table.headers] + [row.cells for row in table.rows]
    widths = [max(len(r[i]) for r in grid if i < len(r)) for i in range(len(table.headers))]

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0])]
        parts += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=False)]
        return "  ".join(parts).rstrip()

    out = [table.title, "-" * len(table.title), line(table.headers)]
    out += [line(row.cells) for row in table.rows]
    if table.note:
        out.append(table.note)
    return [*out, ""]


def _bullets(title: str, items: list[str]) -> list[str]:
    out = [title, "-" * len(title)]
    for item in items:
        out += textwrap.wrap(item, WIDTH, initial_indent="- ", subsequent_indent="  ")
    return [*out, ""]


def render_text(p: Presentation) -> str:
    """The whole report in the presentation's language."""
    headings = p.headings
    out = [p.title, p.subtitle, "=" * max(len(p.title), len(p.subtitle)), ""]
    width = max(len(k) for k, _ in p.method)
    out += [f"{k.ljust(width)}  {v}" for k, v in p.method] + [""]
    out += _table(p.totals)
    out += _bullets(headings["conclusions"], p.conclusions)
    out += _bullets(headings["recommendations"], p.recommendations)
    out += _table(p.questions)
    if p.trend:
        out += _table(p.trend)
    for table in p.breakdowns:
        out += _table(table)
    if p.mirror:
        out += _table(p.mirror)
    if p.follow_up:
        out += _table(p.follow_up)
    out += _table(p.certificate)
    out += [f"{headings['level']}: {p.level}", ""]
    if p.evidence:
        out += _bullets(headings["evidence"], p.evidence)
    out += [headings["appendix"], "-" * len(headings["appendix"])]
    for number, text, answer in p.appendix:
        out += textwrap.wrap(f"{number}. {text} [{answer}]", WIDTH, subsequent_indent="   ")
    out += ["", p.hidden_note]
    return "\n".join(out) + "\n"
