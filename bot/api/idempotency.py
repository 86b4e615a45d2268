"""`Idempotency-Key` on every state-changing API call (POST, PUT, PATCH, DELETE).

A client that may retry (a timeout, a dropped connection) sends a key of its own making,
a UUID say, with the request. The first request with a key claims it (one row per token
and key, in a transaction of its own), runs, and its answer is kept; a retry with the same
key and the same request (method, path, query and body, compared by SHA-256) gets that
answer again, status and body, with `Idempotent-Replayed: true`, and acts no more. The
same key with another request is refused with 422; while the first is still running, a
retry gets 409. Keys belong to the token that used them; records are kept 24 hours
(`KEEP`) and deleted when a later keyed request is claimed, or by the scheduler's sweep.

Every answer the handler gave is kept, refusals and failures too: a retry must not act
twice because the first attempt failed after it acted. A request cut off before its answer
was stored (a crash, a lost database) leaves its key busy (409) until the record expires;
the client checks what happened and sends a new key. Without the header nothing changes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.api.errors import ApiError
from bot.storage import Storage
from bot.storage.api_sql import ApiToken

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_FAILED = ApiError(500, "internal_error", "the server failed; its log says why", field="path")


def key_of(request: Request) -> str | None:
    """The request's idempotency key, None without the header; 422 for a malformed one."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise ApiError(
            422,
            "invalid_field",
            f"{HEADER} must be 1 to 255 visible ASCII characters, such as a UUID",
            field=HEADER,
        )
    return raw


def request_hash(request: Request, body: bytes) -> str:
    """SHA-256 of what makes two requests the same: method, path, query and body."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def once(
    storage: Storage,
    token: ApiToken,
    key: str,
    fingerprint: str,
    run: Callable[[], Awaitable[Response]],
    now: datetime,
) -> Response:
    """Run the request unless its key was used: then the first answer, 422 or 409."""
    async with storage.transaction() as tx:
        claimed = await tx.claim_idempotency_key(token.id, key, fingerprint, now, now - KEEP)
        record = None if claimed else await tx.idempotency_record(token.id, key)
    if not claimed:
        if record is not None and record.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"{HEADER} {key!r} was used for another request (another body, method or "
                "path) in the last 24 hours; send a new key for a new request",
                field=HEADER,
            )
        if record is None or record.status is None or record.response is None:
            raise ApiError(
                409,
                "in_progress",
                f"a request with {HEADER} {key!r} has not finished; retry once it has (a "
                "request cut off by a restart keeps its key for 24 hours: check what it "
                "did, then send a new key)",
                field=HEADER,
            )
        return Response(
            record.response.encode("utf-8"),
            record.status,
            headers={REPLAYED: "true"},
            media_type="application/json",
        )
    try:
        response = await run()
    except ApiError as exc:
        response = exc.response()
    except Exception:
        await _keep(storage, token, key, _FAILED.response())
        raise
    await _keep(storage, token, key, response)
    return response


async def prune(storage: Storage, now: datetime) -> int:
    """Delete the records older than `KEEP`; the scheduler's sweep calls this. A read
    first, so a sweep with nothing to delete writes nothing."""
    async with storage.transaction(write=False) as tx:
        if not await tx.idempotency_keys_before(now - KEEP):
            return 0
    async with storage.transaction() as tx:
        return await tx.prune_idempotency_keys(now - KEEP)


async def _keep(storage: Storage, token: ApiToken, key: str, response: Response) -> None:
    body = bytes(response.body).decode("utf-8")
    try:
        async with storage.transaction() as tx:
            await tx.finish_idempotency_key(token.id, key, response.status_code, body)
    except Exception:
        # The request acted and its client gets the answer; a retry gets 409 (never a second
        # effect) until the record expires.
        log.exception("the answer to an idempotent request could not be kept")
