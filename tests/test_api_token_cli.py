"""`klantstem api-token`: a token is shown once, stored only hashed, listed without its
secret, and refused by the API once revoked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from bot.cli import main as cli
from tests.api_server import live_config, serve


def test_create_list_and_revoke(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(["api-token", "create", "--scope", "write", "--name", "helpdesk", "--db", db_url]) == 0
    )
    made = capsys.readouterr()
    secret = made.out.strip()
    assert secret.startswith("ks_")
    assert "only time it is shown" in made.err
    token_id = made.err.split()[1]

    stored = (
        sqlite3.connect(tmp_path / "klantstem.db")
        .execute("SELECT token_hash FROM api_tokens WHERE id = ?", (token_id,))
        .fetchone()[0]
    )
    assert secret not in stored and len(stored) == 64

    with serve(live_config(db_url)) as live:
        headers = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(f"{live.url}/api/v1/contacts", headers=headers).status_code == 200

        assert cli(["api-token", "list", "--db", db_url]) == 0
        listing = capsys.readouterr().out
        assert "helpdesk" in listing and "write" in listing and "active" in listing
        assert secret not in listing

        assert cli(["api-token", "revoke", token_id, "--db", db_url]) == 0
        assert httpx.get(f"{live.url}/api/v1/contacts", headers=headers).status_code == 401

    assert cli(["api-token", "revoke", token_id, "--db", db_url]) == 1
    assert "No active token" in capsys.readouterr().err
