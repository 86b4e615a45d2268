"""Numeric settings: `nan`, infinities and overflows are refused with the setting named,
and every default comes from the one settings table."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.config.settings import SETTINGS, Config, ConfigError, Setting


def is_number(text: str | None) -> bool:
    try:
        float(text or "")
    except ValueError:
        return False
    return True


NUMERIC = [s for s in SETTINGS if is_number(s.default)]
NOT_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "9" * 30, "9" * 5000]


def test_the_numeric_settings_are_found() -> None:
    names = {s.env for s in NUMERIC}
    assert {"KLANTSTEM_SWEEP_SECONDS", "KLANTSTEM_HTTP_PORT", "KLANTSTEM_MIRROR_GAP"} <= names
    assert len(NUMERIC) >= 25


@pytest.mark.parametrize("setting", NUMERIC, ids=lambda s: s.env)
@pytest.mark.parametrize("raw", NOT_FINITE, ids=lambda r: r[:8])
def test_a_number_that_is_not_finite_is_refused_by_name(setting: Setting, raw: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Config.from_env({setting.env: raw})
    message = str(refused.value)
    assert message.startswith(f"{setting.env}=")
    assert "must be a finite number" in message or "is not a valid number" in message


@pytest.mark.parametrize("raw", ["1e14", "999999999999999"])
def test_a_duration_too_long_to_hold_is_refused_by_name(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"KLANTSTEM_CERTIFICATE_DAYS=.*days"):
        Config.from_env({"KLANTSTEM_CERTIFICATE_DAYS": raw})


@pytest.mark.parametrize("raw", ["csat=nan", "csat=inf", "csat=1e400"])
def test_per_survey_days_refuse_what_is_not_finite(raw: str) -> None:
    with pytest.raises(ConfigError, match="KLANTSTEM_CONTACT_FREQUENCY_OVERRIDES="):
        Config.from_env({"KLANTSTEM_CONTACT_FREQUENCY_OVERRIDES": raw})


def test_finite_numbers_still_read_as_before() -> None:
    config = Config.from_env(
        {
            "KLANTSTEM_SWEEP_SECONDS": " 1.5 ",
            "KLANTSTEM_HTTP_PORT": "9_000",
            "KLANTSTEM_REPORT_LOW_RESPONSE": "25%",
            "KLANTSTEM_REMINDER_DAYS": "0",
        }
    )
    assert config.sweep_interval == timedelta(seconds=1.5)
    assert config.http_port == 9000
    assert config.report_low_response == 0.25
    assert config.reminder_after == timedelta(0)


def test_every_field_is_a_setting_and_the_defaults_are_the_table() -> None:
    fields = {f.name for f in dataclasses.fields(Config)}
    assert fields == {s.field for s in SETTINGS}
    defaults = Config.from_env({})
    assert defaults.session_expiry == timedelta(days=14)
    assert defaults.telegram_token is None
    assert defaults.quiet_hours is not None and str(defaults.quiet_hours.start) == "21:00:00"
    assert Config.from_env({s.env: s.default for s in SETTINGS if s.default}) == defaults
