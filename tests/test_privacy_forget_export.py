"""`klantstem export REF` shows a contact everything stored about them; `klantstem forget
REF` erases their chat identities and named answers, keeps anonymous answers and the
aggregates, and shares its statements with Telegram's /forget."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.config.settings import Config
from bot.conversations.service import Service
from bot.people.contacts import import_contacts, parse_contacts
from bot.storage import Storage, sqlite_path
from flows import builtin_surveys
from tests.conftest import TEST_BACKEND, Clock
from tests.support.anonymity_world import CONTACTS, all_rows, person_values, take_cvs
from tests.support.cli import main

pytestmark = pytest.mark.skipif(
    TEST_BACKEND != "sqlite", reason="reads every table of the SQLite file"
)


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `klantstem ARGV` as a user would and return (exit code, stdout, stderr)."""
    code = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def answered_twice(storage: Storage, config: Config, clock: Clock) -> tuple[str, set[str]]:
    """Anna answers the CVS once named (a detractor, with a comment) and once anonymously;
    four others answer anonymously too, so the five anonymous answers are released. Returns
    the named response's id and the released anonymous ones'."""
    async with storage.transaction() as tx:
        await import_contacts(tx, parse_contacts(CONTACTS), clock())
    service = Service(storage, builtin_surveys(), config, clock=clock)
    named = await take_cvs(service, "named", ["3", "4", "2", "Slow delivery"])
    assert named is not None
    clock.advance(days=1)
    await take_cvs(service, "anonymous", ["8", "9", "10"], batch="second")
    for n in range(4):
        await take_cvs(service, "anonymous", ["7", "8", "9"], batch=f"g{n}-", user=f"guest{n}")
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT id FROM responses WHERE anonymous = 1")
    anonymous = {str(r[0]) for r in rows}
    assert len(anonymous) == 5
    return named, anonymous


async def test_export_gives_the_person_their_named_answers_as_json(
    storage: Storage, config: Config, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    named, anonymous = await answered_twice(storage, config, clock)
    code, out, _err = await cli(capsys, "export", "C-0042", "--db", storage.url)
    assert code == 0
    data = json.loads(out)
    assert data["contact"]["name"] == "Anna Jansen"
    assert data["contact"]["email"] == "anna@example.nl"
    assert data["contact"]["attributes"] == {"segment": "retail"}
    assert [(i["channel"], i["external_id"]) for i in data["identities"]] == [
        ("telegram", "987654321")
    ]
    (response,) = data["responses"]
    assert response["id"] == named and response["survey_id"] == "cvs"
    answers = {
        a["question_id"]: a["score"] if a["text"] is None else a["text"]
        for a in response["answers"]
    }
    assert answers["satisfaction"] == 3 and "Slow delivery" in answers.values()
    assert not any(a in out for a in anonymous), "an anonymous answer is nobody's to export"


async def test_forget_erases_identity_and_named_answers_and_keeps_the_anonymous(
    storage: Storage, config: Config, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    named, anonymous = await answered_twice(storage, config, clock)
    person = await person_values(storage)
    code, out, _err = await cli(capsys, "forget", "C-0042", "--db", storage.url)
    assert code == 0 and "1" in out

    db_file = sqlite_path(storage.url)
    assert db_file is not None
    rows = all_rows(db_file)
    assert {r[0] for r in rows["responses"]} == anonymous
    assert {r[0] for r in rows["answers"]} == anonymous
    assert [r[2] for r in rows["identities"]] == [f"guest{n}" for n in range(4)]
    assert rows["sessions"] == [] and rows["flags"] == []
    identity_values = {v for v in person if v != "C-0042" and not v.startswith("Anna")}
    leftovers = [
        (table, row)
        for table, table_rows in rows.items()
        if table not in ("contacts", "audit_log")
        for row in table_rows
        if named in map(str, row) or identity_values & set(map(str, row))
    ]
    # The contact record itself stays (the organisation's customer list), unlinked.
    assert [t for t, _ in leftovers if t != "invitations"] == []
    async with storage.transaction(write=False) as tx:
        counts = await tx.response_counts()
    assert [(c.survey_id, c.named, c.anonymous) for c in counts] == [("cvs", 0, 5)]

    code, out, _err = await cli(capsys, "export", "C-0042", "--db", storage.url)
    assert json.loads(out)["responses"] == [] and json.loads(out)["identities"] == []
    audit = [r for r in all_rows(db_file)["audit_log"] if r[3] == "contact.forget"]
    assert len(audit) == 1 and "Slow delivery" not in str(audit)


async def test_an_unknown_ref_is_refused_and_changes_nothing(
    storage: Storage, config: Config, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    await answered_twice(storage, config, clock)
    db_file = sqlite_path(storage.url)
    assert db_file is not None
    before = all_rows(db_file)
    for command in ("forget", "export"):
        code, out, err = await cli(capsys, command, "C-9999", "--db", storage.url)
        assert (code, out) == (1, "") and "C-9999" in err
    assert all_rows(db_file) == before


def test_forget_and_export_are_in_the_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert {"forget", "export"} <= set(capsys.readouterr().out.replace(",", " ").split())
