"""`klantstem api-token`: a token is shown once, stored only hashed, listed without its
secret, and refused by the API once revoked."""

from __future__ import annotations

import httpx
import pytest

from bot.storage import Storage
from tests.support.api_server import live_config, serve
from tests.support.cli import main as cli


async def stored_hashes(storage: Storage) -> list[str]:
    async with storage.transaction(write=False) as tx:
        return [str(r[0]) for r in await tx.conn.fetchall("SELECT token_hash FROM api_tokens")]


def test_create_list_and_revoke(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli(["api-token", "create", "--scope", "write", "--name", "helpdesk", "--db", db_url]) == 0
    )
    made = capsys.readouterr()
    secret = made.out.strip()
    assert secret.startswith("ks_")
    assert "only time it is shown" in made.err
    token_id = made.err.split()[1]

    with serve(live_config(db_url)) as live:
        stored = live.run(lambda app: stored_hashes(app.storage))
        assert len(stored) == 3  # this one and the test server's read and write tokens
        assert all(secret not in h and len(h) == 64 for h in stored)

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
