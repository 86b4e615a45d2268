"""Margin of error of a mean and the response rate, for the research report (G-R1).

The population is the number of people invited to the wave. When it is unknown,
or smaller than the number of respondents (an open link, or contacts added after
the invitations went out), no finite population correction is applied: the
invited count does not describe the population, and the uncorrected margin is the
wider, safer one. For the same reason response_rate is None in that case.
"""

import math
from statistics import NormalDist

from scoring.stats import Summary


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level (0.95 -> 1.96)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf((1 + confidence) / 2)


def margin_of_error(
    summary: Summary, population: int | None = None, confidence: float = 0.95
) -> float | None:
    """Half-width of the confidence interval of summary.mean; None when sd is undefined."""
    z = z_value(confidence)
    if population is not None and population < 0:
        raise ValueError(f"population must not be negative, got {population}")
    n, sd = summary.n, summary.sd
    if sd is None or n < 2:
        return None
    correction = 1.0
    if population is not None and n <= population:
        correction = math.sqrt((population - n) / (population - 1))
    return z * sd / math.sqrt(n) * correction


def response_rate(completed: int, invited: int) -> float | None:
    """Share of invited people who completed (0..1); None when invited is 0 or too small."""
    if completed < 0 or invited < 0:
        raise ValueError(f"counts must not be negative, got {completed} of {invited}")
    if invited == 0 or completed > invited:
        return None
    return completed / invited
