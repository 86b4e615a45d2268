"""Histograms of scores and the count, mean and spread computed from them.

Storage answers a GROUP BY with one histogram per group; every figure in this
package starts from such histograms, never from per-answer lists.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

Histogram: TypeAlias = Mapping[int, int]
"""Score -> number of respondents who gave that score; every count is positive."""

EPSILON = 1e-9
"""Tolerance for threshold comparisons, far below any difference a report shows."""


@dataclass(frozen=True)
class Summary:
    """Respondent count, mean and sample standard deviation (n - 1 denominator).

    mean is None when n == 0; sd is None when n < 2.
    """

    n: int
    mean: float | None
    sd: float | None


def at_least(value: float, threshold: float) -> bool:
    """Whether value reaches threshold, forgiving float error (7.0 - 6.0 may not be 1.0)."""
    return value >= threshold - EPSILON


def check_score(score: int, low: int, high: int) -> None:
    """Raise ValueError unless low <= score <= high."""
    if not low <= score <= high:
        raise ValueError(f"score {score} is outside the scale {low}..{high}")


def check_scale(h: Histogram, low: int, high: int) -> None:
    """Raise ValueError if any score of h lies outside low..high."""
    for score in h:
        check_score(score, low, high)


def count(h: Histogram) -> int:
    """Number of respondents in h; ValueError if a count is zero or negative."""
    for score, respondents in h.items():
        if respondents <= 0:
            raise ValueError(f"count for score {score} must be positive, got {respondents}")
    return sum(h.values())


def nonzero(counts: Mapping[int, int]) -> dict[int, int]:
    """Histogram from counts that may include empty categories (which are left out)."""
    return {score: c for score, c in counts.items() if c != 0}


def summarize(h: Histogram) -> Summary:
    """Count, mean and sample standard deviation of the scores in h."""
    n = count(h)
    if n == 0:
        return Summary(0, None, None)
    total = sum(score * c for score, c in h.items())
    squares = sum(score * score * c for score, c in h.items())
    mean = total / n
    if n < 2:
        return Summary(n, mean, None)
    # Integer sums keep n*sum(x^2) - sum(x)^2 exact: no cancellation error, never negative.
    variance = (n * squares - total * total) / (n * (n - 1))
    return Summary(n, mean, math.sqrt(variance))


def merge(*hs: Histogram) -> dict[int, int]:
    """One histogram holding the respondents of all given histograms, sorted by score."""
    merged: dict[int, int] = {}
    for h in hs:
        count(h)
        for score, c in h.items():
            merged[score] = merged.get(score, 0) + c
    return dict(sorted(merged.items()))
