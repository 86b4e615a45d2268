"""Pulse figures asked right after one interaction (G-M5): CSAT and CES.

The CSAT margin of error treats each answer as 1 (satisfied) or 0, like the NPS
margin treats its three groups; it is in percentage points.
"""

from dataclasses import dataclass

from scoring.margin import margin_of_error
from scoring.stats import Histogram, Summary, check_scale, count, nonzero, summarize

CSAT_LOW, CSAT_HIGH = 1, 5
CES_LOW, CES_HIGH = 1, 7
SATISFIED_FROM = 4


@dataclass(frozen=True)
class CsatResult:
    """Respondents, how many were satisfied, and CSAT in % (None when n == 0)."""

    n: int
    satisfied: int
    csat: float | None


def csat(h: Histogram, *, satisfied_from: int = SATISFIED_FROM) -> CsatResult:
    """Share of 1-5 answers at satisfied_from or above (4-5 by default), in %."""
    check_scale(h, CSAT_LOW, CSAT_HIGH)
    n = count(h)
    satisfied = sum(c for score, c in h.items() if score >= satisfied_from)
    return CsatResult(n, satisfied, None if n == 0 else 100 * satisfied / n)


def csat_margin_of_error(
    result: CsatResult, population: int | None = None, confidence: float = 0.95
) -> float | None:
    """Margin of error of the CSAT in percentage points; None for fewer than 2 respondents."""
    values = {1: result.satisfied, 0: result.n - result.satisfied}
    margin = margin_of_error(summarize(nonzero(values)), population, confidence)
    return None if margin is None else 100 * margin


def ces(h: Histogram) -> Summary:
    """Customer effort: mean and sd of 1-7 answers."""
    check_scale(h, CES_LOW, CES_HIGH)
    return summarize(h)
