"""Typed configuration from the environment, validated at start.

Every setting is declared once in `SETTINGS` (name, field, parser, default, meaning); the
README's configuration table is that list. A default is written only there, as the text
an operator would set, and parsed by the setting's own parser like any other value:
`Config`'s fields have no defaults, so a `Config` is built only by `from_env` (or `load`),
and `Config.from_env({})` is every default. A setting whose default is `None` (only the
secrets) is unset, `None`, when the variable is missing or empty.

A missing or invalid value stops the start with a message that names the variable;
numbers go through `bot.config.numbers`, which refuses `nan`, `inf` and overflows.
Secrets are wrapped so they never show in a repr or log.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import http as hc
from bot.config import schedule as sc
from bot.config import telegram as tc
from bot.config.numbers import duration, number, whole
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
    hours = number(raw)
    if hours <= 0:
        raise ValueError("must be a positive number of hours")
    return duration(hours, "hours")


def _minutes(raw: str) -> timedelta:
    minutes = number(raw)
    if minutes < 0:
        raise ValueError("must be 0 or more minutes")
    return duration(minutes, "minutes")


def _min_group(raw: str) -> int:
    value = whole(raw)
    if value < 3:
        raise ValueError("must be 3 or more: smaller groups could expose anonymous answers")
    return value


def _period_unit(raw: str) -> str:
    unit = raw.strip().lower()
    if unit not in ("month", "quarter"):
        raise ValueError("must be month or quarter")
    return unit


def _percent(raw: str) -> float:
    value = number(raw.strip().rstrip("%"))
    if not 0 <= value <= 100:
        raise ValueError("must be a percentage from 0 to 100")
    return value / 100


def _paths(raw: str) -> tuple[Path, ...]:
    return tuple(Path(p.strip()) for p in raw.split(",") if p.strip())


def _slack_user_ids(raw: str) -> frozenset[str]:
    ids = frozenset(p.strip() for p in raw.split(",") if p.strip())
    bad = sorted(i for i in ids if not re.fullmatch(r"[UW][A-Z0-9]{2,20}", i))
    if bad:
        raise ValueError(f"{', '.join(bad)}: Slack user ids look like U024BE7LH")
    return ids


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
        "Where the data lives: `sqlite:///PATH` (relative), `sqlite:////ABSOLUTE/PATH`, or"
        " `postgresql://USER:PASSWORD@HOST:PORT/DATABASE` (see Scaling out).",
    ),
    Setting(
        "KLANTSTEM_LANGUAGE",
        "default_language",
        _language,
        "nl",
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
        "KLANTSTEM_REPORT_PERIOD",
        "report_period",
        _period_unit,
        "month",
        "Surveys sent after interactions report per `month` or per `quarter`.",
    ),
    Setting(
        "KLANTSTEM_REPORT_LOW_RESPONSE",
        "report_low_response",
        _percent,
        "30",
        "A report recommends raising the response rate when it is below this percentage.",
    ),
    Setting(
        "KLANTSTEM_CERTIFICATE_DAYS",
        "certificate_window",
        sc.positive_days,
        "365",
        "The certificate checklist judges the flags raised in this many days before a report.",
    ),
    Setting(
        "KLANTSTEM_STAFF_CHAT",
        "staff_chat",
        sc.chat_address,
        "",
        "Where flag alerts, digests and action plans go: `telegram:CHAT_ID` or `slack:CHANNEL_ID`.",
    ),
    Setting(
        "KLANTSTEM_SWEEP_SECONDS",
        "sweep_interval",
        sc.seconds,
        "30",
        "How often the scheduler picks up due invitations, reminders and flag deadlines.",
    ),
    Setting(
        "KLANTSTEM_OUTBOX_LEASE_SECONDS",
        "outbox_lease",
        sc.seconds,
        "300",
        "A message claimed by a process that died is retried after this many seconds.",
    ),
    Setting(
        "KLANTSTEM_OUTBOX_MAX_ATTEMPTS",
        "outbox_max_attempts",
        tc.attempts,
        "8",
        "A scheduled message that keeps failing is given up after this many tries (about 2"
        " hours at the default), and the admins are told once.",
    ),
    Setting(
        "KLANTSTEM_WAVE_SCHEDULE",
        "wave_schedule",
        sc.wave_schedule,
        "",
        "Waves that start by themselves: `SURVEY [key=value ...] @ CRON`, `;`-separated, "
        "e.g. `cvs @ 0 9 1 1,4,7,10 *` (cron in KLANTSTEM_TIMEZONE).",
    ),
    Setting(
        "KLANTSTEM_SCHEDULED_WAVE_DAYS",
        "scheduled_wave_days",
        sc.positive_days,
        "14",
        "A scheduled wave closes this many days after it starts.",
    ),
    Setting(
        "KLANTSTEM_WAVE_REPEAT_MINUTES",
        "wave_repeat",
        _minutes,
        "10",
        "`wave start` refuses a wave of the same survey and filters started less than this "
        "many minutes ago, unless `--again` (0: never refuses).",
    ),
    Setting(
        "KLANTSTEM_REMINDER_DAYS",
        "reminder_after",
        sc.days,
        "3",
        "One reminder this many days after an unanswered invitation (0: none); "
        "never after the wave closed.",
    ),
    Setting(
        "KLANTSTEM_QUIET_HOURS",
        "quiet_hours",
        sc.quiet_hours,
        "21:00-08:00",
        "No invitations or reminders in this window of the contact's local time (or `off`).",
    ),
    Setting(
        "KLANTSTEM_INTERACTION_DELAY_HOURS",
        "interaction_delay",
        sc.hours,
        "1",
        "An interaction's survey goes out this many hours after the interaction.",
    ),
    Setting(
        "KLANTSTEM_INTERACTION_SURVEY",
        "interaction_survey",
        sc.survey_id,
        "csat",
        "The survey sent after an interaction when none is named.",
    ),
    Setting(
        "KLANTSTEM_CONTACT_FREQUENCY_DAYS",
        "contact_frequency",
        sc.days,
        "30",
        "No interaction survey for a contact who was asked anything in this many days.",
    ),
    Setting(
        "KLANTSTEM_CONTACT_FREQUENCY_OVERRIDES",
        "contact_frequency_overrides",
        sc.survey_days,
        "",
        "Per-survey contact-frequency days, e.g. `csat=7,ces=14`.",
    ),
    Setting(
        "KLANTSTEM_FLAG_QUESTIONS",
        "flag_questions",
        sc.words,
        "recommendation",
        "Comma-separated question ids whose 0-10 answer flags a named promoter or detractor.",
    ),
    Setting(
        "KLANTSTEM_PROMOTER_MIN",
        "promoter_min",
        sc.score,
        "9",
        "A flag question answered at least this high flags a promoter.",
    ),
    Setting(
        "KLANTSTEM_DETRACTOR_MAX",
        "detractor_max",
        sc.score,
        "6",
        "A flag question answered at most this high flags a detractor.",
    ),
    Setting(
        "KLANTSTEM_FLAG_AUTO_FORWARD",
        "flag_auto_forward",
        sc.yes_no,
        "yes",
        "Forward a flag to the contact person's chat at once when they have one.",
    ),
    Setting(
        "KLANTSTEM_FLAG_DIGEST",
        "flag_digest",
        sc.time_of_day,
        "",
        "A daily digest of new flags at this time in KLANTSTEM_TIMEZONE (e.g. `08:00`) "
        "instead of one alert per flag; empty: alert at once.",
    ),
    Setting(
        "KLANTSTEM_FORWARD_REMINDER_DAYS",
        "forward_reminder",
        sc.positive_days,
        "5",
        "Remind the staff chat of a flag not yet forwarded after this many days.",
    ),
    Setting(
        "KLANTSTEM_FORWARD_ESCALATION_DAYS",
        "forward_escalation",
        sc.positive_days,
        "7",
        "Escalate to the admins a flag not forwarded after this many days (G-F2).",
    ),
    Setting(
        "KLANTSTEM_FOLLOWUP_REMINDER_DAYS",
        "followup_reminder",
        sc.positive_days,
        "21",
        "Remind the owner of a flag not followed up after this many days.",
    ),
    Setting(
        "KLANTSTEM_FOLLOWUP_ESCALATION_DAYS",
        "followup_escalation",
        sc.positive_days,
        "30",
        "Escalate to the admins a flag not followed up after this many days (G-F3).",
    ),
    Setting(
        "KLANTSTEM_MIRROR_GAP",
        "mirror_gap",
        sc.gap,
        "1.0",
        "A KTO dimension whose mirror prediction differs this much becomes an action item.",
    ),
    Setting(
        "KLANTSTEM_ACTION_DUE_DAYS",
        "action_due",
        sc.positive_days,
        "30",
        "An action item is due this many days after it was made.",
    ),
    Setting(
        "KLANTSTEM_ACTION_OWNER",
        "action_owner",
        _text,
        "",
        "Staff `ref` who owns new action items (default: the first admin).",
    ),
    Setting(
        "KLANTSTEM_HTTP_ENABLED",
        "http_enabled",
        sc.yes_no,
        "yes",
        "Run the web server (API, webhooks, `/healthz`, `/metrics`) in `klantstem run`.",
    ),
    Setting(
        "KLANTSTEM_HTTP_HOST",
        "http_host",
        hc.host,
        "127.0.0.1",
        "Address the web server listens on; `0.0.0.0` for every interface (the image sets it).",
    ),
    Setting(
        "KLANTSTEM_HTTP_PORT",
        "http_port",
        hc.port,
        "8080",
        "Port of the web server.",
    ),
    Setting(
        "KLANTSTEM_API_MAX_BODY_BYTES",
        "api_max_body",
        hc.byte_size,
        "1048576",
        "Largest API request body (1 MiB, about 10,000 contacts in CSV); larger gets 413.",
    ),
    Setting(
        "KLANTSTEM_HTTP_SHUTDOWN_SECONDS",
        "http_shutdown",
        sc.seconds,
        "10",
        "On SIGTERM, requests in flight and the scheduler's messages in flight get this long to"
        " finish before they are cut off.",
    ),
    Setting(
        "TELEGRAM_BOT_TOKEN",
        "telegram_token",
        _secret,
        None,
        "Token from BotFather; enables the Telegram channel.",
        enables=True,
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_API_URL",
        "telegram_api_url",
        tc.api_url,
        "https://api.telegram.org",
        "Base URL of the Telegram Bot API server (a self-hosted one, or a test emulator).",
    ),
    Setting(
        "TELEGRAM_ADMIN_IDS",
        "telegram_admin_ids",
        tc.user_ids,
        "",
        "Comma-separated Telegram user ids allowed to run /wave, /report and /flags.",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_WEBHOOK_URL",
        "telegram_webhook_url",
        tc.webhook_url,
        "",
        "Public https URL for Telegram to post updates to (served by the web server); "
        "empty: the bot polls.",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_OPEN_ENROLMENT",
        "telegram_open_enrolment",
        sc.yes_no,
        "no",
        "Let anyone start a survey with a plain /start, without a personal link.",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_START_SURVEY",
        "telegram_start_survey",
        tc.optional_survey,
        "cvs",
        "The survey /start opens when none is open (empty: /start only links the person).",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_BROADCAST_PER_SECOND",
        "telegram_broadcast_per_second",
        tc.positive_number,
        "30",
        "Invitations, reminders and group alerts sent per second at most (Telegram: ~30).",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_CHAT_INTERVAL_SECONDS",
        "telegram_chat_interval",
        tc.positive_number,
        "1",
        "Seconds between two broadcast messages to one person (Telegram: 1).",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_GROUP_PER_MINUTE",
        "telegram_group_per_minute",
        tc.positive_number,
        "20",
        "Broadcast messages per minute to one group, such as the staff chat (Telegram: 20).",
    ),
    Setting(
        "KLANTSTEM_TELEGRAM_SEND_ATTEMPTS",
        "telegram_send_attempts",
        tc.attempts,
        "5",
        "Tries per message when Telegram times out or fails (5xx), with doubling waits.",
    ),
    Setting(
        "SLACK_BOT_TOKEN",
        "slack_bot_token",
        _secret,
        None,
        "Bot token (`xoxb-...`) of the Slack app; with SLACK_SIGNING_SECRET, enables Slack.",
        enables=True,
    ),
    Setting(
        "SLACK_SIGNING_SECRET",
        "slack_signing_secret",
        _secret,
        None,
        "Signing secret of the Slack app (Basic Information); requests without it are refused.",
    ),
    Setting(
        "SLACK_APP_TOKEN",
        "slack_app_token",
        _secret,
        None,
        "App-level token (`xapp-...`, scope connections:write): Socket Mode instead of HTTP.",
    ),
    Setting(
        "SLACK_API_URL",
        "slack_api_url",
        _text,
        "https://slack.com/api/",
        "Base URL of Slack's Web API (GovSlack: `https://slack-gov.com/api/`).",
    ),
    Setting(
        "SLACK_ADMIN_IDS",
        "slack_admin_ids",
        _slack_user_ids,
        "",
        "Comma-separated Slack user ids (e.g. `U024BE7LH`) allowed to run `/klantstem`.",
    ),
)


@dataclass(frozen=True)
class Config:
    """All settings, typed; built by `from_env`, which takes each default from `SETTINGS`."""

    database_url: str
    default_language: str
    timezone: str
    survey_files: tuple[Path, ...]
    session_expiry: timedelta
    min_group_size: int
    report_period: Literal["month", "quarter"]
    report_low_response: float
    certificate_window: timedelta
    telegram_token: Secret | None
    telegram_api_url: str
    telegram_admin_ids: frozenset[str]
    telegram_webhook_url: str | None
    telegram_open_enrolment: bool
    telegram_start_survey: str | None
    telegram_broadcast_per_second: float
    telegram_chat_interval: float
    telegram_group_per_minute: float
    telegram_send_attempts: int
    slack_bot_token: Secret | None
    slack_signing_secret: Secret | None
    slack_app_token: Secret | None
    slack_admin_ids: frozenset[str]
    slack_api_url: str
    staff_chat: sc.ChatAddress | None
    sweep_interval: timedelta
    outbox_lease: timedelta
    outbox_max_attempts: int
    wave_schedule: tuple[sc.ScheduledWave, ...]
    scheduled_wave_days: timedelta
    wave_repeat: timedelta
    reminder_after: timedelta
    quiet_hours: sc.QuietHours | None
    interaction_delay: timedelta
    interaction_survey: str
    contact_frequency: timedelta
    contact_frequency_overrides: dict[str, timedelta]
    flag_questions: tuple[str, ...]
    promoter_min: int
    detractor_max: int
    flag_auto_forward: bool
    flag_digest: time | None
    forward_reminder: timedelta
    forward_escalation: timedelta
    followup_reminder: timedelta
    followup_escalation: timedelta
    mirror_gap: float
    action_due: timedelta
    action_owner: str
    http_enabled: bool
    http_host: str
    http_port: int
    api_max_body: int
    http_shutdown: timedelta

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read every setting from `env` (pass `os.environ`); raises `ConfigError`."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None or (raw.strip() == "" and setting.default is None):
                if setting.default is None:
                    values[setting.field] = None
                    continue
                raw = setting.default
            try:
                values[setting.field] = setting.parse(raw)
            except ValueError as exc:
                reason = str(exc) or "is not valid"
                raise ConfigError(f"{setting.env}={raw!r}: {reason}") from None
        return cls(**values)

    @classmethod
    def load(cls, env: Mapping[str, str], path: Path | str | None = None) -> Config:
        """Settings from a TOML file (`path`, else `KLANTSTEM_CONFIG`), each overridden by
        the same variable in `env`; raises `ConfigError`."""
        file = path or env.get(CONFIG_FILE_ENV) or None
        from_file = read_config_file(Path(file)) if file else {}
        return cls.from_env({**from_file, **env})


CONFIG_FILE_ENV = "KLANTSTEM_CONFIG"
"""The variable naming the optional TOML file (`--config` on the command line wins)."""


def read_config_file(path: Path) -> dict[str, str]:
    """A TOML file's settings as variable name -> text; keys are the variable names.

    Secrets are refused here: they come only from the environment.
    """
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{CONFIG_FILE_ENV}: cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE_ENV}: {path} is not valid TOML: {exc}") from None
    known = {s.env: s for s in SETTINGS}
    values: dict[str, str] = {}
    for key, value in data.items():
        setting = known.get(key.upper())
        if setting is None:
            raise ConfigError(f"{key} in {path}: not a setting; see the README's table")
        text = _file_value(value)
        if text is None:
            raise ConfigError(f"{key} in {path}: must be a string, number, boolean or list")
        if setting.parse is _secret or _has_password(text):
            raise ConfigError(
                f"{setting.env} in {path}: secrets are read only from the environment"
            )
        values[setting.env] = text
    return values


def _has_password(text: str) -> bool:
    try:
        return urlsplit(text).password is not None
    except ValueError:
        return False


def _file_value(value: object) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ",".join(str(v) for v in value)
    return None
