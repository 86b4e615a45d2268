"""The HTML report opened in a real browser (headless Chromium) renders with its charts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.support.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Colours only the charts use: NPS passives (yellow) and the grades bars (green, red).
PASSIVE_YELLOW = (0xE0, 0xB4, 0x3C)
PASSED_GREEN = (0x2E, 0x7D, 0x5B)


def pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 6) -> int:
    data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    r, g, b = colour
    near = (
        abs(p[0] - r) <= tolerance and abs(p[1] - g) <= tolerance and abs(p[2] - b) <= tolerance
        for p in pixels
    )
    return sum(near)


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian package chromium is not installed (.ci/test installs it)"
)
def test_html_report_renders_with_its_charts_in_chromium(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--db", db, "--today", "2026-11-23"]) == 0
    page = tmp_path / "report.html"
    assert main(["report", "--db", db, "--format", "html", "--out", str(page)]) == 0
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,3000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    image = Image.open(shot)
    assert image.size == (1280, 3000)
    # The NPS chart's passive bars and the pass-mark chart's green bars were painted.
    assert pixels_near(image, PASSIVE_YELLOW) > 2000
    assert pixels_near(image, PASSED_GREEN) > 5000
