"""Net Promoter Score on the 0-10 recommendation question (G-M5).

The margin of error treats each answer as +1 (promoter), 0 (passive) or -1
(detractor) and uses the sample variance of those values, the same estimator as
the margin of a mean. When every respondent is in one group it is 0.
"""

from dataclasses import dataclass
from enum import StrEnum

from scoring.margin import margin_of_error
from scoring.stats import Histogram, check_score, count, nonzero, summarize

PROMOTER_FROM = 9
PASSIVE_FROM = 7


class NpsGroup(StrEnum):
    """The three groups of the recommendation question."""

    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


@dataclass(frozen=True)
class NpsResult:
    """Group counts and NPS (% promoters minus % detractors, -100..100; None when n == 0)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None


def nps_group(
    score: int, *, promoter_from: int = PROMOTER_FROM, passive_from: int = PASSIVE_FROM
) -> NpsGroup:
    """The group of one 0-10 answer: promoter 9-10, passive 7-8, detractor 0-6 by default."""
    check_score(score, 0, 10)
    if not 0 <= passive_from <= promoter_from <= 10:
        raise ValueError(
            f"need 0 <= passive_from ({passive_from}) <= promoter_from ({promoter_from}) <= 10"
        )
    if score >= promoter_from:
        return NpsGroup.PROMOTER
    if score >= passive_from:
        return NpsGroup.PASSIVE
    return NpsGroup.DETRACTOR


def net_promoter_score(
    h: Histogram, *, promoter_from: int = PROMOTER_FROM, passive_from: int = PASSIVE_FROM
) -> NpsResult:
    """NPS of a histogram of 0-10 recommendation answers."""
    n = count(h)
    groups = dict.fromkeys(NpsGroup, 0)
    for score, respondents in h.items():
        group = nps_group(score, promoter_from=promoter_from, passive_from=passive_from)
        groups[group] += respondents
    promoters, detractors = groups[NpsGroup.PROMOTER], groups[NpsGroup.DETRACTOR]
    return NpsResult(
        n=n,
        promoters=promoters,
        passives=groups[NpsGroup.PASSIVE],
        detractors=detractors,
        nps=None if n == 0 else 100 * (promoters - detractors) / n,
    )


def nps_margin_of_error(
    result: NpsResult, population: int | None = None, confidence: float = 0.95
) -> float | None:
    """Margin of error of the NPS in NPS points; None for fewer than 2 respondents."""
    values = {1: result.promoters, 0: result.passives, -1: result.detractors}
    margin = margin_of_error(summarize(nonzero(values)), population, confidence)
    return None if margin is None else 100 * margin
