"""Catalogs: complete, consistent with the code, compiled into the package, and used."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(?:![rs])?(?::[^}]*)?\}")


def catalog(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def texts(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    return value if isinstance(value, tuple) else (value,)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        wanted = set().union(*(placeholders(t) for t in texts(message.id)))
        for translation in texts(message.string):
            if not translation.strip():
                problems.append(f"untranslated: {message.id!r}")
            elif placeholders(translation) - wanted or (
                not isinstance(message.id, tuple) and placeholders(translation) != wanted
            ):
                problems.append(f"placeholders differ: {message.id!r} -> {translation!r}")
    assert problems == []


def test_the_catalogs_hold_every_message_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            str(BIN / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(pot),
            "bot",
            "flows",
            "scoring",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as f:
        in_code = {m.id for m in read_po(f) if m.id}
    for language in i18n.LANGUAGES:
        known = {m.id for m in catalog(language) if m.id}
        missing = sorted(map(str, in_code - known))
        assert missing == [], f"{language}: run the catalog update in README (Locales)"


CONSENT = {"nl": "anoniem", "en": "anonymous", "fr": "anonyme", "de": "anonym"}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_cvs_survey_runs_entirely_in_the_chosen_language(tmp_path: Path, language: str) -> None:
    env = {
        **os.environ,
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
    }
    result = subprocess.run(
        [str(BIN / "klantstem"), "try", "--survey", "cvs", "--lang", language],
        input=f"{CONSENT[language]}\n8\n9\n10\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    tr = i18n.translator(language)
    for english in (
        "How satisfied are you with us overall?",
        "How likely are you to keep buying from us?",
        "Thank you! Your answers have been saved.",
    ):
        assert tr.gettext(english) in result.stdout
        if language != "en":
            assert english not in result.stdout
    assert i18n.score(9.0, language) in result.stdout


def test_figures_and_dates_follow_the_locale() -> None:
    assert (i18n.score(7.44, "nl"), i18n.score(7.44, "en")) == ("7,4", "7.4")
    assert (i18n.percent(0.62, "nl"), i18n.percent(0.62, "en")) == ("62\u00a0%", "62%")
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    dutch = i18n.moment(moment, "nl", "Europe/Amsterdam")
    english = i18n.moment(moment, "en", "Europe/Amsterdam")
    assert "mrt" in dutch and "15:30" in dutch  # 14:30 UTC is 15:30 in Amsterdam (CET)
    assert "Mar" in english and "3:30" in english


def test_an_installed_package_carries_compiled_catalogs(tmp_path: Path) -> None:
    # Build from a copy: setuptools writes build/ next to the sources it builds.
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "node_modules",
            "__pycache__",
            "*.egg-info",
            "*.db*",
            ".*_cache",
            ".hypothesis",
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("klantstem-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in i18n.LANGUAGES:
        assert f"locales/{language}/LC_MESSAGES/messages.mo" in names
