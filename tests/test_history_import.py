"""Importing earlier measurements: waves that every report treats like its own, the +10
point rule judged against history, anonymity, and re-imports that change nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from bot.config.settings import Config
from bot.imports.measurements_file import ImportOptions
from bot.storage import IntegrityError, Storage, open_storage
from tests.support.cli import main
from tests.support.history_data import (
    cli_options,
    counts,
    csv_bytes,
    cvs_history,
    import_file,
    json_report,
    kto_history,
)

INVITED = {"2022": 20, "2023": 18, "2024": 10}
PAPER_DAY = date(2023, 6, 1)


async def test_third_wave_fails_the_7_mark_but_passes_on_10_points(
    storage: Storage, config: Config
) -> None:
    await import_file(storage, cvs_history(), options=ImportOptions(invited_by_wave=INVITED))
    data = await json_report(storage, config, "cvs")
    assert data["scope"]["label"] == "2024" and data["trend"]["labels"] == ["2022", "2023", "2024"]
    verdict = data["totals"]["cvs"]["pass"]
    assert data["totals"]["cvs"]["mean"] == pytest.approx(6.5333, abs=1e-4)
    assert verdict == {
        "passed": True,
        "by_level": False,
        "by_improvement": True,
        "previous": pytest.approx(5.3333, abs=1e-4),
        "change": pytest.approx(1.2, abs=1e-4),
    }
    cvs_trend = next(s for s in data["trend"]["series"] if s["key"] == "cvs")
    assert [p["pass"]["passed"] for p in cvs_trend["points"]] == [False, False, True]
    assert any("passes by rising +1.2" in c["text"] for c in data["conclusions"])
    shown = ("n", "named", "anonymous", "invited", "response_rate", "held", "withheld")
    assert {key: data["respondents"][key] for key in shown} == {
        "n": 5,
        "named": 0,
        "anonymous": 5,
        "invited": 10,
        "response_rate": 0.5,
        "held": 0,
        "withheld": 0,
    }


def test_the_text_report_says_why_the_third_wave_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_options(tmp_path)
    (tmp_path / "history.csv").write_bytes(cvs_history())
    assert main(["responses", "import", str(tmp_path / "history.csv"), "--survey=cvs", *cli]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2022: 5 respondents imported",
        "2023: 5 respondents imported",
        "2024: 5 respondents imported",
    ]
    assert main(["report", "--survey", "cvs", *cli]) == 0
    text = capsys.readouterr().out
    assert "Research report, wave 2024" in text
    cvs_line = next(line for line in text.splitlines() if line.startswith("CVS "))
    assert "6.5" in cvs_line and "5.3" in cvs_line and "passed (up +1.2)" in cvs_line
    trend = next(line for line in text.splitlines() if line.startswith("wave "))
    assert trend.split() == ["wave", "2022", "2023", "2024"]


async def test_imported_waves_are_closed_anonymous_and_dated_by_their_answers(
    storage: Storage,
) -> None:
    data = csv_bytes(
        ("respondent", "satisfaction", "loyalty", "recommendation", "improve", "segment"),
        [
            ("jan.jansen", 6, 7, "", "", "retail"),
            ("jan.jansen", "", "", 5, "Call back sooner", ""),
            ("piet.smit", 8, 8, 9, "", ""),
        ],
    )
    await import_file(storage, data, options=ImportOptions(wave="Paper 2023", day=PAPER_DAY))
    async with storage.transaction(write=False) as tx:
        wave = (await tx.report_waves("cvs"))[0]
        responses = await tx.conn.fetchall(
            "SELECT anonymous, contact_id, identity_id, language, completed_at, attributes"
            " FROM responses ORDER BY attributes"
        )
        answers = await tx.conn.fetchall("SELECT * FROM answers")
    assert (wave.label, wave.opened_at, wave.closed_at) == (
        "Paper 2023",
        "2023-06-01T00:00:00Z",
        "2023-06-01T00:00:00Z",
    )
    # Jan's two rows became one response; no respondent name is stored anywhere, and a
    # wave of fewer than 5 respondents keeps no attributes (Jan's segment would be his).
    assert [tuple(r) for r in responses] == [
        (1, None, None, "", "2023-06-01T00:00:00Z", "{}"),
        (1, None, None, "", "2023-06-01T00:00:00Z", "{}"),
    ]
    assert len(answers) == 7
    assert ("Call back sooner",) in [(a["text"],) for a in answers if a["text"]]
    stored = json.dumps([list(r) for r in [*responses, *answers]])
    assert "jansen" not in stored and "smit" not in stored and "retail" not in stored


async def test_a_wave_spans_its_days_but_its_answers_carry_only_the_last(
    storage: Storage, config: Config
) -> None:
    days = ["2023-03-01", "2023-03-02", "2023-03-09", "2023-03-15", "2023-03-15", "2023-03-31"]
    rows = [("Spring", day, 7, 8, 9) for day in days]
    await import_file(
        storage, csv_bytes(("wave", "date", "satisfaction", "loyalty", "recommendation"), rows)
    )
    async with storage.transaction(write=False) as tx:
        stored = await tx.conn.fetchall("SELECT DISTINCT completed_at FROM responses")
    assert [r[0] for r in stored] == ["2023-03-31T00:00:00Z"]
    scope = (await json_report(storage, config, "cvs", "Spring"))["scope"]
    assert scope["opened_at"].startswith("2023-03-01")
    assert scope["first_response"].startswith("2023-03-31")
    assert scope["last_response"].startswith("2023-03-31")


async def test_a_rare_combination_of_attributes_is_stored_coarsened(
    storage: Storage, config: Config
) -> None:
    # 12 respondents: one hospitality customer in the east, the only one of her kind.
    people = [("retail", "north")] * 6 + [("wholesale", "south")] * 5 + [("hospitality", "east")]
    rows = [("Autumn", "2024-10-07", 7, 8, 9, s, r) for s, r in people]
    header = ("wave", "date", "satisfaction", "loyalty", "recommendation", "segment", "region")
    await import_file(storage, csv_bytes(header, rows))
    async with storage.transaction(write=False) as tx:
        stored = await tx.conn.fetchall(
            "SELECT attributes, COUNT(*) FROM responses GROUP BY attributes ORDER BY attributes"
        )
    combinations = {str(r[0]): int(r[1]) for r in stored}
    assert all(n >= 5 for n in combinations.values()), combinations
    assert sum(combinations.values()) == 12
    flat = json.dumps(list(combinations))
    assert "hospitality" not in flat and "east" not in flat
    # Retail customers in the north stay a group of their own; the rest is "(other)".
    assert combinations.get('{"region":"north","segment":"retail"}') == 6
    data = await json_report(storage, config, "cvs", "Autumn")
    groups = {
        b["key"]: sorted(g["name"] for g in b["groups"])
        for b in data["breakdowns"]
        if b["kind"] == "attribute"
    }
    assert groups == {"region": ["(other)", "north"], "segment": ["(other)", "retail"]}


@pytest.mark.parametrize(
    ("k", "stored"),
    [
        (
            3,
            [
                ('{"segment":"public"}', 3),
                ('{"segment":"retail"}', 3),
                ('{"segment":"wholesale"}', 3),
            ],
        ),
        (5, [('{"segment":"(other)"}', 9)]),
    ],
)
async def test_coarsening_follows_the_minimum_group_size(
    storage: Storage, k: int, stored: list[tuple[str, int]]
) -> None:
    rows = [("Spring", "2024-04-02", 7, s) for s in ("retail", "wholesale", "public") * 3]
    await import_file(storage, csv_bytes(("wave", "date", "satisfaction", "segment"), rows), k=k)
    async with storage.transaction(write=False) as tx:
        found = await tx.conn.fetchall(
            "SELECT attributes, COUNT(*) FROM responses GROUP BY attributes ORDER BY attributes"
        )
    assert [tuple(r) for r in found] == stored


async def test_importing_the_same_file_twice_changes_nothing(storage: Storage) -> None:
    first = await import_file(storage, kto_history(), "kto")
    before = await counts(storage)
    assert [o.change for o in first] == ["added"] * 3 and before[0] == 3
    # The same measurement with its rows and columns in another order is the same measurement.
    lines = kto_history().decode().splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    order = list(reversed(range(len(header))))
    shuffled = csv_bytes(
        [header[i] for i in order], [[row[i] for i in order] for row in reversed(rows)]
    )
    for data in (kto_history(), shuffled):
        again = await import_file(storage, data, "kto")
        assert sorted((o.label, o.change) for o in again) == [
            ("KTO 2020", "unchanged"),
            ("KTO 2021", "unchanged"),
            ("KTO 2022", "unchanged"),
        ]
        assert await counts(storage) == before


async def test_an_invited_count_given_later_is_recorded_once(
    storage: Storage, config: Config
) -> None:
    await import_file(storage, cvs_history())
    unknown = (await json_report(storage, config, "cvs"))["respondents"]
    assert not unknown["invited"] and unknown["response_rate"] is None
    given = ImportOptions(invited_by_wave=INVITED)
    added = await import_file(storage, cvs_history(), options=given)
    assert [o.change for o in added] == ["invited"] * 3
    again = await import_file(storage, cvs_history(), options=given)
    assert [o.change for o in again] == ["unchanged"] * 3
    data = await json_report(storage, config, "cvs", "2023")
    assert data["respondents"]["invited"] == 18
    assert data["respondents"]["response_rate"] == pytest.approx(5 / 18, abs=1e-4)


async def test_breakdowns_and_suppression_apply_to_imported_waves(
    storage: Storage, config: Config
) -> None:
    await import_file(storage, kto_history(per_wave=14), "kto")
    data = await json_report(storage, config, "kto", "KTO 2022")
    assert data["respondents"]["n"] == 14
    keys = {(b["kind"], b["key"]) for b in data["breakdowns"]}
    assert {("attribute", "segment"), ("attribute", "region")} <= keys
    assert ("classification", "customer_since") in keys
    shown = suppressed = 0
    for breakdown in data["breakdowns"]:
        for group in breakdown["groups"]:
            for figure in group["figures"].values():
                # Under the minimum of 5 a group shows its count and no figure.
                if figure["n"] < 5:
                    assert figure["suppressed"] and figure["value"] is None
                shown += not figure["suppressed"]
                suppressed += figure["suppressed"]
    assert shown and suppressed


async def test_choices_are_read_by_id_or_by_label_in_any_language(storage: Storage) -> None:
    data = csv_bytes(
        ("customer_since", "service"),
        [("gt3", 7), ("More than three years", 8), ("langer dan drie jaar", 6), ("LT1", 5)],
    )
    await import_file(storage, data, "kto", ImportOptions(wave="old", day=PAPER_DAY))
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT choice, COUNT(*) FROM answers WHERE question_id = 'customer_since'"
            " GROUP BY choice ORDER BY choice"
        )
    assert [tuple(r) for r in rows] == [("gt3", 3), ("lt1", 1)]


def test_import_reads_waves_csv_beside_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_options(tmp_path)
    (tmp_path / "history.csv").write_bytes(cvs_history())
    (tmp_path / "waves.csv").write_bytes(
        b"survey;wave;invited\ncvs;2022;20\ncvs;2023;18\ncvs;2024;10\nkto;2024;999\n"
    )
    assert main(["responses", "import", str(tmp_path / "history.csv"), "--survey=cvs", *cli]) == 0
    capsys.readouterr()
    assert main(["report", "--survey", "cvs", "--format", "json", *cli]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["respondents"]["invited"] == 10 and report["respondents"]["response_rate"] == 0.5
    assert report["totals"]["cvs"]["margin"] is not None


async def test_two_imports_of_one_file_at_once_store_it_once(backend_url: str) -> None:
    stores = [await open_storage(backend_url), await open_storage(backend_url)]
    try:
        results = await asyncio.gather(
            *(import_file(s, cvs_history()) for s in stores), return_exceptions=True
        )
        assert all(isinstance(r, list | IntegrityError) for r in results), results
        changes = sorted(r[0].change if isinstance(r, list) else "refused" for r in results)
        assert changes in (["added", "unchanged"], ["added", "refused"]), results
        assert await counts(stores[0]) == (3, 15, 45)
    finally:
        for s in stores:
            await s.close()
