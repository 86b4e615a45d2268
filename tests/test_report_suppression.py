"""Property: no output (text, JSON, CSV, HTML, chat summary) shows a figure of a group
smaller than the minimum size (G-R5)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import Config
from bot.reports import Report, Selection
from bot.reports.output import render
from bot.reports.present import HIDDEN
from bot.reports.summary import summary_text
from bot.storage import open_storage
from tests.support.report_data import add_response, report

EMPTY = {HIDDEN, "\u2013", ""}
FIGURE_KEYS = {
    "mean",
    "sd",
    "margin",
    "value",
    "nps",
    "csat",
    "staff",
    "customers",
    "gap",
    "promoters",
    "passives",
    "detractors",
    "satisfied",
    "distribution",
    "change",
    "pass",
}

person = st.tuples(
    st.sampled_from(["north", "south", "east", ""]),  # segment ('' : not imported)
    st.sampled_from(["lt1", "y1to3", "gt3"]),
    st.integers(0, 10),  # recommendation
    st.integers(1, 10),  # service grade
)


async def build(people: list[tuple[str, str, int, int]], min_group: int, folder: Path) -> Report:
    config = Config.from_env(
        {"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_MIN_GROUP_SIZE": str(min_group)}
    )
    storage = await open_storage(f"sqlite:///{folder / 'k.db'}")
    try:
        for segment, since, recommendation, grade in people:
            answers = {
                "satisfaction": grade - 1,
                "loyalty": grade,
                "recommendation": recommendation,
                "service": grade,
                "customer_since": since,
            }
            attributes = {"segment": segment} if segment else {}
            await add_response(storage, "kto", answers, attributes=attributes)
        return await report(storage, config, Selection(survey_id="kto"))
    finally:
        await storage.close()


def check_json(data: Any, min_group: int) -> None:
    if isinstance(data, dict):
        if isinstance(data.get("n"), int) and "suppressed" in data and data["n"] < min_group:
            assert data["suppressed"] is True, data
            assert all(data[k] is None for k in FIGURE_KEYS & data.keys()), data
        for value in data.values():
            check_json(value, min_group)
    elif isinstance(data, list):
        for value in data:
            check_json(value, min_group)


def check_csv(text: str, min_group: int) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        if row["n"] and int(row["n"]) < min_group:
            figures = [row[k] for k in ("value", "margin", "previous", "change", "passed")]
            assert figures == [""] * 5, row


class Cells(HTMLParser):
    """Collects table rows: (row attributes, [(cell attributes, text)])."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict[str, str], list[tuple[dict[str, str], str]]]] = []
        self.cell: tuple[dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "tr":
            self.rows.append((found, []))
        elif tag == "td":
            self.cell = (found, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1][1].append((self.cell[0], "".join(self.cell[1]).strip()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1].append(data)


def only_counts(texts: list[str], n: int) -> bool:
    """Whether the only numbers in a hidden row are its count and a scale like 1-10."""
    for text in texts:
        if text in EMPTY or text == str(n) or re.fullmatch(r"\d+\u2013\d+", text):
            continue
        if re.search(r"\d", text):
            return False
    return True


def check_html(text: str, min_group: int) -> None:
    parser = Cells()
    parser.feed(text)
    for row_attrs, cells in parser.rows:
        if "data-n" in row_attrs and int(row_attrs["data-n"]) < min_group:
            assert only_counts([t for _, t in cells[1:]], int(row_attrs["data-n"])), cells
        if row_attrs.get("data-key") == "respondents":
            continue
        for attrs, value in cells:
            if "data-n" in attrs and int(attrs["data-n"]) < min_group:
                assert value in EMPTY, (row_attrs, cells)


def check_text(text: str, min_group: int) -> None:
    """Tables whose columns are groups (they have a respondents row): a column under the
    minimum shows no figure. Tables whose rows are groups: a hidden row shows only its
    count (and a scale such as 1-10)."""
    for block in text.split("\n\n"):
        rows = [re.split(r"\s{2,}", line.strip()) for line in block.splitlines()]
        counts = next((r for r in rows if r[0] == "respondents"), None)
        if counts is not None:
            sizes = [int(x.replace(",", "")) for x in counts[1:]]
            for cells in rows[rows.index(counts) + 1 :]:
                for n, cell in zip(sizes, cells[1:], strict=False):
                    if n < min_group:
                        assert cell in EMPTY, (counts, cells)
            continue
        for cells in rows:
            if HIDDEN in cells:
                numbers = [c for c in cells[1:] if re.search(r"\d", c)]
                numbers = [c for c in numbers if not re.fullmatch(r"\d+\u2013\d+", c)]
                assert len(numbers) <= 1, cells


def check_summary(text: str, r: Report) -> None:
    if r.respondents.n < r.min_group:
        assert "CVS:" not in text and "NPS:" not in text


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(person, max_size=16), st.integers(3, 7))
def test_no_output_shows_a_figure_of_a_small_group(
    people: list[tuple[str, str, int, int]], min_group: int
) -> None:
    if not people:
        return
    with tempfile.TemporaryDirectory() as folder:
        r = asyncio.run(build(people, min_group, Path(folder)))
    check_json(json.loads(str(render(r, "json", "en", "UTC"))), min_group)
    check_csv(str(render(r, "csv", "en", "UTC")), min_group)
    check_text(str(render(r, "text", "en", "UTC")), min_group)
    check_html(str(render(r, "html", "en", "UTC")), min_group)
    check_summary(summary_text(r, "en"), r)
