"""Export then import: the same answers in a fresh database give the same report, and the
raw export holds anonymous answers only, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Config
from bot.conversations.release import release_wave
from bot.imports.measurements import export_measurements
from bot.imports.measurements_file import ImportOptions
from bot.storage import Storage, new_id, open_storage
from bot.storage.records import NewResponse, StoredAnswer
from bot.storage.release_sql import HeldResponse
from bot.storage.waves_sql import Wave
from tests.support.cli import main
from tests.support.history_data import (
    SURVEYS,
    cli_options,
    csv_bytes,
    import_file,
    json_report,
    kto_history,
)
from tests.support.report_data import NOW, add_response, add_wave

KTO_WAVES = ("KTO 2020", "KTO 2021", "KTO 2022")


def report_json(cli: list[str], wave: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", "--survey", "kto", "--wave", wave, "--format", "json", *cli]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    data.pop("generated_at")
    data["scope"].pop("wave_id")  # random in each database
    return data


def test_export_then_import_into_a_fresh_database_gives_the_same_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    history = first / "history.csv"
    history.write_bytes(kto_history())
    (first / "waves.csv").write_text("wave,invited\nKTO 2020,40\nKTO 2021,30\nKTO 2022,25\n")
    a, b = cli_options(first), cli_options(second)
    assert main(["responses", "import", str(history), "--survey", "kto", *a]) == 0
    exported = second / "kto.csv"
    assert (
        main(
            [
                "responses",
                "export",
                "--survey",
                "kto",
                "--format",
                "csv",
                "--out",
                str(exported),
                *a,
            ]
        )
        == 0
    )
    assert f"42 respondents written to {exported}" in capsys.readouterr().err
    assert (second / "waves.csv").read_text().splitlines() == [
        "survey,wave,invited",
        "kto,KTO 2020,40",
        "kto,KTO 2021,30",
        "kto,KTO 2022,25",
    ]
    assert main(["responses", "import", str(exported), "--survey", "kto", *b]) == 0
    for wave in KTO_WAVES:
        original, moved = report_json(a, wave, capsys), report_json(b, wave, capsys)
        assert moved == original
        assert moved["respondents"]["invited"] and moved["totals"]["cvs"]["mean"] is not None
    # The export is the same measurement: importing it where it came from changes nothing.
    capsys.readouterr()
    assert main(["responses", "import", str(exported), "--survey", "kto", *a]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{wave}: imported before; nothing changed" for wave in KTO_WAVES
    ]


async def test_waves_run_here_move_to_another_installation_with_the_same_figures(
    storage: Storage, config: Config, tmp_path: Path
) -> None:
    # Released answers carry attributes that each occur at least k (5) times in their wave,
    # so importing them again coarsens nothing away.
    rows = [(8, 7, 9, "lt1"), (6, 6, 5, "gt3"), (9, 9, 10, "gt3")]
    for w, label in enumerate(("Spring", "Autumn")):
        opened = NOW - timedelta(days=200 - 150 * w, hours=-9)
        wave_id = await add_wave(storage, "kto", label, opened, invited=20)
        for i in range(10):
            s, lo, r, since = rows[(i + w) % 3]
            segment = ("retail", "public")[i % 2]
            answers: dict[str, int | str] = {"satisfaction": s, "loyalty": lo, "recommendation": r}
            answers |= {"service": min(10, s + w), "crm": max(1, lo - 1), "customer_since": since}
            if i == 3:
                answers["frustration"] = "+31 6 never calls back"
            when = opened + timedelta(days=1 + i, hours=3)
            await add_response(
                storage, "kto", answers, wave_id=wave_id, when=when, attributes={"segment": segment}
            )
    async with storage.transaction(write=False) as tx:
        export = await export_measurements(tx, SURVEYS["kto"], None)
    assert export.respondents == 20 and export.invited == [("Spring", 20), ("Autumn", 20)]
    moved = await open_storage(f"sqlite:///{tmp_path / 'moved.db'}")
    try:
        options = ImportOptions(invited_by_wave=dict(export.invited))
        await import_file(moved, export.csv.encode(), "kto", options)
        for wave in ("Spring", "Autumn"):
            original = await json_report(storage, config, "kto", wave)
            copied = await json_report(moved, config, "kto", wave)
            for key in ("respondents", "totals", "questions", "trend", "breakdowns"):
                assert copied[key] == original[key], key
        async with moved.transaction(write=False) as tx:
            texts = await tx.conn.fetchall("SELECT text FROM answers WHERE text IS NOT NULL")
        assert [t[0] for t in texts] == ["+31 6 never calls back"] * 2
    finally:
        await moved.close()


async def test_the_export_holds_anonymous_answers_in_waves_only(storage: Storage) -> None:
    await import_file(storage, kto_history(per_wave=6), "kto")
    wave_id = await add_wave(storage, "kto", "KTO 2023", NOW - timedelta(days=30))
    await add_response(
        storage, "kto", {"service": 3, "frustration": '=HYPERLINK("x")'}, wave_id=wave_id
    )
    await add_response(storage, "kto", {"service": 9})  # after an interaction: no wave
    async with storage.transaction() as tx:
        named = NewResponse(
            "kto",
            1,
            wave_id,
            False,
            None,
            None,
            "nl",
            {"segment": "retail"},
            NOW,
            (StoredAnswer("service", 1),),
        )
        await tx.store_response(named)
    async with storage.transaction(write=False) as tx:
        export = await export_measurements(tx, SURVEYS["kto"], None)
        one = await export_measurements(tx, SURVEYS["kto"], wave_id)
    table = list(csv.reader(io.StringIO(export.csv)))
    questions = [q.id for q in SURVEYS["kto"].questions]
    assert table[0] == ["wave", "date", *questions, "region", "segment"]
    assert len(table) == 1 + 3 * 6 + 1
    assert sorted({row[0] for row in table[1:]}) == [*KTO_WAVES, "KTO 2023"]
    last = next(row for row in table if row[0] == "KTO 2023")
    assert last[table[0].index("service")] == "3"
    assert last[table[0].index("frustration")] == '\'=HYPERLINK("x")'
    assert list(csv.reader(io.StringIO(one.csv))) == [table[0][:-2], last[:-2]]
    assert "retail" not in one.csv  # the named response stays out


def test_export_to_stdout_and_of_one_wave(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_options(tmp_path)
    (tmp_path / "h.csv").write_bytes(
        csv_bytes(("satisfaction", "segment"), [(7, "retail"), (8, "public")])
    )
    command = ["responses", "import", str(tmp_path / "h.csv"), "--survey", "cvs"]
    assert main([*command, "--wave", "Paper", "--date", "2024-02-01", "--invited", "9", *cli]) == 0
    capsys.readouterr()
    assert main(["responses", "export", "--survey", "cvs", "--wave", "Paper", *cli]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    # Two respondents are fewer than 5: their segments were not stored, so none go out.
    assert header == "wave,date,satisfaction,loyalty,recommendation,improve"
    assert sorted(rows) == ["Paper,2024-02-01,7,,,", "Paper,2024-02-01,8,,,"]
    assert main(["responses", "export", "--survey", "cvs", "--wave", "Nope", *cli]) == 1


async def test_the_export_writes_released_answers_only_never_held_or_withheld_ones(
    storage: Storage,
) -> None:
    """What waits for its batch is still tied to its person, and what a too small wave
    withheld was never stored: neither can reach an export."""
    segments = {
        "Released": ["retail"] * 5 + ["public"] * 5 + ["hospitality"],
        "Waiting": ["retail"] * 5,
        "Withheld": ["retail"] * 2,
    }
    waves = {}
    async with storage.transaction() as tx:
        for label, values in segments.items():
            waves[label] = wave_id = new_id()
            opened = NOW - timedelta(days=20)
            await tx.insert_wave(Wave(wave_id, "kto", 1, label, {}, opened, NOW + timedelta(1)))
            for i, segment in enumerate(values):
                answers = (
                    StoredAnswer("service", 6 + i % 4),
                    StoredAnswer("frustration", text=label),
                )
                held = HeldResponse("kto", 1, wave_id, None, None, {"segment": segment}, answers)
                await tx.hold_response(held, opened + timedelta(days=i))
        for label in ("Released", "Withheld"):
            await release_wave(tx, "kto", waves[label], 5, NOW)
    async with storage.transaction(write=False) as tx:
        export = await export_measurements(tx, SURVEYS["kto"], None)
    table = list(csv.DictReader(io.StringIO(export.csv)))
    assert export.respondents == 11
    assert {row["wave"] for row in table} == {"Released"}
    assert {row["frustration"] for row in table} == {"Released"}
    # One date, the release day, and the segments as coarsened at release.
    assert {row["date"] for row in table} == {NOW.date().isoformat()}
    assert sorted(Counter(row["segment"] for row in table).items()) == [
        ("(other)", 6),
        ("retail", 5),
    ]
    assert "hospitality" not in export.csv
