"""`klantstem run` as a real process without any platform token: it says which variables
enable a channel, answers `/healthz`, and SIGTERM ends it with exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.processes import DEADLINE, free_port, wait_for

KLANTSTEM = Path(sys.executable).parent / "klantstem"


def console_free_env(tmp_path: Path, port: int) -> dict[str, str]:
    """Only what the process needs: no platform tokens at all."""
    return {
        "PATH": os.defpath,
        "HOME": str(tmp_path),
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'klantstem.db'}",
        "KLANTSTEM_HTTP_HOST": "127.0.0.1",
        "KLANTSTEM_HTTP_PORT": str(port),
    }


@contextmanager
def running(env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [str(KLANTSTEM), "run"],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=DEADLINE)


def healthy(url: str, process: subprocess.Popen[str]) -> bool:
    assert process.poll() is None, process.communicate()[1]
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_run_serves_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(console_free_env(tmp_path, port), tmp_path) as process:
        wait_for(lambda: healthy(url, process), "/healthz")
        body = httpx.get(f"{url}/healthz", timeout=5).json()
        assert body == {"status": "ok", "database": "ok"}
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, err
    assert "TELEGRAM_BOT_TOKEN" in err and "SLACK_BOT_TOKEN" in err
    assert "Traceback" not in err


def test_a_taken_port_stops_the_start_with_the_setting_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with running(console_free_env(tmp_path, port), tmp_path) as process:
            _out, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 2
    assert f"KLANTSTEM_HTTP_PORT={port}" in err
    assert "Traceback" not in err
