"""The README's configuration table lists every setting the code reads, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config.settings import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(r"^\| `([A-Z0-9_]+)` \| *(`[^`]*`)? *\|", re.MULTILINE)


def configuration_table() -> dict[str, str]:
    text = README.read_text()
    start = text.index("## Configuration")
    end = text.index("\n## ", start + 1)
    return {m.group(1): (m.group(2) or "").strip("`") for m in ROW.finditer(text[start:end])}


def test_every_setting_is_documented_with_its_default() -> None:
    table = configuration_table()
    documented = {s.env: table.get(s.env) for s in SETTINGS}
    assert documented == {s.env: s.default or "" for s in SETTINGS}


def test_the_table_names_no_setting_the_code_does_not_read() -> None:
    # Read before the configuration itself: where the settings file is, and log output.
    read_elsewhere = {"KLANTSTEM_CONFIG", "KLANTSTEM_LOG_LEVEL"}
    assert set(configuration_table()) - {s.env for s in SETTINGS} <= read_elsewhere
