"""Contacts and staff: validated CSV import (all or nothing) shared by the CLI and the API.

Contacts columns: ref, name (required); email, language, timezone, telegram, slack,
contact_person (a staff ref); any further column is an imported attribute such as
segment or region. Staff columns: ref, name (required); email, language, telegram,
slack, admin (yes/no). A file with bad rows is rejected as a whole with every bad row's
line number and reason; importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import LANGUAGES
from bot.imports.csvfile import CsvRejected, CsvRow, attribute_columns, read_csv
from bot.storage import Transaction
from bot.storage.records import Contact, StaffMember

CONTACT_COLUMNS = (
    "ref",
    "name",
    "email",
    "language",
    "timezone",
    "telegram",
    "slack",
    "contact_person",
)
STAFF_COLUMNS = ("ref", "name", "email", "language", "telegram", "slack", "admin")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TELEGRAM = re.compile(r"^[1-9]\d{0,19}$")
_SLACK = re.compile(r"^[UW][A-Z0-9]{2,20}$")
T = TypeVar("T")
_YES = {"yes", "y", "true", "1", "ja", "j", "x"}
_NO = {"no", "n", "false", "0", "nee", ""}


@dataclass(frozen=True)
class Lined(Generic[T]):
    """A validated record and the file line it came from, for messages found later."""

    line: int
    record: T


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    added: int
    updated: int
    unchanged: int


def parse_contacts(data: bytes) -> list[Lined[Contact]]:
    """Validate a contacts CSV; raises `CsvRejected` listing every bad line."""
    header, rows = read_csv(data)
    return contacts_from_rows(header, rows)


def contacts_from_rows(header: list[str], rows: Iterable[CsvRow]) -> list[Lined[Contact]]:
    """Validate contact rows from any source (a CSV file, the API's JSON) as a CSV file's:
    line 1 is the header, so problems there are about columns."""
    _require(header, ("ref", "name"))
    attributes = attribute_columns(header, CONTACT_COLUMNS)
    return _collect(
        rows,
        lambda c, p: Contact(
            ref=_ref(c, p),
            name=_name(c, p),
            email=_email(c, p),
            language=_lang(c, p),
            timezone=_tz(c, p),
            telegram=_platform_id(c, "telegram", _TELEGRAM, p),
            slack=_platform_id(c, "slack", _SLACK, p),
            contact_person=c.get("contact_person") or None,
            attributes={a: c[a] for a in attributes if c.get(a)},
        ),
    )


def parse_staff(data: bytes) -> list[Lined[StaffMember]]:
    """Validate a staff CSV; raises `CsvRejected` listing every bad line."""
    header, rows = read_csv(data)
    _require(header, ("ref", "name"))
    unknown = [h for h in header if h not in STAFF_COLUMNS]
    if unknown:
        raise CsvRejected(
            [
                (1, f"unknown column {h!r}; staff files have {', '.join(STAFF_COLUMNS)}")
                for h in unknown
            ]
        )
    return _collect(
        rows,
        lambda c, p: StaffMember(
            ref=_ref(c, p),
            name=_name(c, p),
            email=_email(c, p),
            language=_lang(c, p),
            telegram=_platform_id(c, "telegram", _TELEGRAM, p),
            slack=_platform_id(c, "slack", _SLACK, p),
            is_admin=_admin(c, p),
        ),
    )


async def import_contacts(
    tx: Transaction, contacts: list[Lined[Contact]], now: datetime
) -> ImportSummary:
    """Apply validated contacts in the caller's transaction, after checks against the database.

    Raises `CsvRejected` (and the caller's transaction rolls back) when a contact person is
    not a staff member or a platform id already belongs to someone else.
    """
    staff_refs = {m.ref for m in await tx.staff()}
    problems = [
        (
            c.line,
            f"contact_person {c.record.contact_person!r} is not a staff member; "
            "import staff first (klantstem staff import)",
        )
        for c in contacts
        if c.record.contact_person and c.record.contact_person not in staff_refs
    ]
    problems += await _ownership_problems(tx, contacts, owner_index=0)
    if problems:
        raise CsvRejected(sorted(problems))
    return _summarise([await tx.upsert_contact(c.record, now) for c in contacts])


async def import_staff(
    tx: Transaction, members: list[Lined[StaffMember]], now: datetime
) -> ImportSummary:
    """Apply validated staff in the caller's transaction, after checks against the database."""
    problems = await _ownership_problems(tx, members, owner_index=1)
    if problems:
        raise CsvRejected(sorted(problems))
    return _summarise([await tx.upsert_staff(m.record, now) for m in members])


async def _ownership_problems(
    tx: Transaction, people: Iterable[Lined[Contact] | Lined[StaffMember]], owner_index: int
) -> list[tuple[int, str]]:
    """Platform ids in the file that the database already links to somebody else."""
    problems = []
    for channel in ("telegram", "slack"):
        owners = await tx.identity_owners(channel)
        for person in people:
            external_id = getattr(person.record, channel)
            owner = owners.get(external_id) if external_id else None
            if owner is not None and owner[owner_index] != person.record.ref:
                holder = f"contact {owner[0]!r}" if owner[0] else f"staff member {owner[1]!r}"
                problems.append(
                    (person.line, f"{channel} id {external_id} already belongs to {holder}")
                )
    return problems


def _summarise(changes: list[str]) -> ImportSummary:
    counts = Counter(changes)
    return ImportSummary(counts["added"], counts["updated"], counts["unchanged"])


def _require(header: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise CsvRejected([(1, f"required column {c!r} is missing") for c in missing])


class _RowProblems(list[str]):
    """Problems found in one row while its fields are read."""


def _collect(
    rows: Iterable[CsvRow], build: Callable[[dict[str, str], _RowProblems], T]
) -> list[Lined[T]]:
    records: list[Lined[T]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.problem:
            problems.append((row.line, row.problem))
            continue
        found = _RowProblems()
        record = build(row.cells, found)
        for key in ("ref", "telegram", "slack"):
            value = row.cells.get(key)
            if value and (key, value) in seen:
                found.append(f"{key} {value!r} is already used on line {seen[(key, value)]}")
            elif value:
                seen[(key, value)] = row.line
        if found:
            problems.extend((row.line, p) for p in found)
        else:
            records.append(Lined(row.line, record))
    if problems:
        raise CsvRejected(problems)
    if not records:
        raise CsvRejected([(2, "the file has a header but no rows")])
    return records


def _ref(cells: dict[str, str], problems: _RowProblems) -> str:
    ref = cells.get("ref", "")
    if not _REF.match(ref):
        problems.append(f"ref {ref!r} must be 1-64 letters, digits or . _ @ - (no spaces)")
    return ref


def _name(cells: dict[str, str], problems: _RowProblems) -> str:
    name = cells.get("name", "")
    if not name or len(name) > 200:
        problems.append("name is required (at most 200 characters)")
    return name


def _email(cells: dict[str, str], problems: _RowProblems) -> str | None:
    email = cells.get("email") or None
    if email and not _EMAIL.match(email):
        problems.append(f"email {email!r} is not an email address")
    return email


def _lang(cells: dict[str, str], problems: _RowProblems) -> str | None:
    lang = (cells.get("language") or "").lower() or None
    if lang and lang not in LANGUAGES:
        problems.append(f"language {lang!r} must be one of {', '.join(LANGUAGES)}")
    return lang


def _tz(cells: dict[str, str], problems: _RowProblems) -> str | None:
    tz = cells.get("timezone") or None
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone {tz!r} is not a time zone such as Europe/Amsterdam")
    return tz


def _platform_id(
    cells: dict[str, str], column: str, pattern: re.Pattern[str], problems: _RowProblems
) -> str | None:
    value = cells.get(column) or None
    if value and not pattern.match(value):
        example = "a number such as 123456789" if column == "telegram" else "like U024BE7LH"
        problems.append(f"{column} id {value!r} must be {example}")
    return value


def _admin(cells: dict[str, str], problems: _RowProblems) -> bool:
    raw = (cells.get("admin") or "").strip().lower()
    if raw not in _YES | _NO:
        problems.append(f"admin {raw!r} must be yes or no")
    return raw in _YES
