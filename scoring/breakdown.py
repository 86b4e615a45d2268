"""Report breakdowns (G-R2, G-R3): per group label, and per wave as a trend.

A breakdown partitions a total that the report also shows, so hiding only the
small groups is not enough: total minus the shown groups would reveal them. When
any group is suppressed, the smallest shown groups are withheld too until the
hidden respondents together reach the minimum size and their anonymous part is 0 or
reaches it as well (the smallest with anonymous respondents first, while that part is
short). Trend rows are separate waves of different respondents and need no such
protection; a wave after a suppressed one is judged without its predecessor, whose
mean must stay hidden.

`anonymous` maps a group's label to how many of its respondents answered anonymously
(a label that is not there has none).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from scoring.passmark import PassResult, assess
from scoring.stats import Histogram, Summary, count, summarize
from scoring.suppression import (
    DEFAULT_MIN_GROUP,
    Group,
    check_min_group,
    guard,
    may_show,
    withhold,
)

T = TypeVar("T")


@dataclass(frozen=True)
class WaveResult:
    """One wave's figures and its pass result against the previous shown wave."""

    summary: Summary
    passing: PassResult


def breakdown(
    histograms: Mapping[str, Histogram],
    *,
    anonymous: Mapping[str, int],
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[Group[Summary]]:
    """Summary per group label (attribute value, NPS group, answer), sorted by label."""
    return breakdown_by(histograms, summarize, anonymous=anonymous, min_group=min_group)


def breakdown_by(
    histograms: Mapping[str, Histogram],
    figures: Callable[[Histogram], T],
    *,
    anonymous: Mapping[str, int],
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[Group[T]]:
    """Like breakdown, with any figures (e.g. net_promoter_score) computed per group."""
    check_min_group(min_group)
    rows = [
        guard(label, count(h), partial(figures, h), min_group, anonymous=anonymous.get(label, 0))
        for label, h in sorted(histograms.items())
    ]
    return _protect_complement(rows, min_group)


def _protect_complement(rows: list[Group[T]], min_group: int) -> list[Group[T]]:
    hidden = [r for r in rows if r.suppressed]
    if not any(r.n for r in hidden):
        return rows
    n, anonymous = sum(r.n for r in hidden), sum(r.anonymous for r in hidden)
    shown = sorted((r for r in rows if not r.suppressed), key=lambda r: (r.n, r.label))
    withheld: set[str] = set()
    while not may_show(n, anonymous, min_group):
        helping = [r for r in shown if r.anonymous] if 0 < anonymous < min_group else shown
        if not helping:
            # Every anonymous respondent of the breakdown is hidden already, fewer than the
            # minimum: the total shows no figures either, so nothing can be subtracted.
            break
        row = helping[0]
        shown.remove(row)
        withheld.add(row.label)
        n, anonymous = n + row.n, anonymous + row.anonymous
    return [withhold(row) if row.label in withheld else row for row in rows]


def trend(
    waves: Sequence[tuple[str, Histogram]],
    *,
    anonymous: Mapping[str, int],
    figures: Callable[[Histogram], Summary] = summarize,
    low: float = 0.0,
    high: float = 10.0,
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[Group[WaveResult]]:
    """Waves in the given order, each judged by the pass-mark rule against the one before.

    Use figures=wave_cvs for CVS sum histograms, and low=1 for 1-10 dimension grades.
    """
    counted = [
        (label, count(h), anonymous.get(label, 0), partial(figures, h)) for label, h in waves
    ]
    return trend_of(counted, low=low, high=high, min_group=min_group)


def trend_of(
    waves: Sequence[tuple[str, int, int, Callable[[], Summary]]],
    *,
    low: float = 0.0,
    high: float = 10.0,
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[Group[WaveResult]]:
    """Like trend, for waves given as (label, respondents, anonymous respondents, a function
    computing the summary), where a wave's figures do not come from one histogram; the
    function of a hidden wave is never called."""
    rows: list[Group[WaveResult]] = []
    previous: float | None = None
    for label, n, anonymous, figures in waves:
        compute = partial(_wave_result, figures, previous, low, high)
        row = guard(label, n, compute, min_group, anonymous=anonymous)
        previous = None if row.figures is None else row.figures.summary.mean
        rows.append(row)
    return rows


def _wave_result(
    figures: Callable[[], Summary], previous: float | None, low: float, high: float
) -> WaveResult:
    summary = figures()
    return WaveResult(summary, assess(summary.mean, previous, low=low, high=high))
