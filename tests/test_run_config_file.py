"""The optional TOML settings file: read, overridden by the environment, secrets refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import Config, ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "klantstem.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_settings_apply_and_the_environment_wins(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'KLANTSTEM_LANGUAGE = "nl"\nKLANTSTEM_HTTP_PORT = 9123\nKLANTSTEM_HTTP_ENABLED = false\n'
        'KLANTSTEM_SURVEY_FILES = ["a.toml", "b.json"]\n',
    )
    config = Config.load({"KLANTSTEM_CONFIG": str(path), "KLANTSTEM_HTTP_PORT": "9200"})
    assert config.default_language == "nl"
    assert config.http_port == 9200
    assert config.http_enabled is False
    assert config.survey_files == (Path("a.toml"), Path("b.json"))


def test_an_explicit_path_beats_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, 'KLANTSTEM_LANGUAGE = "de"\n')
    config = Config.load({"KLANTSTEM_CONFIG": str(tmp_path / "missing.toml")}, path)
    assert config.default_language == "de"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('TELEGRAM_BOT_TOKEN = "123:abc"\n', "TELEGRAM_BOT_TOKEN"),
        ('KLANTSTEM_DATABASE_URL = "postgresql://k:pw@db/k"\n', "KLANTSTEM_DATABASE_URL"),
        ("KLANTSTEM_PORT = 1\n", "KLANTSTEM_PORT"),
        ("KLANTSTEM_HTTP_PORT = 70000\n", "KLANTSTEM_HTTP_PORT"),
        ("KLANTSTEM_LANGUAGE = [\n", "klantstem.toml"),
    ],
)
def test_bad_files_stop_with_the_setting_named(tmp_path: Path, text: str, named: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=named):
        Config.load({}, path)


def test_the_command_line_names_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "stats", "--config", str(tmp_path / "nope.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "nope.toml" in result.stderr
