"""Contacts and staff imports: all or nothing, every bad line named, idempotent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.imports.csvfile import CsvRejected
from bot.people.contacts import import_contacts, import_staff, parse_contacts, parse_staff
from bot.storage import Storage
from tests.conftest import Clock

STAFF = (
    b"ref,name,email,telegram,slack,admin\njdv,Jan de Vries,jan@ex.nl,111,U0JAN,yes\n"
    b"pk,Petra Kok,,222,,no\n"
)
CONTACTS = (
    b"ref;name;email;language;timezone;telegram;contact_person;Segment;Region\n"
    b"C1;Anna Jansen;anna@ex.nl;nl;Europe/Amsterdam;901;jdv;retail;north\n"
    b"C2;Bram Smit;;en;;;pk;wholesale;\n"
)


async def load_staff(storage: Storage, clock: Clock) -> None:
    async with storage.transaction() as tx:
        await import_staff(tx, parse_staff(STAFF), clock())


async def test_contacts_import_with_attributes_and_links(storage: Storage, clock: Clock) -> None:
    await load_staff(storage, clock)
    async with storage.transaction() as tx:
        summary = await import_contacts(tx, parse_contacts(CONTACTS), clock())
        contacts = await tx.contacts()
    assert (summary.added, summary.updated, summary.unchanged) == (2, 0, 0)
    anna = contacts[0]
    assert (anna.ref, anna.language, anna.telegram, anna.contact_person) == (
        "C1",
        "nl",
        "901",
        "jdv",
    )
    assert anna.attributes == {"segment": "retail", "region": "north"}
    assert contacts[1].attributes == {"segment": "wholesale"}


async def test_importing_the_same_file_twice_changes_nothing(
    storage: Storage, clock: Clock
) -> None:
    await load_staff(storage, clock)
    for _ in range(2):
        async with storage.transaction() as tx:
            summary = await import_contacts(tx, parse_contacts(CONTACTS), clock())
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 2)
    changed = CONTACTS.replace(b"north", b"south")
    async with storage.transaction() as tx:
        summary = await import_contacts(tx, parse_contacts(changed), clock())
        contacts = await tx.contacts()
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 1)
    assert contacts[0].attributes["region"] == "south"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (b"C3,,x@y.nl,,,,", "name is required"),
        (b"C 3,Carl,,,,,", "ref 'C 3'"),
        (b"C3,Carl,not-an-email,,,,", "is not an email address"),
        (b"C3,Carl,,es,,,", "language 'es'"),
        (b"C3,Carl,,,Mars/Olympus,,", "timezone 'Mars/Olympus'"),
        (b"C3,Carl,,,,@carl,", "telegram id '@carl'"),
        (b"C1,Carl,,,,,", "ref 'C1' is already used on line 2"),
        (b"C3,Carl,,,,,,extra", "has 8 cells"),
    ],
)
def test_bad_row_rejects_the_file_with_line_and_reason(row: bytes, reason: str) -> None:
    data = b"ref,name,email,language,timezone,telegram,segment\nC1,Anna,,,,,retail\n" + row
    with pytest.raises(CsvRejected) as excinfo:
        parse_contacts(data + b"\n")
    assert any(line == 3 and reason in why for line, why in excinfo.value.problems), (
        excinfo.value.problems
    )


def test_every_bad_line_is_listed() -> None:
    data = b"ref,name,email\nC1,,\nC2,Bo,bad\nC3,Cy,c@y.nl\nC4,,\n"
    with pytest.raises(CsvRejected) as excinfo:
        parse_contacts(data)
    assert [line for line, _ in excinfo.value.problems] == [2, 3, 5]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"name,email\nAnna,a@b.nl\n", "required column 'ref' is missing"),
        (b"", "the file is empty"),
        (b"ref,name\n", "no rows"),
        (b"ref,name\nC1,Ann\xe9\n", "not UTF-8"),
        (b"ref,name,Segment!\nC1,Ann,x\n", "not a usable attribute name"),
        (b"ref,name,name\nC1,Ann,Ann\n", "appears twice"),
    ],
)
def test_unusable_file_is_rejected(data: bytes, reason: str) -> None:
    with pytest.raises(CsvRejected, match=reason):
        parse_contacts(data)


async def test_database_checks_reject_the_whole_file(storage: Storage, clock: Clock) -> None:
    await load_staff(storage, clock)
    bad = b"ref,name,telegram,contact_person\nC1,Anna,901,jdv\nC2,Bram,111,nobody\n"
    with pytest.raises(CsvRejected) as excinfo:
        async with storage.transaction() as tx:
            await import_contacts(tx, parse_contacts(bad), clock())
    reasons = " | ".join(why for line, why in excinfo.value.problems if line == 3)
    assert "already belongs to staff member 'jdv'" in reasons
    assert "contact_person 'nobody' is not a staff member" in reasons
    async with storage.transaction(write=False) as tx:
        assert await tx.contacts() == [], "nothing of a rejected file is applied"


def test_staff_admin_flag_and_unknown_columns() -> None:
    members = parse_staff(STAFF)
    assert [(m.record.ref, m.record.is_admin) for m in members] == [("jdv", True), ("pk", False)]
    with pytest.raises(CsvRejected, match="unknown column 'segment'"):
        parse_staff(b"ref,name,segment\nx,X,retail\n")
    with pytest.raises(CsvRejected, match="admin 'maybe' must be yes or no"):
        parse_staff(b"ref,name,admin\nx,X,maybe\n")


def test_cli_import_reports_lines_and_changes_nothing(tmp_path: Path) -> None:
    klantstem = str(Path(sys.executable).parent / "klantstem")
    env = {
        **os.environ,
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
    }
    (tmp_path / "staff.csv").write_bytes(STAFF)
    (tmp_path / "contacts.csv").write_bytes(CONTACTS)
    (tmp_path / "bad.csv").write_bytes(b"ref,name,email\nC9,Zoe,zoe@\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [klantstem, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
        )

    assert run("staff", "import", "staff.csv").returncode == 0
    first = run("contacts", "import", "contacts.csv")
    assert first.returncode == 0 and "2 added, 0 updated, 0 unchanged" in first.stdout
    again = run("contacts", "import", "contacts.csv")
    assert "0 added, 0 updated, 2 unchanged" in again.stdout
    bad = run("contacts", "import", "bad.csv")
    assert bad.returncode == 1
    assert "nothing was changed" in bad.stderr and "line 2: email 'zoe@'" in bad.stderr
    listing = run("contacts", "list")
    assert "C1" in listing.stdout and "segment=retail" in listing.stdout
    assert "C9" not in listing.stdout and "2 contacts" in listing.stdout
    staff = run("staff", "list")
    assert "admin" in staff.stdout and "telegram:111" in staff.stdout
