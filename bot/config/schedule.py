"""Parsers and value types for the settings of waves, interactions and follow-up.

Kept apart from `bot.config.settings` so the config table stays one readable list; each parser
raises `ValueError` with a reason that `Config.from_env` prints next to the variable.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config.numbers import duration, number, whole
from bot.people.population import PopulationError, parse_filters

_SURVEY_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off", ""}


@dataclass(frozen=True)
class ChatAddress:
    """A chat on one platform: `telegram:-1001234` or `slack:C0123`."""

    channel: str
    address: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


@dataclass(frozen=True)
class QuietHours:
    """A daily window (local time) in which nobody is sent an invitation or reminder."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """Whether a local time of day falls in the window (which may span midnight)."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, timezone: str) -> datetime:
        """`moment` itself outside the window, else the window's end in `timezone`."""
        local = moment.astimezone(ZoneInfo(timezone))
        if not self.contains(local.time().replace(tzinfo=None)):
            return moment
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end = (local + timedelta(days=1)).replace(
                hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
            )
        # Rebuild from the wall clock so a DST change in between keeps the local end time.
        wall = datetime(end.year, end.month, end.day, end.hour, end.minute)
        return wall.replace(tzinfo=ZoneInfo(timezone)).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class ScheduledWave:
    """A wave that starts by itself: survey, population filters and a cron expression."""

    survey: str
    filters: tuple[tuple[str, str], ...]
    cron: str

    @property
    def key(self) -> str:
        """A stable name for this entry (changes when the entry changes)."""
        text = f"{self.survey}|{self.filters}|{self.cron}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def trigger(self, timezone: str) -> CronTrigger:
        """The APScheduler trigger of this entry, in the configured time zone."""
        return CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(timezone))


def days(raw: str) -> timedelta:
    """A whole or fractional number of days, 0 or more."""
    value = number(raw)
    if value < 0:
        raise ValueError("must be 0 or more days")
    return duration(value, "days")


def positive_days(raw: str) -> timedelta:
    """A number of days above 0."""
    value = days(raw)
    if value <= timedelta(0):
        raise ValueError("must be a positive number of days")
    return value


def seconds(raw: str) -> timedelta:
    """A positive number of seconds."""
    value = number(raw)
    if value <= 0:
        raise ValueError("must be a positive number of seconds")
    return duration(value, "seconds")


def hours(raw: str) -> timedelta:
    """A number of hours, 0 or more."""
    value = number(raw)
    if value < 0:
        raise ValueError("must be 0 or more hours")
    return duration(value, "hours")


def yes_no(raw: str) -> bool:
    """yes/no, true/false, on/off, 1/0."""
    word = raw.strip().lower()
    if word not in _YES | _NO:
        raise ValueError("must be yes or no")
    return word in _YES


def score(raw: str) -> int:
    """A score on the 0-10 scale."""
    value = whole(raw)
    if not 0 <= value <= 10:
        raise ValueError("must be a score from 0 to 10")
    return value


def gap(raw: str) -> float:
    """A positive difference in grade points."""
    value = number(raw)
    if value <= 0:
        raise ValueError("must be a positive number of grade points")
    return value


def _clock_time(raw: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())
    hour, minute = (whole(g) for g in match.groups()) if match else (-1, -1)
    if not 0 <= hour <= 23 or not 0 <= minute <= 59:
        raise ValueError(f"{raw.strip()!r} is not a time of day such as 08:00")
    return time(hour, minute)


def time_of_day(raw: str) -> time | None:
    """`08:00`, or empty/off for none."""
    if raw.strip().lower() in {"", "off", "no"}:
        return None
    return _clock_time(raw)


def quiet_hours(raw: str) -> QuietHours | None:
    """`21:00-08:00`, or empty/off for none."""
    if raw.strip().lower() in {"", "off", "no"}:
        return None
    start, sep, end = raw.partition("-")
    if not sep:
        raise ValueError("must be a window such as 21:00-08:00, or off")
    window = QuietHours(_clock_time(start), _clock_time(end))
    if window.start == window.end:
        raise ValueError("start and end must differ")
    return window


def chat_address(raw: str) -> ChatAddress | None:
    """`telegram:-1001234` or `slack:C0123`; empty for none."""
    if not raw.strip():
        return None
    channel, sep, address = raw.strip().partition(":")
    if not sep or not channel or not address:
        raise ValueError("must be CHANNEL:ADDRESS such as telegram:-1001234 or slack:C0123")
    return ChatAddress(channel.lower(), address)


def survey_id(raw: str) -> str:
    """One survey id."""
    value = raw.strip()
    if not _SURVEY_ID.match(value):
        raise ValueError(f"{value!r} is not a survey id (lower-case letters, digits, _)")
    return value


def words(raw: str) -> tuple[str, ...]:
    """A comma-separated list of ids."""
    items = tuple(w.strip() for w in raw.split(",") if w.strip())
    bad = [w for w in items if not _SURVEY_ID.match(w)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not an id (lower-case letters, digits, _)")
    return items


def survey_days(raw: str) -> dict[str, timedelta]:
    """`csat=7,ces=14`: days per survey id."""
    out: dict[str, timedelta] = {}
    for item in (i.strip() for i in raw.split(",") if i.strip()):
        survey, sep, value = item.partition("=")
        if not sep or not _SURVEY_ID.match(survey.strip()):
            raise ValueError(f"{item!r} must be SURVEY=DAYS such as csat=7")
        out[survey.strip()] = days(value)
    return out


def wave_schedule(raw: str) -> tuple[ScheduledWave, ...]:
    """`cvs @ 0 9 1 1,4,7,10 *; kto segment=retail @ 0 9 15 2 *` (survey, filters, cron)."""
    entries = []
    for item in (i.strip() for i in raw.split(";") if i.strip()):
        head, sep, cron = item.partition("@")
        parts = head.split()
        if not sep or not parts or not _SURVEY_ID.match(parts[0]):
            raise ValueError(f"{item!r} must be SURVEY [key=value ...] @ CRON")
        try:
            filters = parse_filters(parts[1:])
            CronTrigger.from_crontab(cron.strip())
        except PopulationError as exc:
            raise ValueError(f"{item!r}: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"{item!r}: the cron expression is not valid ({exc})") from None
        entries.append(ScheduledWave(parts[0], tuple(sorted(filters.items())), cron.strip()))
    return tuple(entries)
