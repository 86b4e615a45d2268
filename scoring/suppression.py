"""Small-group suppression, so no report exposes an anonymous respondent (G-R5).

Reports get figures only through a Group: guard() never computes the figures of a
group below the minimum size, and a Group refuses to be built with figures it must
not show. The count stays visible so readers know why a row is empty.
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


@dataclass(frozen=True)
class Group(Generic[T]):
    """A labelled group of n respondents; figures is None when suppressed."""

    label: str
    n: int
    figures: T | None
    suppressed: bool
    min_group: int = DEFAULT_MIN_GROUP

    def __post_init__(self) -> None:
        check_min_group(self.min_group)
        if self.n < 0:
            raise ValueError(f"group {self.label!r} has a negative count {self.n}")
        if self.n < self.min_group and not self.suppressed:
            raise ValueError(f"group {self.label!r} of {self.n} must be suppressed")
        if self.suppressed and self.figures is not None:
            raise ValueError(f"suppressed group {self.label!r} cannot carry figures")


def guard(
    label: str, n: int, compute: Callable[[], T], min_group: int = DEFAULT_MIN_GROUP
) -> Group[T]:
    """A Group with compute()'s figures; if n is small, a suppressed one (compute not called)."""
    check_min_group(min_group)
    if n < min_group:
        return Group(label, n, None, suppressed=True, min_group=min_group)
    return Group(label, n, compute(), suppressed=False, min_group=min_group)


def withhold(group: Group[T]) -> Group[T]:
    """The same group with its figures hidden, e.g. to protect a suppressed neighbour."""
    return replace(group, figures=None, suppressed=True)
