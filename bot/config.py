"""Typed configuration from the environment, validated at start.

Every setting is declared once in `SETTINGS` (name, type, default, meaning); the README's
configuration table is that list. A missing or invalid value stops the start with a
message that names the variable. Secrets are wrapped so they never show in a repr or log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import LANGUAGES
from bot.storage import DEFAULT_URL


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


class Secret:
    """A value that must never be printed: repr and str show only that it is set."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


def _text(raw: str) -> str:
    return raw.strip()


def _language(raw: str) -> str:
    code = raw.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
    return code


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as Europe/Amsterdam") from None
    return raw.strip()


def _positive_hours(raw: str) -> timedelta:
    hours = float(raw)
    if hours <= 0:
        raise ValueError("must be a positive number of hours")
    return timedelta(hours=hours)


def _min_group(raw: str) -> int:
    value = int(raw)
    if value < 3:
        raise ValueError("must be 3 or more: smaller groups could expose anonymous answers")
    return value


def _paths(raw: str) -> tuple[Path, ...]:
    return tuple(Path(p.strip()) for p in raw.split(",") if p.strip())


def _secret(raw: str) -> Secret:
    if not raw.strip():
        raise ValueError("is empty")
    return Secret(raw.strip())


@dataclass(frozen=True)
class Setting:
    """One environment variable: its field, parser, default and meaning; `enables` marks
    a variable that switches a chat channel on."""

    env: str
    field: str
    parse: Callable[[str], Any]
    default: str | None
    help: str
    enables: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "KLANTSTEM_DATABASE_URL",
        "database_url",
        _text,
        DEFAULT_URL,
        "Where the data lives: `sqlite:///PATH` (relative) or `sqlite:////ABSOLUTE/PATH`.",
    ),
    Setting(
        "KLANTSTEM_LANGUAGE",
        "default_language",
        _language,
        "en",
        "Language when neither the platform nor the contact record gives one (nl, en, fr, de).",
    ),
    Setting(
        "KLANTSTEM_TIMEZONE",
        "timezone",
        _timezone,
        "Europe/Amsterdam",
        "Time zone in which dates are shown.",
    ),
    Setting(
        "KLANTSTEM_SURVEY_FILES",
        "survey_files",
        _paths,
        "",
        "Comma-separated `.toml`/`.json` files with custom surveys, checked at start.",
    ),
    Setting(
        "KLANTSTEM_SESSION_EXPIRY_HOURS",
        "session_expiry",
        _positive_hours,
        "336",
        "An unfinished conversation expires after this many hours (default 14 days).",
    ),
    Setting(
        "KLANTSTEM_MIN_GROUP_SIZE",
        "min_group_size",
        _min_group,
        "5",
        "Reports show no figures for groups smaller than this (3 or more).",
    ),
    Setting(
        "TELEGRAM_BOT_TOKEN",
        "telegram_token",
        _secret,
        None,
        "Token from BotFather; enables the Telegram channel.",
        enables=True,
    ),
)


@dataclass(frozen=True)
class Config:
    """All settings, typed."""

    database_url: str = DEFAULT_URL
    default_language: str = "en"
    timezone: str = "Europe/Amsterdam"
    survey_files: tuple[Path, ...] = ()
    session_expiry: timedelta = timedelta(days=14)
    min_group_size: int = 5
    telegram_token: Secret | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read every setting from `env` (pass `os.environ`); raises `ConfigError`."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None or (raw.strip() == "" and setting.default is None):
                if setting.default is None:
                    continue
                raw = setting.default
            try:
                values[setting.field] = setting.parse(raw)
            except ValueError as exc:
                reason = (
                    str(exc)
                    if str(exc) and "invalid literal" not in str(exc)
                    else ("is not a valid number")
                )
                raise ConfigError(f"{setting.env}={raw!r}: {reason}") from None
        return cls(**values)
