"""Small-group suppression, so no report exposes an anonymous respondent (G-R5).

Reports get figures only through a Group: guard() never computes the figures of a
group it must hide, and a Group refuses to be built with figures it must not show. The
count stays visible so readers know why a row is empty.

A group shows figures only when it has at least `min_group` respondents and its
anonymous part is 0 or at least `min_group`. Named answers are visible elsewhere (flag
alerts, exports), so a group of 4 named and 1 anonymous respondent would reveal the
anonymous one's answers to anyone who subtracts the 4 named ones; a group without
anonymous respondents exposes nobody who was promised anonymity.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_MIN_GROUP = 5
ABSOLUTE_MIN_GROUP = 3


def check_min_group(min_group: int) -> int:
    """Return min_group, or raise ValueError when it is below ABSOLUTE_MIN_GROUP."""
    if min_group < ABSOLUTE_MIN_GROUP:
        raise ValueError(
            f"minimum group size must be at least {ABSOLUTE_MIN_GROUP}, got {min_group}"
        )
    return min_group


def may_show(n: int, anonymous: int, min_group: int) -> bool:
    """Whether a group of n respondents, `anonymous` of them anonymous, may show figures."""
    return n >= min_group and (anonymous == 0 or anonymous >= min_group)


@dataclass(frozen=True)
class Group(Generic[T]):
    """A labelled group of n respondents (`anonymous` of them answered anonymously);
    figures is None when suppressed."""

    label: str
    n: int
    figures: T | None
    suppressed: bool
    min_group: int = DEFAULT_MIN_GROUP
    anonymous: int = 0

    def __post_init__(self) -> None:
        check_min_group(self.min_group)
        if self.n < 0:
            raise ValueError(f"group {self.label!r} has a negative count {self.n}")
        if not 0 <= self.anonymous <= self.n:
            raise ValueError(
                f"group {self.label!r} of {self.n} cannot have {self.anonymous} anonymous"
            )
        if not self.suppressed and not may_show(self.n, self.anonymous, self.min_group):
            raise ValueError(
                f"group {self.label!r} of {self.n} ({self.anonymous} anonymous) must be suppressed"
            )
        if self.suppressed and self.figures is not None:
            raise ValueError(f"suppressed group {self.label!r} cannot carry figures")


def guard(
    label: str,
    n: int,
    compute: Callable[[], T],
    min_group: int = DEFAULT_MIN_GROUP,
    *,
    anonymous: int,
) -> Group[T]:
    """A Group with compute()'s figures; if the group is small or its anonymous part is
    (1 to min_group - 1), a suppressed one (compute not called)."""
    check_min_group(min_group)
    if not may_show(n, anonymous, min_group):
        return Group(label, n, None, suppressed=True, min_group=min_group, anonymous=anonymous)
    return Group(label, n, compute(), suppressed=False, min_group=min_group, anonymous=anonymous)


def withhold(group: Group[T]) -> Group[T]:
    """The same group with its figures hidden, e.g. to protect a suppressed neighbour."""
    return replace(group, figures=None, suppressed=True)
