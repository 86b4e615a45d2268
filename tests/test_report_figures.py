"""Report figures against datasets small enough to check by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config.settings import Config
from bot.reports import ReportError, Selection
from bot.storage import Storage
from tests.support.report_data import NOW, add_cvs, add_response, add_wave, report

# Wave 2 of the CVS survey, 10 invited, 6 answered (satisfaction, loyalty, recommendation):
WAVE2 = [(8, 9, 10), (7, 7, 7), (6, 5, 4), (9, 9, 9), (10, 10, 10), (5, 6, 7)]


async def two_waves(storage: Storage) -> None:
    first = await add_wave(storage, "cvs", "Q2", NOW - timedelta(days=120), invited=8)
    await add_cvs(storage, [(7, 7, 7)] * 5, wave_id=first, when=NOW - timedelta(days=110))
    second = await add_wave(storage, "cvs", "Q3", NOW - timedelta(days=20), invited=10)
    await add_cvs(storage, WAVE2, wave_id=second, when=NOW - timedelta(days=10))


async def test_cvs_nps_response_rate_and_margins_of_the_latest_wave(
    storage: Storage, config: Config
) -> None:
    await two_waves(storage)
    r = await report(storage, config)

    assert r.scope.kind == "wave" and r.scope.label == "Q3"
    # 6 of 10 invited answered.
    assert (r.respondents.n, r.respondents.invited, r.respondents.rate) == (6, 10, 0.6)

    assert r.cvs is not None and r.cvs.figures is not None
    cvs = r.cvs.figures
    # Per-respondent sums 27, 21, 15, 27, 30, 18 -> CVS 9, 7, 5, 9, 10, 6; mean 46 / 6.
    assert cvs.summary.mean == pytest.approx(46 / 6)
    # Sums deviate 4, -2, -8, 4, 7, -5 from 23: variance 174 / 5 = 34.8; sd sqrt(34.8) / 3.
    assert cvs.summary.sd == pytest.approx(34.8**0.5 / 3)
    # 1.96 * 1.9664 / sqrt(6) * sqrt((10 - 6) / (10 - 1)) = 1.0489 (finite population: 10).
    assert cvs.margin == pytest.approx(1.0489, abs=1e-4)
    # 7.67 >= 7 passes on level; +0.67 on wave 1's 7.0 is short of the +1.0 improvement.
    assert cvs.passing is not None
    assert cvs.passing.passed and cvs.passing.by_level and not cvs.passing.by_improvement
    assert cvs.passing.previous == pytest.approx(7.0)
    assert cvs.passing.change == pytest.approx(46 / 6 - 7)

    assert r.nps is not None and r.nps.figures is not None
    nps = r.nps.figures
    # Recommendation 10, 7, 4, 9, 10, 7: promoters 10, 9, 10; passives 7, 7; detractor 4.
    assert (nps.result.promoters, nps.result.passives, nps.result.detractors) == (3, 2, 1)
    assert nps.result.nps == pytest.approx(100 * (3 - 1) / 6)
    # Values +1, 0, -1 with mean 1/3: sample variance (6 * 4 - 2^2) / (6 * 5) = 2/3;
    # 100 * 1.96 * sqrt(2/3) / sqrt(6) * sqrt(4/9) = 43.55 points.
    assert nps.margin == pytest.approx(43.5548, abs=1e-3)

    question = r.question("recommendation")
    assert question is not None and question.group.figures is not None
    # (10 + 7 + 4 + 9 + 10 + 7) / 6
    assert question.group.figures.score.summary.mean == pytest.approx(47 / 6)
    assert question.group.figures.distribution == {4: 1, 7: 2, 9: 1, 10: 2}


async def test_trend_shows_every_wave_and_judges_each_on_the_one_before(
    storage: Storage, config: Config
) -> None:
    await two_waves(storage)
    r = await report(storage, config)
    cvs = r.trend.get("cvs")
    assert r.trend.unit == "wave" and r.trend.labels == ["Q2", "Q3"]
    assert cvs is not None
    first, second = (p.figures for p in cvs.points)
    assert first is not None and second is not None
    assert first.value == pytest.approx(7.0) and first.passing is not None
    assert first.passing.previous is None and first.passing.by_level
    assert second.value == pytest.approx(46 / 6)


async def test_a_wave_that_rises_ten_points_passes_below_seven(
    storage: Storage, config: Config
) -> None:
    first = await add_wave(storage, "cvs", "spring", NOW - timedelta(days=200))
    # CVS 5.0 for five respondents.
    await add_cvs(storage, [(5, 5, 5)] * 5, wave_id=first, when=NOW - timedelta(days=190))
    second = await add_wave(storage, "cvs", "autumn", NOW - timedelta(days=20))
    # CVS 6.0: below 7, but +1.0 on 5.0 is the 10 percentage points of G-P1.
    await add_cvs(storage, [(6, 6, 6)] * 5, wave_id=second, when=NOW - timedelta(days=10))
    r = await report(storage, config, Selection(wave="autumn"))
    assert r.cvs is not None and r.cvs.figures is not None and r.cvs.figures.passing
    passing = r.cvs.figures.passing
    assert passing.passed and passing.by_improvement and not passing.by_level
    assert [f.code for f in r.conclusions if f.code.startswith("cvs_")] == [
        "cvs_improved",
        "cvs_change",
    ]


@pytest.mark.parametrize(
    ("recommendation", "nps", "code"),
    [
        (10, 100.0, "nps"),  # everyone a promoter: NPS 100, and no spread: margin 0
        (3, -100.0, "nps_negative"),  # everyone a detractor: NPS -100, margin 0
    ],
)
async def test_nps_when_everyone_is_in_one_group(
    storage: Storage, config: Config, recommendation: int, nps: float, code: str
) -> None:
    await add_cvs(storage, [(7, 7, recommendation)] * 5, survey_id="kto")
    r = await report(storage, config, Selection(survey_id="kto"))
    assert r.nps is not None and r.nps.figures is not None
    assert r.nps.figures.result.nps == nps
    assert r.nps.figures.margin == 0
    assert code in [f.code for f in r.conclusions]


async def test_one_respondent_shows_the_count_and_no_figure(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, [(10, 10, 10)], survey_id="kto")
    r = await report(storage, config, Selection(survey_id="kto"))
    assert r.respondents.n == 1 and r.scope.kind == "all"
    assert r.nps is not None and r.nps.suppressed and r.nps.figures is None and r.nps.n == 1
    assert r.cvs is not None and r.cvs.suppressed and r.cvs.figures is None
    assert all(q.group.figures is None for q in r.questions)
    assert r.conclusions[0].code == "too_few"


async def test_period_of_a_survey_after_interactions_is_judged_on_the_period_before(
    storage: Storage, config: Config
) -> None:
    october = NOW.replace(month=10, day=15)
    november = NOW.replace(day=5)
    # October: CVS 5.0; November: CVS 6.0 (+1.0 passes on improvement).
    await add_cvs(storage, [(5, 5, 5)] * 5, when=october)
    await add_cvs(storage, [(6, 6, 6), (6, 6, 6), (6, 6, 6), (6, 6, 6), (6, 6, 6)], when=november)
    r = await report(storage, config, Selection(survey_id="cvs", period="2026-11"))
    assert r.scope.kind == "period" and r.scope.label == "2026-11"
    assert r.trend.unit == "month" and r.trend.labels == ["2026-10", "2026-11"]
    assert r.cvs is not None and r.cvs.figures is not None and r.cvs.figures.passing
    assert r.cvs.figures.summary.mean == pytest.approx(6.0)
    assert r.cvs.figures.passing.previous == pytest.approx(5.0)
    assert r.cvs.figures.passing.by_improvement

    quarter = await report(storage, config, Selection(survey_id="cvs", period="2026-Q4"))
    # Both months fall in the fourth quarter: (5 * 5.0 + 5 * 6.0) / 10.
    assert quarter.cvs is not None and quarter.cvs.figures is not None
    assert quarter.cvs.figures.summary.mean == pytest.approx(5.5)


async def test_csat_per_month_with_its_change(storage: Storage, config: Config) -> None:
    for day, scores in (
        (NOW.replace(month=10, day=3), [5, 4, 2, 1, 3]),
        (NOW.replace(day=3), [5, 5, 4, 4, 2]),
    ):
        for score in scores:
            await add_response(storage, "csat", {"csat": score}, when=day)
    r = await report(storage, config, Selection(survey_id="csat", period="2026-11"))
    assert r.csat is not None and r.csat.figures is not None
    # November: 4 of 5 answered 4 or 5.
    assert r.csat.figures.result.csat == pytest.approx(80.0)
    series = r.trend.get("csat")
    assert series is not None and series.points[-1].figures is not None
    # October 2 of 5 (40%) -> November 80%: +40 points.
    assert series.points[-1].figures.change == pytest.approx(40.0)


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection(wave="nope"), "There is no wave 'nope'."),
        (Selection(survey_id="cvs", period="2026-13"), "is not a period"),
        (Selection(survey_id="unknown"), "Unknown survey 'unknown'"),
    ],
)
async def test_a_selection_that_names_nothing_is_refused_with_a_reason(
    storage: Storage, config: Config, selection: Selection, message: str
) -> None:
    await add_cvs(storage, [(7, 7, 7)] * 5)
    with pytest.raises(ReportError, match=message):
        await report(storage, config, selection)


async def test_an_empty_database_says_how_to_start(storage: Storage, config: Config) -> None:
    with pytest.raises(ReportError, match="No responses yet"):
        await report(storage, config)


async def test_an_earlier_wave_where_someone_skipped_a_cvs_question(
    storage: Storage, config: Config
) -> None:
    first = await add_wave(storage, "cvs", "Q2", NOW - timedelta(days=120))
    await add_cvs(storage, [(7, 7, 7)] * 5, wave_id=first, when=NOW - timedelta(days=110))
    # A sixth respondent (an imported answer sheet) gave only satisfaction 1: the CVS of
    # Q2 counts the five who answered all three, 7.0, not (5 * 7 + 1) / 6 for satisfaction.
    await add_response(storage, "cvs", {"satisfaction": 1}, wave_id=first)
    second = await add_wave(storage, "cvs", "Q3", NOW - timedelta(days=20))
    await add_cvs(storage, [(8, 8, 8)] * 5, wave_id=second, when=NOW - timedelta(days=10))
    r = await report(storage, config)
    cvs = r.trend.get("cvs")
    assert cvs is not None
    first_point = cvs.points[0]
    assert first_point.n == 5 and first_point.figures is not None
    assert first_point.figures.value == pytest.approx(7.0)
    assert r.cvs is not None and r.cvs.figures is not None and r.cvs.figures.passing
    assert r.cvs.figures.passing.previous == pytest.approx(7.0)
