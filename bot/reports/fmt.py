"""Figures as a reader sees them, in the report language (Babel through `bot.i18n`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from bot import i18n

DASH = "\u2013"


def score(value: float | None, language: str) -> str:
    """7.4 / 7,4; a dash when there is no figure."""
    return DASH if value is None else i18n.score(value, language)


def signed(value: float | None, language: str) -> str:
    """A change with its sign and one decimal: +0.4, -1.2 (with a real minus sign), 0.0."""
    if value is None:
        return DASH
    text = format_decimal(abs(value), format="#,##0.0", locale=language)
    if round(value, 1) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def whole(value: float | None, language: str, *, sign: bool = False) -> str:
    """A whole number such as an NPS (+12, -30) or a count."""
    if value is None:
        return DASH
    text = format_decimal(abs(round(value)), format="#,##0", locale=language)
    if not sign or round(value) == 0:
        return text if value >= 0 or round(value) == 0 else "\u2212" + text
    return ("+" if value > 0 else "\u2212") + text


def share(value: float | None, language: str) -> str:
    """A 0..1 share as a percentage: 62% / 62 %."""
    return DASH if value is None else i18n.percent(value, language)


def margin(value: float | None, language: str, *, digits: int = 1) -> str:
    """A margin of error: ±0.3."""
    if value is None:
        return DASH
    pattern = "#,##0.0" if digits == 1 else "#,##0"
    return "\u00b1" + format_decimal(value, format=pattern, locale=language)


def day(value: datetime | None, language: str, timezone: str) -> str:
    """A date as the locale writes it: 2 Nov 2026 / 2 nov 2026."""
    if value is None:
        return DASH
    return format_date(value.astimezone(ZoneInfo(timezone)), format="medium", locale=language)
