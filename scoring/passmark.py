"""The pass-mark rule for the CVS and each KTO dimension grade (G-P1, G-P2).

A figure passes at 7.0 or more, or when it rose by at least 10 percentage points
over the previous wave of the same survey. A score is read as a percentage of the
scale's top (a grade 7 is 70 %), so 10 percentage points are 1.0 on both the 0-10
CVS scale and the 1-10 grade scale, as the guideline's "1.0 on the 0-10 scale" and
its "same rule for each dimension grade" say.
The rule judges the unrounded figure; a report rounding 6.96 to "7.0" should
show the pass flag rather than let readers infer it.
"""

from dataclasses import dataclass

from scoring.stats import EPSILON, at_least

PASS_MARK = 7.0
IMPROVEMENT_SHARE = 0.10


@dataclass(frozen=True)
class PassResult:
    """Whether a figure passed, and why: by level, by improvement, or both.

    change is value - previous, None when either is unknown.
    """

    value: float | None
    previous: float | None
    passed: bool
    by_level: bool
    by_improvement: bool
    change: float | None


def required_improvement(high: float = 10.0) -> float:
    """The rise that counts as +10 pp on a scale whose top is `high`."""
    return IMPROVEMENT_SHARE * high


def assess(
    value: float | None,
    previous: float | None = None,
    *,
    low: float = 0.0,
    high: float = 10.0,
    mark: float = PASS_MARK,
) -> PassResult:
    """Judge value against the pass mark and against previous (None: no previous wave)."""
    if not low < high:
        raise ValueError(f"scale needs low < high, got {low}..{high}")
    for figure in (value, previous):
        if figure is not None and not low - EPSILON <= figure <= high + EPSILON:
            raise ValueError(f"figure {figure} lies outside the scale {low}..{high}")
    change = None if value is None or previous is None else value - previous
    by_level = value is not None and at_least(value, mark)
    by_improvement = change is not None and at_least(change, required_improvement(high))
    return PassResult(
        value=value,
        previous=previous,
        passed=by_level or by_improvement,
        by_level=by_level,
        by_improvement=by_improvement,
        change=change,
    )
