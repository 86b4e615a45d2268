"""Reading a CSV file the way spreadsheets write it: UTF-8 (with or without BOM), comma,
semicolon or tab separated, with the physical line number of every row kept for messages;
and writing CSV that a spreadsheet opens without running anything (`write_csv`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is read as a formula by spreadsheets (CSV injection)."""
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> str:
    """The cell as text a spreadsheet shows rather than evaluates: text that starts like a
    formula gets a leading apostrophe; numbers (also negative ones) stay numbers."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text, header first, every cell passed through `safe_cell`. Every CSV the bot
    writes goes through here."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in (header, *rows):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


class CsvRejected(ValueError):
    """A file that is refused as a whole; `problems` lists every bad line and why."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"line {line}: {reason}" for line, reason in problems))


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line number and its cells by normalised column name."""

    line: int
    cells: dict[str, str]
    problem: str | None = None


def normalise_header(name: str) -> str:
    """'Account Manager ' -> 'account_manager'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_csv(data: bytes) -> tuple[list[str], Iterator[CsvRow]]:
    """The normalised header and the rows; raises `CsvRejected` for an unreadable file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvRejected([(line, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]) from None
    if not text.strip():
        raise CsvRejected([(1, "the file is empty; the first line must name the columns")])
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [normalise_header(h) for h in next(reader)]
    except csv.Error as exc:
        raise CsvRejected([(1, f"the header cannot be read: {exc}")]) from None
    problems = [(1, f"column {i + 1} has no name") for i, h in enumerate(header) if not h] + [
        (1, f"column {h!r} appears twice")
        for h in sorted({h for h in header if header.count(h) > 1})
    ]
    if problems:
        raise CsvRejected(problems)
    return header, _rows(reader, header)


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[CsvRow]:
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvRejected([(line + 1, f"the row cannot be read: {exc}")]) from None
        start = line + 1
        line = getattr(reader, "line_num", start)
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problem = f"has {len(cells)} cells, but the header names {len(header)} columns"
            yield CsvRow(start, {}, problem)
            continue
        yield CsvRow(start, {h: c.strip() for h, c in zip(header, cells, strict=True)})


_ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def attribute_columns(header: Iterable[str], known: Iterable[str]) -> list[str]:
    """The columns of a header that are not `known`: imported attributes for breakdowns;
    raises `CsvRejected` (line 1) for names that cannot be an attribute."""
    taken = set(known)
    attributes = [h for h in header if h not in taken]
    bad = [h for h in attributes if not _ATTRIBUTE.match(h)]
    if bad:
        raise CsvRejected(
            [(1, f"column {h!r} is not a usable attribute name (letters, digits, _)") for h in bad]
        )
    return attributes
