"""Mirror survey: staff predictions of each KTO dimension against customer grades (G-M4, G-F4).

A positive gap means staff expect a higher grade than customers give. A gap row
shows the means of two groups, so mirror_rows suppresses it when either must be hidden
(small, or with an anonymous part of 1 to the minimum - 1).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from scoring.stats import Histogram, Summary, at_least, count, summarize
from scoring.suppression import DEFAULT_MIN_GROUP, Group, guard, may_show

DISCREPANCY_THRESHOLD = 1.0


@dataclass(frozen=True)
class MirrorGap:
    """Staff and customer figures for one dimension; gap is None when either has no answers."""

    dimension: str
    staff: Summary
    customers: Summary
    gap: float | None


def _dimensions(staff: Mapping[str, Histogram], customers: Mapping[str, Histogram]) -> list[str]:
    return list(dict.fromkeys([*customers, *staff]))


def mirror_gap(dimension: str, staff: Histogram, customers: Histogram) -> MirrorGap:
    """Gap of one dimension: staff prediction mean minus customer grade mean."""
    predicted, graded = summarize(staff), summarize(customers)
    gap = None
    if predicted.mean is not None and graded.mean is not None:
        gap = predicted.mean - graded.mean
    return MirrorGap(dimension, predicted, graded, gap)


def mirror_gaps(
    staff: Mapping[str, Histogram], customers: Mapping[str, Histogram]
) -> list[MirrorGap]:
    """Gaps for every dimension on either side, in the customers' then the staff's order."""
    return [
        mirror_gap(d, staff.get(d, {}), customers.get(d, {})) for d in _dimensions(staff, customers)
    ]


def mirror_rows(
    staff: Mapping[str, Histogram],
    customers: Mapping[str, Histogram],
    *,
    staff_anonymous: Mapping[str, int],
    customer_anonymous: Mapping[str, int],
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[Group[MirrorGap]]:
    """Report rows of mirror_gaps, hidden where either group must be hidden. A row's n and
    anonymous part are those of the side that hides it, else of the smaller side; the
    anonymous mappings give each side's anonymous respondents per dimension."""
    rows = []
    for d in _dimensions(staff, customers):
        predicted, graded = staff.get(d, {}), customers.get(d, {})
        sides = [
            (count(predicted), staff_anonymous.get(d, 0)),
            (count(graded), customer_anonymous.get(d, 0)),
        ]
        n, anonymous = min(sides, key=lambda s: (may_show(s[0], s[1], min_group), s[0]))
        compute = partial(mirror_gap, d, predicted, graded)
        rows.append(guard(d, n, compute, min_group, anonymous=anonymous))
    return rows


def discrepancies(
    gaps: Iterable[MirrorGap], threshold: float = DISCREPANCY_THRESHOLD
) -> list[MirrorGap]:
    """Gaps of at least threshold either way, largest first; these need an action plan."""
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    found = [g for g in gaps if g.gap is not None and at_least(abs(g.gap), threshold)]
    return sorted(found, key=lambda g: -abs(g.gap or 0.0))
