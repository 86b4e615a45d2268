"""UTC timestamps as fixed-width ISO text: portable across backends and sortable as text."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Store a moment as 'YYYY-MM-DDTHH:MM:SSZ' in UTC; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time must carry its timezone")
    return moment.astimezone(UTC).strftime(_FORMAT)


def day_text(moment: datetime) -> str:
    """The UTC day of a moment, as a stored time at midnight: anonymous answers keep no more."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT00:00:00Z")


def hour_text(moment: datetime) -> str:
    """The UTC hour of a moment, as a stored time: dedupe keys need no more to be pruned."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")


def from_text(text: str) -> datetime:
    """Read a time stored by `to_text`."""
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
