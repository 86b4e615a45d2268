"""The insider's attacks on anonymous answers, on both backends.

The threat (bot/conversations/release.py): someone holds copies of every file taken after
release, the logs of the whole run at DEBUG, every report and export, and every named
answer. Each test builds the same organisation through the real service path (a CVS wave
with named and anonymous answers interleaved, surveys after interactions one person at a
time, an MTO), then attacks it as that insider would. The assertion is always the
guarantee: no released anonymous response can be tied to fewer than k people.

Each anonymous respondent writes a comment with a marker of their own, so the test knows
whose answer every released response is, and can look for that answer wherever it must
not be (next to a person, in a log line, in a page of the files).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.storage import sqlite_path
from flows import Status
from scoring.coarsen import OTHER
from tests.conftest import Clock
from tests.support.cli import main as klantstem
from tests.support.followup_world import World, make_world

K = 5

CONTACTS = (
    "ref,name,email,telegram,language,segment,region\n"
    + "".join(
        f"C-{i:03d},Customer {i},c{i}@example.nl,{900000 + i},{lang},{segment},{region}\n"
        for i, (lang, segment, region) in enumerate(
            [
                ("en", "retail", "north"),
                ("en", "retail", "north"),
                ("en", "retail", "north"),
                ("en", "retail", "south"),
                ("en", "retail", "south"),
                ("en", "retail", "north"),
                ("en", "wholesale", "north"),
                ("en", "wholesale", "south"),
                ("en", "wholesale", "south"),
                ("en", "wholesale", "north"),
                ("en", "wholesale", "south"),
                ("en", "retail", "south"),
                ("fr", "wholesale", "east"),  # the only French speaker, the only one east
                ("de", "retail", "west"),
            ],
            start=1,
        )
    )
).encode()

STAFF = (
    "ref,name,telegram,admin,language\n"
    + "".join(f"s{i},Staff {i},{5000 + i},{'yes' if i == 1 else 'no'},en\n" for i in range(1, 8))
).encode()

NAMED = {"C-001": ("9", "9", "10"), "C-004": ("7", "8", "8"), "C-007": ("4", "5", "3")}
"""Named respondents of the CVS wave and their answers (C-007 is a flagged detractor)."""
ANONYMOUS = ["C-002", "C-003", "C-005", "C-006", "C-008", "C-010", "C-011", "C-013", "C-014"]
"""Anonymous respondents of the CVS wave, in the order they answer, between the named."""
INTERACTIONS = ["C-009", "C-012", "C-003", "C-006", "C-013", "C-002"]
"""Contacts surveyed after an interaction, one a day; the sixth waits for a next batch."""
HISTORY = "wave,date,satisfaction,loyalty,recommendation,segment,region\n" + "".join(
    f"CVS 2025,2025-03-{day:02d},{7 + day % 3},8,{6 + day % 4},{segment},{region}\n"
    for day, (segment, region) in enumerate(
        [("retail", "north")] * 5 + [("retail", "south"), ("wholesale", "east")] * 2,
        start=3,
    )
)
"""An earlier measurement on paper: nine answers, four of them in rare combinations."""


@dataclass
class Run:
    """What the scenario left: the world, who wrote which marker, copies of the files."""

    world: World
    markers: dict[str, str] = field(default_factory=dict)
    """marker -> ref (contact) or staff ref of the anonymous respondent who wrote it."""
    copies: list[Path] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)


async def rows(world: World, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    async with world.storage.transaction(write=False) as tx:
        return [tuple(r) for r in await tx.conn.fetchall(sql, params)]


def _copy_files(world: World, into: Path) -> Path:
    """A copy of every database file as it is on disk now (SQLite: file and WAL)."""
    into.mkdir(parents=True)
    path = sqlite_path(world.storage.url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                shutil.copyfile(source, into / source.name)
    return into


async def _cli(*args: str) -> int:
    """`klantstem ARGS` in-process, beside the running bot (its own loop, in a thread)."""
    return await asyncio.to_thread(klantstem, list(args))


@pytest.fixture
async def run(
    backend_url: str, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Run]:
    caplog.set_level(logging.DEBUG)
    world = await make_world(backend_url, clock, contacts=CONTACTS, staff=STAFF)
    result = Run(world)
    try:
        await _scenario(result, tmp_path)
        result.logs = [record.getMessage() for record in caplog.records]
        yield result
    finally:
        await world.close()


async def _scenario(run: Run, tmp_path: Path) -> None:
    world = run.world
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    url = world.storage.url
    assert await _cli("responses", "import", str(history), "--survey", "cvs", "--db", url) == 0
    for day, ref in enumerate(INTERACTIONS):
        await world.scheduler.invitations.record_interaction(ref, "support", "csat", "test")
        await world.wait(hours=3)
        marker = f"ia{day:02d}x{ref[2:]}q"
        run.markers[marker] = ref
        await world.answer(_user(ref), "anonymous", "2", f"signed {marker}")
        world.clock.advance(hours=21)  # the next morning
    run.copies.append(_copy_files(world, tmp_path / "copy-1"))

    started = await world.scheduler.waves.start("cvs", {}, None, "test")
    assert started is not None
    await world.sweep()
    named = iter(NAMED.items())
    for i, ref in enumerate(ANONYMOUS):
        if i % 3 == 0:
            named_ref, scores = next(named, (None, ()))
            if named_ref:
                world.clock.advance(minutes=7)
                comment = ["too slow"] if int(scores[2]) <= 6 else []
                await world.answer(_user(named_ref), "named", *scores, *comment)
        world.clock.advance(minutes=11 + i)
        marker = f"mk{i:02d}x{ref[2:]}q"
        run.markers[marker] = ref
        await world.answer(_user(ref), "anonymous", "6", "5", "4", f"signed {marker}")
    waiting = await rows(
        world,
        "SELECT COUNT(*) FROM responses WHERE anonymous = 1 AND wave_id = ?",
        (started.wave.id,),
    )
    assert waiting == [(0,)], "no anonymous answer of a wave is stored before it closes"
    world.clock.advance(days=1)
    await world.scheduler.waves.close(started.wave.id, "test")
    run.copies.append(_copy_files(world, tmp_path / "copy-2"))

    mto = await world.scheduler.waves.start("mto", {}, None, "test")
    assert mto is not None
    await world.sweep()
    for i in range(1, 7):
        world.clock.advance(minutes=13)
        handled = await world.answer(str(5000 + i), "6")
        while handled.status is Status.ACTIVE:
            handled = await world.answer(str(5000 + i), "7")
    await world.scheduler.waves.close(mto.wave.id, "test")
    run.copies.append(_copy_files(world, tmp_path / "copy-3"))


def _user(ref: str) -> str:
    return str(900000 + int(ref[2:]))


def _anonymous_people(run: Run) -> set[str]:
    return set(run.markers.values())


async def _released(world: World) -> list[tuple[Any, ...]]:
    return await rows(
        world,
        "SELECT id, survey_id, wave_id, completed_at, language, attributes FROM responses"
        " WHERE anonymous = 1",
    )


# -- the stored rows ----------------------------------------------------------------------


async def test_every_released_response_hides_among_k_by_everything_stored_beside_it(
    run: Run,
) -> None:
    """Join on every column kept with an anonymous response: day, wave, language and
    attributes. Each combination must be shared by at least k responses."""
    released = await _released(run.world)
    # the imported history, the CVS wave, the first interaction batch, the MTO
    assert len(released) == 9 + len(ANONYMOUS) + K + 6
    classes = Counter(tuple(r[1:]) for r in released)
    assert min(classes.values()) >= K, classes
    assert {r[4] for r in released} == {""}, "the language of an anonymous answer is not kept"
    by_wave = Counter((r[2], r[3]) for r in released)
    assert all(n >= K for n in by_wave.values())
    assert all(str(r[3]).endswith("T00:00:00Z") for r in released)


async def test_the_rare_attributes_are_coarsened_not_dropped(run: Run) -> None:
    """The French speaker in the east is one of a kind: her region shows as (other)."""
    released = await _released(run.world)
    for wave in {r[2] for r in released if r[1] == "cvs"}:
        attributes = [json.loads(r[5]) for r in released if r[2] == wave]
        regions = Counter(a.get("region") for a in attributes)
        assert "east" not in regions and "west" not in regions
        assert all(n >= K for n in regions.values())
        assert OTHER in regions or len(regions) == 1


async def test_no_time_of_an_anonymous_answer_survives_next_to_a_person(run: Run) -> None:
    """The timing attack: invitations sent one at a time, answered within hours. After
    release, an anonymous respondent's invitation keeps no answer time, and every response
    of a batch has the one release day, so no send time or done mark points to one of them."""
    world = run.world
    people = await rows(
        world,
        "SELECT c.ref, i.status, i.answered_at, i.wave_id FROM invitations i"
        " JOIN contacts c ON c.id = i.contact_id",
    )
    for ref, status, answered_at, _wave in people:
        if ref in _anonymous_people(run) and status == "done" and ref not in NAMED:
            # anonymous only: a named answer keeps its time on purpose
            assert answered_at is None, ref
    released = await _released(run.world)
    days_per_batch = Counter((r[1], r[2]) for r in released)
    distinct_days = {(r[1], r[2]): set() for r in released}
    for r in released:
        distinct_days[(r[1], r[2])].add(r[3])
    assert all(len(days) == 1 for days in distinct_days.values()), distinct_days
    assert all(n >= K for n in days_per_batch.values())


async def test_a_series_of_copies_shows_each_release_as_a_batch_of_k(
    run: Run, tmp_path: Path
) -> None:
    """Diffing copies taken after each release: what is new between two copies is a whole
    batch, never one person's answer."""
    if sqlite_path(run.world.storage.url) is None:
        pytest.skip("copies of the files are taken of SQLite; PostgreSQL's files: see below")
    seen: set[str] = set()
    for copy in run.copies:
        db = copy / "klantstem.db"
        import sqlite3

        with sqlite3.connect(db) as conn:
            ids = {r[0] for r in conn.execute("SELECT id FROM responses WHERE anonymous = 1")}
        new = ids - seen
        assert len(new) == 0 or len(new) >= K
        seen |= ids


# -- the files at rest ----------------------------------------------------------------------


def _sqlite_bytes(copy: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(copy.iterdir()))


async def _postgres_bytes(world: World) -> bytes:
    """Every page of every table and index of the test's schema, as on disk."""
    async with world.storage.transaction() as tx:
        await tx.conn.execute("CHECKPOINT")
    found = await rows(
        world,
        "SELECT current_setting('data_directory'), pg_relation_filepath(c.oid)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 't', 'i')"
        " UNION SELECT current_setting('data_directory'), pg_relation_filepath(t.oid)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_class t ON t.oid = c.reltoastrelid WHERE n.nspname = current_schema()",
    )
    out = b""
    for data_dir, relative in found:
        if relative is None:
            continue
        base = Path(data_dir) / relative
        for part in sorted(base.parent.glob(base.name + "*")):
            out += part.read_bytes()
    return out


async def test_the_files_hold_each_anonymous_answer_once_and_only_as_released(run: Run) -> None:
    """Byte by byte: after release, each anonymous comment is in the files once, as its
    released answer row; no session, held row or WAL frame keeps it next to its person."""
    if sqlite_path(run.world.storage.url) is not None:
        images = [_sqlite_bytes(copy) for copy in run.copies[-1:]]
    else:
        images = [await _postgres_bytes(run.world)]
    released = {m for m in run.markers if not m.startswith("ia05")}  # the sixth waits
    for image in images:
        for marker in released:
            assert image.count(marker.encode()) == 1, marker
    held = await rows(run.world, "SELECT COUNT(*) FROM held_responses")
    assert held == [(1,)], "only the sixth interaction answer waits"


async def test_row_order_does_not_follow_the_order_of_answering(run: Run) -> None:
    """Rows of a batch are written in random order with random ids, so neither the id order
    nor the physical order of rows (PostgreSQL's ctid) is the order people answered in."""
    world = run.world
    physical = "a.ctid" if sqlite_path(world.storage.url) is None else "a.response_id"
    ordered = await rows(
        world,
        "SELECT a.text FROM answers a WHERE a.survey_id = 'cvs' AND a.text LIKE 'signed %'"
        f" ORDER BY {physical}",
    )
    answered = [f"signed {m}" for m in run.markers if m.startswith("mk")]
    assert sorted(t for (t,) in ordered) == sorted(answered)
    assert [t for (t,) in ordered] != answered


# -- logs -----------------------------------------------------------------------------------


async def test_the_debug_log_of_the_whole_run_names_no_anonymous_answer(run: Run) -> None:
    released = {str(r[0]) for r in await _released(run.world)}
    text = "\n".join(run.logs)
    for marker in run.markers:
        assert marker not in text
    for response_id in released:
        assert response_id not in text
    for ref in _anonymous_people(run) - set(NAMED):
        assert str(900000 + int(ref[2:])) not in text, ref


# -- reports, exports and subtraction ---------------------------------------------------------


async def _report(run: Run, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    code = await _cli("report", "--db", run.world.storage.url, "--format", "json", *args)
    out = capsys.readouterr().out
    assert code == 0, out
    parsed: dict[str, Any] = json.loads(out)
    return parsed


async def _anonymous_in(world: World, survey: str, wave: str | None, key: str, value: str) -> int:
    where = "wave_id = ?" if wave else "wave_id IS NULL"
    params: tuple[Any, ...] = (survey, wave) if wave else (survey,)
    found = await rows(
        world,
        f"SELECT attributes FROM responses WHERE anonymous = 1 AND survey_id = ? AND {where}",
        params,
    )
    return sum(1 for (a,) in found if json.loads(a).get(key, "") == value)


async def test_no_report_figure_minus_the_named_answers_exposes_fewer_than_k(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every report over every scope and breakdown: for each group that shows figures,
    what remains once every named answer is subtracted is 0 or at least k answers."""
    waves = await rows(run.world, "SELECT id, survey_id FROM waves")
    scopes = [(survey, ["--survey", survey, "--wave", wave]) for wave, survey in waves]
    scopes.append(("csat", ["--survey", "csat"]))
    for survey, args in scopes:
        report = await _report(run, capsys, *args)
        wave_id = report["scope"]["wave_id"]
        respondents = report["respondents"]
        anonymous_part = respondents["n"] - respondents["named"]
        assert anonymous_part == 0 or anonymous_part >= K
        for breakdown in report["breakdowns"]:
            if breakdown["kind"] != "attribute":
                continue
            for group in breakdown["groups"]:
                shown = any(not f["suppressed"] for f in group["figures"].values())
                if not shown:
                    continue
                anonymous = await _anonymous_in(
                    run.world, survey, wave_id, breakdown["key"], group["label"]
                )
                assert anonymous == 0 or anonymous >= K, (survey, breakdown["key"], group)


async def test_reports_and_exports_carry_no_anonymous_comment_and_no_rare_combination(
    run: Run, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = run.world.storage.url
    for fmt in ("text", "csv", "html", "json"):
        capsys.readouterr()
        assert await _cli("report", "--db", url, "--survey", "cvs", "--format", fmt) == 0
        out = capsys.readouterr().out
        for marker in run.markers:
            assert marker not in out, fmt
    capsys.readouterr()
    assert await _cli("responses", "export", "--db", url, "--survey", "cvs", "--format", "csv") == 0
    exported = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(exported) == 9 + len(ANONYMOUS)  # the imported measurement and the wave
    combos = Counter(
        tuple((k, v) for k, v in sorted(r.items()) if k in {"segment", "region", "language"})
        for r in exported
    )
    assert min(combos.values()) >= K
