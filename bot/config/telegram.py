"""Parsers for the Telegram channel's settings (kept out of `bot.config.settings` to keep its table
short); each raises `ValueError` with the reason `Config.from_env` prints."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.config.numbers import number, whole

_USER_ID = re.compile(r"^[1-9]\d{0,19}$")
_SURVEY_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def user_ids(raw: str) -> frozenset[str]:
    """Comma-separated Telegram user ids (numbers such as 123456789)."""
    ids = frozenset(p.strip() for p in raw.split(",") if p.strip())
    bad = sorted(i for i in ids if not _USER_ID.match(i))
    if bad:
        raise ValueError(f"{', '.join(bad)}: Telegram user ids are numbers such as 123456789")
    return ids


def api_url(raw: str) -> str:
    """The Bot API server's base URL, without the `/bot<token>` part."""
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL such as https://api.telegram.org")
    if parts.path.endswith("/bot"):
        raise ValueError("leave out /bot: the token path is added by Klantstem")
    return url


def webhook_url(raw: str) -> str | None:
    """The public https URL Telegram posts updates to; empty for polling."""
    url = raw.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError("must be a public https URL, e.g. https://bot.example.com/telegram")
    return url


def optional_survey(raw: str) -> str | None:
    """A survey id, or empty for none."""
    value = raw.strip()
    if not value:
        return None
    if not _SURVEY_ID.match(value):
        raise ValueError(f"{value!r} is not a survey id (lower-case letters, digits, _)")
    return value


def positive_number(raw: str) -> float:
    """A number above 0."""
    value = number(raw)
    if value <= 0:
        raise ValueError("must be a number above 0")
    return value


def attempts(raw: str) -> int:
    """How many times a call is tried, 1 or more."""
    value = whole(raw)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value
