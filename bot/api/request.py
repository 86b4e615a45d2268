"""What every API request goes through before its handler: the bearer token and its scope
(401, 403), the body size (413), the media type (415) and the JSON itself (422)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.requests import Request

from bot.api.errors import ApiError
from bot.api.tokens import allows, find_token
from bot.storage import Storage
from bot.storage.api_sql import ApiToken

JSON = "application/json"
CSV = "text/csv"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="klantstem"'}


async def authenticate(request: Request, storage: Storage, scope: str, now: datetime) -> ApiToken:
    """The token presented as `Authorization: Bearer ...`, if it may use `scope` at `now`
    (the app's clock: a token that expires does so on the clock the rest of the app keeps)."""
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "Authorization header with a bearer token is required",
            field="Authorization",
            headers=_CHALLENGE,
        )
    found = await find_token(storage, token.strip(), now)
    if found is None:
        raise ApiError(
            401,
            "unauthorized",
            "Authorization bearer token is unknown or revoked",
            field="Authorization",
            headers=_CHALLENGE,
        )
    if not allows(found.scope, scope):
        raise ApiError(
            403,
            "forbidden",
            f"Authorization token has scope {found.scope!r}; this needs {scope!r}",
            field="Authorization",
        )
    return found


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower case."""
    return request.headers.get("content-type", JSON).split(";")[0].strip().lower() or JSON


def parse_json(body: bytes) -> Any:
    """The JSON document in a body, or a 422 naming `body`."""
    try:
        value = json.loads(body)
        # \u escapes can smuggle in lone surrogates, which no database stores as text.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise ApiError(
            422, "malformed_json", "body has a lone surrogate in a \\u escape", field="body"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = getattr(exc, "msg", "not UTF-8")
        raise ApiError(
            422, "malformed_json", f"body is not valid JSON: {reason}", field="body"
        ) from None
    except RecursionError:
        raise ApiError(422, "malformed_json", "body is nested too deeply", field="body") from None


def unsupported(media: str, accepted: tuple[str, ...]) -> ApiError:
    """415 for a body in a media type the endpoint does not take."""
    return ApiError(
        415,
        "unsupported_media_type",
        f"Content-Type {media!r} is not accepted here; use {' or '.join(accepted)}",
        field="Content-Type",
    )


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"body is larger than the limit of {limit} bytes (KLANTSTEM_API_MAX_BODY_BYTES)",
        field="body",
    )
