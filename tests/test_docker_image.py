"""The Dockerfile: hadolint passes, its install step is the README's, and that step, run
as written, gives a `klantstem run` that the image's HEALTHCHECK finds healthy and that
SIGTERM stops with exit code 0 (no Docker engine needed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import DEADLINE, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
HADOLINT = Path(sys.executable).parent / "hadolint"
SOURCES = ("pyproject.toml", "setup.py", "babel.cfg", "README.md", "bot", "flows", "scoring")


def instructions(stage: int | None = None) -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuations joined); one stage, or all."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    stages = -1
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages += 1
        if stage is None or stages == stage:
            found.append((keyword.upper(), rest.strip()))
    return found


def install_command() -> str:
    runs = [rest for keyword, rest in instructions(0) if keyword == "RUN" and "pip" in rest]
    assert len(runs) == 1, runs
    return runs[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in instructions(1):
        if keyword == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", rest))
    return env


def exec_form(keyword: str) -> list[str]:
    rest = next(rest for k, rest in instructions(1) if k == keyword)
    return list(json.loads(rest[rest.index("[") :]))


def test_hadolint_passes() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_slim_non_root_with_a_data_volume_and_runs_klantstem() -> None:
    steps = instructions()
    assert all("-slim" in rest for keyword, rest in steps if keyword == "FROM")
    final = dict(instructions(1))
    assert final["USER"].split(":")[0] not in ("0", "root")
    assert '"/data"' in final["VOLUME"]
    assert image_env()["KLANTSTEM_DATABASE_URL"] == "sqlite:////data/klantstem.db"
    assert exec_form("CMD") == ["klantstem", "run"]
    assert "/healthz" in " ".join(exec_form("HEALTHCHECK"))


def test_the_install_step_is_the_readme_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert install_command() in readme


@pytest.mark.slow
def test_the_install_step_gives_a_healthy_klantstem_run(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in (*SOURCES, "locales"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    build_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "VIRTUAL_ENV": str(venv)}
    build = subprocess.run(
        ["sh", "-c", install_command()],
        cwd=source,
        env={**build_env, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    packaged = next((venv / "lib").glob("python3*/site-packages"))
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        assert (packaged / po.relative_to(ROOT).with_suffix(".mo")).is_file(), po

    data = tmp_path / "data"
    data.mkdir()
    port = free_port()
    env = {
        **image_env(),
        "PATH": f"{venv / 'bin'}:{os.defpath}",
        "HOME": str(tmp_path),
        "KLANTSTEM_DATABASE_URL": f"sqlite:///{data / 'klantstem.db'}",
        "KLANTSTEM_HTTP_HOST": "127.0.0.1",
        "KLANTSTEM_HTTP_PORT": str(port),
    }
    healthcheck = exec_form("HEALTHCHECK")
    healthcheck[0] = str(venv / "bin" / healthcheck[0])
    process = subprocess.Popen(
        [str(venv / "bin" / exec_form("CMD")[0]), *exec_form("CMD")[1:]],
        cwd=data,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def healthy() -> bool:
            assert process.poll() is None, process.communicate()[1]
            check = subprocess.run(healthcheck, env=env, capture_output=True, timeout=30)
            return check.returncode == 0

        wait_for(healthy, "the image's HEALTHCHECK")
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, err
    assert (data / "klantstem.db").is_file()
