"""A group shows figures only when its anonymous part is 0 or at least the minimum group
size (G-R5): named answers are known to insiders (flag alerts, exports), so a group of 4
named and 1 anonymous respondent would give away the anonymous one's answers to anyone
who subtracts the 4 named ones."""

from __future__ import annotations

import json

import pytest

from bot.config.settings import Config
from bot.reports import Report, Selection
from bot.reports.output import render
from bot.reports.present import HIDDEN
from bot.reports.summary import summary_text
from bot.storage import Storage
from tests.support.report_data import NOW, add_cvs, add_response, add_wave, report

NAMED = [(8, 8, 9), (7, 8, 8), (9, 9, 10), (6, 7, 7)]
ANONYMOUS = [(2, 1, 0)]
"""Total minus the four named answers: the anonymous detractor's own 2, 1 and 0."""


def totals_row(text: str, figure: str) -> list[str]:
    """The cells of a figure's row in the text report's totals table."""
    block = text.split("Results at total level")[1].split("\n\n")[0]
    line = next(line for line in block.splitlines() if line.startswith(figure + " "))
    return line.split()


async def test_a_wave_of_four_named_and_one_anonymous_shows_no_figures(
    storage: Storage, config: Config
) -> None:
    wave = await add_wave(storage, "cvs", "CVS 2026 autumn", NOW.replace(month=10), invited=5)
    await add_cvs(storage, NAMED, wave_id=wave, anonymous=False)
    await add_cvs(storage, ANONYMOUS, wave_id=wave)
    r = await report(storage, config, Selection(wave=wave))
    assert (r.respondents.n, r.respondents.named, r.respondents.anonymous) == (5, 4, 1)
    assert r.cvs is not None and r.cvs.n == 5 and r.cvs.figures is None
    assert r.nps is not None and r.nps.figures is None
    assert all(q.group.figures is None for q in r.questions)
    assert all(p.figures is None for s in r.trend.series for p in s.points)
    text = str(render(r, "text", "en", "UTC"))
    assert totals_row(text, "CVS")[1:] == ["5", HIDDEN]
    data = json.loads(str(render(r, "json", "en", "UTC")))
    assert data["totals"]["cvs"] == {
        "n": 5,
        "suppressed": True,
        "mean": None,
        "sd": None,
        "margin": None,
        "pass": None,
    }
    assert data["totals"]["nps"]["promoters"] is None
    assert "CVS:" not in summary_text(r, "en") and "NPS:" not in summary_text(r, "en")


async def test_all_responses_of_a_survey_with_one_anonymous_among_named_show_no_figures(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, NAMED, anonymous=False)
    await add_cvs(storage, ANONYMOUS)
    r = await report(storage, config, Selection(survey_id="cvs"))
    assert r.scope.kind == "all"
    assert r.cvs is not None and r.cvs.suppressed
    csv_rows = str(render(r, "csv", "en", "UTC")).splitlines()
    assert "total,,,,cvs,5,,,,," in csv_rows


@pytest.mark.parametrize("anonymous", [0, 5, 6])
async def test_a_group_without_or_with_enough_anonymous_respondents_shows(
    storage: Storage, config: Config, anonymous: int
) -> None:
    await add_cvs(storage, [*NAMED, (7, 7, 7)], anonymous=False)
    await add_cvs(storage, [(8, 8, 8)] * anonymous)
    r = await report(storage, config, Selection(survey_id="cvs"))
    assert r.cvs is not None and r.cvs.figures is not None


async def add_kto(storage: Storage, segment: str, grades: list[int], *, anonymous: bool) -> None:
    for grade in grades:
        answers = {"satisfaction": 7, "loyalty": 7, "recommendation": 8, "service": grade}
        await add_response(
            storage, "kto", answers, attributes={"segment": segment}, anonymous=anonymous
        )


def service_by_segment(r: Report) -> dict[str, float | None]:
    by_segment = next(b for b in r.breakdowns if b.kind == "attribute" and b.key == "segment")
    column = next(c for c in by_segment.columns if c.key == "service")
    return {label: g.figures for label, g in column.groups.items()}


@pytest.mark.parametrize("anonymous", [1, 2, 3, 4])
async def test_a_breakdown_group_of_named_and_a_few_anonymous_respondents_is_hidden(
    storage: Storage, config: Config, anonymous: int
) -> None:
    # North: 5 named and 1 to 4 anonymous, so its count reaches 5 but its anonymous part
    # does not. South (6, all anonymous) is withheld too: total minus the shown groups
    # would otherwise be North alone. West (6 named) shows.
    await add_kto(storage, "north", [8, 8, 7, 7, 9], anonymous=False)
    await add_kto(storage, "north", [2] * anonymous, anonymous=True)
    await add_kto(storage, "south", [6] * 6, anonymous=True)
    await add_kto(storage, "west", [9] * 6, anonymous=False)
    r = await report(storage, config, Selection(survey_id="kto"))
    service = service_by_segment(r)
    assert service == {"north": None, "south": None, "west": pytest.approx(9.0)}
    service_total = r.question("service")
    assert service_total is not None and service_total.group.figures is not None
    text = str(render(r, "text", "en", "UTC"))
    block = next(b for b in text.split("\n\n") if b.startswith("By segment"))
    service_row = next(line for line in block.splitlines() if line.startswith("service"))
    assert service_row.split()[1:] == [HIDDEN, HIDDEN, "9.0"]
    assert "some but fewer than 5 of them anonymous" in text
