"""`klantstem wave`, `interaction` and `flags` from the command line, as an admin types them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.cli import main as cli
from tests.support.cli import main

CONTACTS = (
    "ref,name,telegram,segment,timezone\n"
    "C-001,Anna Jansen,900001,retail,Europe/Amsterdam\n"
    "C-002,Bert Kok,900002,retail,Europe/Amsterdam\n"
    "C-003,Carla Mol,900003,wholesale,Europe/Amsterdam\n"
)


@pytest.fixture
def db(tmp_path: Path, db_url: str) -> str:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS)
    assert main(["contacts", "import", str(contacts), "--db", db_url]) == 0
    return db_url


def test_wave_start_prints_the_wave_id_and_status_shows_it_queued(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        main(["wave", "start", "cvs", "segment=retail", "--closes", "2099-12-31", "--db", db]) == 0
    )
    out, err = capsys.readouterr()
    wave_id = out.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", wave_id)
    assert "2 invitations queued" in err
    assert main(["wave", "status", wave_id[:8], "--once", "--db", db]) == 0
    out, _err = capsys.readouterr()
    assert f"Wave {wave_id} (cvs " in out and "open until Jan 1, 2100" in out
    assert "invited 2, delivered 0, unreachable 0, waiting 2" in out
    assert main(["wave", "status", wave_id[:8], "--once", "--people", "--db", db]) == 0
    people = capsys.readouterr().out.splitlines()[-2:]
    assert [line.split() for line in people] == [
        ["C-001", "Anna", "Jansen", "pending"],
        ["C-002", "Bert", "Kok", "pending"],
    ]
    assert main(["wave", "close", wave_id[:8], "--db", db]) == 0
    assert main(["wave", "close", wave_id[:8], "--db", db]) == 1
    assert "closed already" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["cvs", "region"], "'region' is not a filter: write attribute=value"),
        (["cvs", "region=north"], "nobody to invite: no contact matches region=north"),
        (["nope"], "unknown survey 'nope'; choose one of: ces, csat, cvs, kto, mirror, mto, nps"),
        (["cvs", "--closes", "2001-01-01"], "the closing date 2001-01-01 has passed already"),
        (["cvs", "--closes", "soon"], "'soon' is not a date such as 2026-12-31"),
    ],
)
def test_bad_wave_input_is_refused_and_changes_nothing(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    capsys.readouterr()
    assert main(["wave", "start", *argv, "--db", db]) == 1
    assert capsys.readouterr().err == f"Nothing was changed: {reason}\n"
    assert main(["wave", "list", "--db", db]) == 0
    assert capsys.readouterr().out == "There are no waves yet.\n"


def test_the_same_wave_started_again_within_the_window_is_refused_unless_again(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["wave", "start", "cvs", "--db", db]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["wave", "start", "cvs", "--db", db]) == 1
    refused = capsys.readouterr().err
    assert refused.startswith(f"Nothing was changed: wave {first} of cvs for every contact was")
    assert "started at " in refused and "KLANTSTEM_WAVE_REPEAT_MINUTES" in refused
    assert "--again" in refused
    assert main(["wave", "list", "--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1

    # another filter is another wave; --again starts the same one anyway
    assert main(["wave", "start", "cvs", "segment=retail", "--db", db]) == 0
    assert main(["wave", "start", "cvs", "--again", "--db", db]) == 0
    capsys.readouterr()
    assert main(["wave", "list", "--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_the_repeat_window_is_a_setting(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    def start(minutes: str) -> int:
        env = {**os.environ, "KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_WAVE_REPEAT_MINUTES": minutes}
        return cli.main(["wave", "start", "cvs", "--db", db], environ=env)

    assert start("0") == 0
    assert start("0") == 0
    capsys.readouterr()
    assert start("soon") != 0
    assert "KLANTSTEM_WAVE_REPEAT_MINUTES='soon'" in capsys.readouterr().err
    assert start("-1") != 0
    assert main(["wave", "list", "--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_interaction_schedules_a_survey_unless_the_contact_was_asked_recently(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["interaction", "C-001", "--touchpoint", "support", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("The csat survey goes to C-001 at ")
    assert main(["interaction", "C-001", "--touchpoint", "delivery", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No survey for C-001: they were asked on ")
    assert main(["interaction", "C-999", "--touchpoint", "support", "--db", db]) == 1
    assert "unknown contact 'C-999'" in capsys.readouterr().err


def test_flags_lists_and_refuses_unknown_references(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["flags", "--overdue", "--db", db]) == 0
    assert capsys.readouterr().out == "Nothing to show.\n"
    assert main(["flag", "done", "abcd1234", "--note", "called", "--db", db]) == 1
    assert "no action item 'abcd1234'" in capsys.readouterr().err
