"""Follow-up compliance of flags (G-F2, G-F3): forwarded within a week, closed within a month.

A flag counts towards a deadline once the deadline has passed or the step was done: a
flag raised yesterday and not yet forwarded is not late, so it is left out rather than
counted as a miss. The shares are None when no flag was due. A flag closed before it
was forwarded (someone took it on themselves) counts as forwarded when it was closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

FORWARD_WITHIN = timedelta(days=7)
CLOSE_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class FlagDates:
    """When one flag was raised, forwarded and closed (None: not yet)."""

    raised: datetime
    forwarded: datetime | None = None
    closed: datetime | None = None


@dataclass(frozen=True)
class Compliance:
    """How many flags were due for each step, and how many made it in time."""

    raised: int
    forward_due: int
    forwarded_in_time: int
    close_due: int
    closed_in_time: int

    @property
    def forwarded_share(self) -> float | None:
        """Share (0..1) of due flags forwarded in time; None when none was due."""
        return None if self.forward_due == 0 else self.forwarded_in_time / self.forward_due

    @property
    def closed_share(self) -> float | None:
        """Share (0..1) of due flags closed in time; None when none was due."""
        return None if self.close_due == 0 else self.closed_in_time / self.close_due


def _judge(raised: datetime, done: datetime | None, within: timedelta, now: datetime) -> int:
    """1 in time, 0 late, -1 not due yet."""
    deadline = raised + within
    if done is not None and done <= deadline:
        return 1
    return 0 if (done is not None or now > deadline) else -1


def compliance(
    flags: Iterable[FlagDates],
    now: datetime,
    *,
    forward_within: timedelta = FORWARD_WITHIN,
    close_within: timedelta = CLOSE_WITHIN,
) -> Compliance:
    """Count, per deadline, the flags that were due by `now` and those done in time."""
    raised = forward_due = forwarded = close_due = closed = 0
    for flag in flags:
        raised += 1
        handed_on = min((d for d in (flag.forwarded, flag.closed) if d is not None), default=None)
        step = _judge(flag.raised, handed_on, forward_within, now)
        forward_due += step >= 0
        forwarded += step == 1
        step = _judge(flag.raised, flag.closed, close_within, now)
        close_due += step >= 0
        closed += step == 1
    return Compliance(raised, forward_due, forwarded, close_due, closed)
