"""Report figures over the API: the JSON report with a read token, small groups
suppressed, and a clear 422 for a report that cannot be made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.app import App
from bot.storage.records import NewResponse, StoredAnswer
from tests.support.api_server import LiveApp, live_config, serve


@pytest.fixture
def live(db_url: str) -> Iterator[LiveApp]:
    with serve(live_config(db_url)) as running:
        yield running


def answered(live: LiveApp, scores: list[int], *, anonymous: bool = True) -> None:
    """Store CVS responses (anonymous unless told), each with the same score on all three
    questions."""

    async def store(app: App) -> None:
        async with app.storage.transaction() as tx:
            for score in scores:
                await tx.store_response(
                    NewResponse(
                        survey_id="cvs",
                        survey_version=app.surveys["cvs"].version,
                        wave_id=None,
                        anonymous=anonymous,
                        contact_id=None,
                        identity_id=None,
                        language="en",
                        attributes={},
                        completed_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
                        answers=tuple(
                            StoredAnswer(q, score=score)
                            for q in ("satisfaction", "loyalty", "recommendation")
                        ),
                    )
                )

    live.run(store)


def report(live: LiveApp, **query: str) -> httpx.Response:
    return httpx.get(f"{live.url}/api/v1/reports", params=query, headers=live.auth("read"))


def test_the_report_figures_of_a_survey(live: LiveApp) -> None:
    answered(live, [6, 7, 8, 9, 10])
    response = report(live, survey="cvs", language="nl")
    assert response.status_code == 200
    cvs = response.json()["totals"]["cvs"]
    assert cvs["n"] == 5
    assert cvs["suppressed"] is False
    assert cvs["mean"] == pytest.approx(8.0)


def test_a_small_group_is_suppressed(live: LiveApp) -> None:
    answered(live, [3, 9])
    cvs = report(live, survey="cvs").json()["totals"]["cvs"]
    assert cvs["n"] == 2
    assert cvs["suppressed"] is True
    assert cvs["mean"] is None


def test_one_anonymous_among_four_named_is_suppressed(live: LiveApp) -> None:
    # Minus the four named answers, the figures would be the anonymous one's own.
    answered(live, [8, 9, 7, 8], anonymous=False)
    answered(live, [1])
    data = report(live, survey="cvs").json()
    assert data["respondents"]["named"] == 4 and data["respondents"]["anonymous"] == 1
    assert data["totals"]["cvs"]["n"] == 5
    assert data["totals"]["cvs"]["suppressed"] is True
    assert data["totals"]["cvs"]["mean"] is None
    assert data["totals"]["nps"]["nps"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [({"survey": "nope"}, "survey"), ({"survey": "cvs", "period": "2026-13"}, "period")],
)
def test_a_report_that_cannot_be_made_is_422(
    live: LiveApp, query: dict[str, str], field: str
) -> None:
    answered(live, [8])
    response = report(live, **query)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "report_unavailable"
    assert error["field"] == field


def test_an_unknown_language_is_422(live: LiveApp) -> None:
    response = report(live, survey="cvs", language="xx")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "language"
