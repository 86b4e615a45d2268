"""Breakdowns by imported attribute, by classification answer and by NPS group (G-R2, G-R3)."""

from __future__ import annotations

import pytest

from bot.config.settings import Config
from bot.reports import Selection
from bot.reports.model import Breakdown
from bot.storage import Storage
from tests.support.report_data import add_response, report

# segment, respondents, service grade(s), recommendation(s), customer since
PEOPLE: list[tuple[str | None, list[int], list[int], str]] = [
    ("A", [8, 8, 8, 7, 7, 6], [9, 9, 10, 8, 7, 3], "lt1"),
    ("B", [5] * 5, [6] * 5, "gt3"),
    ("C", [9, 9], [9, 9], "gt3"),
    (None, [4], [2], "gt3"),
]


async def seed(storage: Storage) -> None:
    for segment, grades, recommendations, since in PEOPLE:
        for grade, recommendation in zip(grades, recommendations, strict=True):
            answers = {
                "satisfaction": 7,
                "loyalty": 7,
                "recommendation": recommendation,
                "service": grade,
                "customer_since": since,
            }
            attributes = {"segment": segment} if segment else {}
            await add_response(storage, "kto", answers, attributes=attributes)


def column(b: Breakdown, key: str) -> dict[str, tuple[int, float | None]]:
    found = next(c for c in b.columns if c.key == key)
    return {label: (g.n, g.figures) for label, g in found.groups.items()}


def find(breakdowns: list[Breakdown], kind: str) -> Breakdown:
    return next(b for b in breakdowns if b.kind == kind)


async def test_small_groups_and_the_group_that_would_reveal_them_are_hidden(
    storage: Storage, config: Config
) -> None:
    await seed(storage)
    r = await report(storage, config, Selection(survey_id="kto"))
    by_segment = find(r.breakdowns, "attribute")
    assert by_segment.key == "segment" and by_segment.labels == ["A", "B", "C", ""]
    service = column(by_segment, "service")
    # A: (8 + 8 + 8 + 7 + 7 + 6) / 6. C (2) and the respondent without a segment (1) are
    # below 5; together 3, so B (5) is withheld too: total minus A would reveal them.
    assert service["A"] == (6, pytest.approx(44 / 6))
    assert service["B"] == (5, None)
    assert service["C"] == (2, None)
    assert service[""] == (1, None)


async def test_breakdown_by_the_answer_to_a_classification_question(
    storage: Storage, config: Config
) -> None:
    await seed(storage)
    r = await report(storage, config, Selection(survey_id="kto"))
    by_since = find(r.breakdowns, "classification")
    assert by_since.key == "customer_since" and by_since.labels == ["lt1", "gt3"]
    service = column(by_since, "service")
    # lt1 is segment A; gt3 holds B, C and the one without a segment: (25 + 18 + 4) / 8.
    assert service == {"lt1": (6, pytest.approx(44 / 6)), "gt3": (8, pytest.approx(47 / 8))}


async def test_how_promoters_passives_and_detractors_graded(
    storage: Storage, config: Config
) -> None:
    await seed(storage)
    r = await report(storage, config, Selection(survey_id="kto"))
    by_group = find(r.breakdowns, "nps_group")
    assert by_group.labels == ["promoter", "passive", "detractor"]
    assert [c.key for c in by_group.columns][:1] == ["service"]
    service = column(by_group, "service")
    # Passives (8, 7 of segment A) are 2: hidden, and the smallest other group with them.
    # Promoters 9, 9, 10 of A and 9, 9 of C: 5 people, withheld (smaller than 7).
    # Detractors: A's 3 (grade 6), B's five 6s (grade 5), the 2 (grade 4): 35 / 7.
    assert service["passive"] == (2, None)
    assert service["promoter"] == (5, None)
    assert service["detractor"] == (7, pytest.approx(5.0))


async def test_a_larger_minimum_hides_more(storage: Storage, config: Config) -> None:
    await seed(storage)
    strict = Config.from_env({"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_MIN_GROUP_SIZE": "7"})
    r = await report(storage, strict, Selection(survey_id="kto"))
    service = column(find(r.breakdowns, "classification"), "service")
    # lt1 has 6 < 7: hidden, so gt3 (8) is withheld as well.
    assert service == {"lt1": (6, None), "gt3": (8, None)}
