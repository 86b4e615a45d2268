"""Anonymous answers waiting for release, and those withheld when a wave closed with too
few of them: every report, the chat summary and `klantstem stats` say how many and why.
The response rate counts them (they were given); the margin of error does not (no
figure contains them)."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.config.settings import Config
from bot.reports import Selection
from bot.reports.output import render
from bot.reports.publish import Published, published_text
from bot.reports.summary import summary_text
from bot.storage import Storage, open_storage
from bot.storage.records import StoredAnswer
from bot.storage.release_sql import HeldResponse
from scoring.cvs import wave_cvs
from scoring.margin import margin_of_error
from tests.support.cli import main
from tests.support.report_data import NOW, add_cvs, add_wave, report

NAMED = [(8, 8, 9), (7, 8, 8), (9, 9, 10), (6, 7, 7), (8, 8, 8)]
WAITING = "3 anonymous answers wait for release: they are counted once at least 5 can be "
WAITING += "released together."
WITHHELD = "2 anonymous answers were withheld: fewer than 5 answered anonymously."


async def hold(storage: Storage, n: int, wave_id: str | None) -> None:
    answers = tuple(StoredAnswer(q, score=3) for q in ("satisfaction", "loyalty", "recommendation"))
    async with storage.transaction() as tx:
        for _ in range(n):
            await tx.hold_response(HeldResponse("cvs", 1, wave_id, None, None, {}, answers), NOW)


async def open_wave_with_three_waiting(storage: Storage) -> str:
    wave = await add_wave(storage, "cvs", "CVS 2026 autumn", NOW.replace(month=11, day=2), 10)
    await add_cvs(storage, NAMED, wave_id=wave, anonymous=False)
    await hold(storage, 3, wave)
    return wave


async def closed_wave_with_two_withheld(storage: Storage) -> str:
    wave = await add_wave(storage, "cvs", "CVS 2026 autumn", NOW.replace(month=11, day=2), 10)
    await add_cvs(storage, NAMED, wave_id=wave, anonymous=False)
    await hold(storage, 2, wave)
    async with storage.transaction() as tx:
        await tx.withhold_held(await tx.held_responses("cvs", wave), wave)
        await tx.close_wave(wave, NOW)
    return wave


async def test_every_report_says_how_many_anonymous_answers_wait(
    storage: Storage, config: Config
) -> None:
    wave = await open_wave_with_three_waiting(storage)
    r = await report(storage, config, Selection(wave=wave))
    text = str(render(r, "text", "en", "UTC"))
    assert WAITING in " ".join(text.split())
    assert "8 of 10 invited (80%)" in text
    data = json.loads(str(render(r, "json", "en", "UTC")))
    respondents = data["respondents"]
    assert (respondents["n"], respondents["held"], respondents["withheld"]) == (5, 3, 0)
    assert respondents["answered"] == 8 and respondents["response_rate"] == 0.8
    assert respondents["notes"] == [WAITING]
    assert "total,,,,held,,3,,,," in str(render(r, "csv", "en", "UTC")).splitlines()
    assert WAITING in str(render(r, "html", "en", "UTC"))
    summary = summary_text(r, "en")
    assert "8 of 10 invited answered (80%)." in summary and WAITING in summary
    # The figures are those of the five stored answers only.
    assert r.cvs is not None and r.cvs.n == 5 and r.cvs.figures is not None


async def test_a_closed_wave_says_how_many_were_withheld_and_why(
    storage: Storage, config: Config
) -> None:
    wave = await closed_wave_with_two_withheld(storage)
    r = await report(storage, config, Selection(wave=wave))
    assert (r.respondents.n, r.respondents.held, r.respondents.withheld) == (5, 0, 2)
    assert r.respondents.rate == pytest.approx(0.7)
    text = " ".join(str(render(r, "text", "en", "UTC")).split())
    assert WITHHELD in text and "7 of 10 invited (70%)" in text
    data = json.loads(str(render(r, "json", "en", "UTC")))
    assert data["respondents"]["withheld"] == 2 and data["respondents"]["notes"] == [WITHHELD]
    assert "total,,,,withheld,,2,,,," in str(render(r, "csv", "en", "UTC")).splitlines()
    assert WITHHELD in summary_text(r, "en", "respondents")
    # The margin of error is that of the five stored answers in a population of ten.
    sums = {sum(t): 1 for t in NAMED}
    assert r.cvs is not None and r.cvs.figures is not None
    assert r.cvs.figures.margin == pytest.approx(margin_of_error(wave_cvs(sums), 10))


async def test_the_report_in_dutch_says_it_with_the_right_plural(
    storage: Storage, config: Config
) -> None:
    wave = await open_wave_with_three_waiting(storage)
    r = await report(storage, config, Selection(wave=wave))
    nl = json.loads(str(render(r, "json", "nl", "UTC")))["respondents"]["notes"]
    assert nl and "3" in nl[0] and "5" in nl[0] and nl[0] != WAITING


async def test_anonymous_answers_outside_waves_wait_in_a_report_of_all_responses(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, NAMED, anonymous=False)
    await hold(storage, 3, None)
    r = await report(storage, config, Selection(survey_id="cvs"))
    assert r.respondents.held == 3 and r.respondents.answered == 8
    assert WAITING in summary_text(r, "en")


def test_publishing_says_what_is_not_in_the_results() -> None:
    done = Published("CVS 2026 autumn", 4, 1, 0, 5, 0, 2)
    assert WITHHELD in published_text(done, "en")


def test_stats_shows_waiting_and_withheld_answers(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def seed() -> None:
        storage = await open_storage(db_url)
        try:
            await closed_wave_with_two_withheld(storage)
            await hold(storage, 3, None)
        finally:
            await storage.close()

    asyncio.run(seed())
    capsys.readouterr()
    assert main(["stats", "--db", db_url]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("survey "))
    assert header.split()[-2:] == ["waiting", "withheld"]
    row = next(line for line in out.splitlines() if line.startswith("cvs "))
    assert row.split() == ["cvs", "5", "5", "0", "3", "2"]
    assert f"cvs: {WAITING}" in out and f"cvs: {WITHHELD}" in out
    assert "CVS (cvs): 8.0 from 5 respondents." in out
