"""Recommendations follow from the figures and never ask for what cannot be done."""

from __future__ import annotations

from bot.config.settings import Config
from bot.storage import Storage
from bot.storage.records import NewResponse, StoredAnswer
from tests.support.report_data import NOW, add_cvs, report

# Five respondents, recommendation 3, 4, 5, 9, 2: four detractors, one promoter, NPS -60.
DETRACTORS = [(5, 5, 3), (5, 5, 4), (6, 6, 5), (9, 9, 9), (4, 4, 2)]


async def test_an_all_anonymous_negative_nps_does_not_ask_to_call_anyone(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, DETRACTORS)
    result = await report(storage, config)
    assert "call_detractors" not in {f.code for f in result.recommendations}


async def test_named_detractors_are_to_be_called(storage: Storage, config: Config) -> None:
    # Five anonymous and one named: the anonymous part reaches the minimum, so the NPS shows.
    await add_cvs(storage, DETRACTORS)
    async with storage.transaction() as tx:
        identity = await tx.ensure_identity("telegram", "42", NOW)
        await tx.store_response(
            NewResponse(
                "cvs",
                1,
                None,
                False,
                None,
                identity.id,
                "en",
                {},
                NOW,
                (
                    StoredAnswer("satisfaction", score=4),
                    StoredAnswer("loyalty", score=4),
                    StoredAnswer("recommendation", score=2),
                ),
            )
        )
    result = await report(storage, config)
    assert "call_detractors" in {f.code for f in result.recommendations}
