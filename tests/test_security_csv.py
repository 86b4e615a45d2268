"""CSV in and out: an exported cell never runs as a spreadsheet formula, and a contact file
of any bytes is either imported whole or refused with line numbers, never half-written."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import Config
from bot.imports.csvfile import FORMULA_STARTS, CsvRejected, safe_cell, write_csv
from bot.people.contacts import parse_contacts
from bot.reports.output import render
from bot.storage import Storage
from tests.support.report_data import add_response, report

INJECTIONS = ("=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0")


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would evaluate: starting like a formula and not a plain number."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if cell.startswith(FORMULA_STARTS) and safe_cell(cell) != cell
    ]


async def test_report_csv_neutralises_formulas_in_imported_attributes(
    storage: Storage, config: Config
) -> None:
    for segment in INJECTIONS:
        for score in range(5, 11):
            answers = {"satisfaction": score, "loyalty": score, "recommendation": 3}
            await add_response(storage, "cvs", answers, attributes={"segment": segment})
    text = str(render(await report(storage, config), "csv", "en", "UTC"))
    assert formula_cells(text) == []
    shown = {cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row}
    assert {"'" + segment for segment in INJECTIONS} <= shown, "the groups are still shown"
    assert any(cell.startswith("-") for cell in shown), "negative figures stay numbers"


@given(st.lists(st.lists(st.text() | st.integers() | st.floats(allow_nan=False)), max_size=5))
def test_no_written_cell_can_start_a_formula(rows: list[list[object]]) -> None:
    text = write_csv(["a"], rows)
    assert formula_cells(text) == []


@given(st.binary(max_size=400))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_contact_file_of_any_bytes_is_parsed_or_refused_with_lines(data: bytes) -> None:
    try:
        contacts = parse_contacts(data)
    except CsvRejected as exc:
        assert exc.problems and all(line >= 1 and reason for line, reason in exc.problems)
    else:
        assert len({c.record.ref for c in contacts}) == len(contacts)


@given(
    st.sampled_from([b"ref,name\n", b"name,email\n", b"ref;name;segment\n"]),
    st.lists(st.tuples(st.sampled_from(["C-1", "C-2", ""]), st.text(max_size=8)), max_size=6),
    st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_missing_columns_duplicate_refs_and_encodings_are_refused_or_clean(
    header: bytes, rows: list[tuple[str, str]], encoding: str
) -> None:
    body = "".join(f"{ref},{name.replace(chr(10), ' ')}\n" for ref, name in rows)
    try:
        data = header + body.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        contacts = parse_contacts(data)
    except CsvRejected as exc:
        assert exc.problems
        return
    assert b"ref" in header and b"name" in header
    refs = [c.record.ref for c in contacts]
    assert len(set(refs)) == len(refs) and "" not in refs
