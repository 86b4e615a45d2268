"""One API endpoint as data: method, path, scope, schemas and handler. The same record
drives routing, request checks and the OpenAPI document, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.api import idempotency
from bot.api import request as rq
from bot.api.errors import ApiError
from bot.api.schema import Schema, validate
from bot.storage.api_sql import ApiToken

if TYPE_CHECKING:
    from bot.app import App

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Call:
    """A checked request as a handler sees it."""

    app: App
    token: ApiToken
    params: Mapping[str, str]
    query: Mapping[str, Any]
    body: Any
    media: str

    @property
    def actor(self) -> str:
        """Who acts, for the audit log."""
        return f"api:{self.token.name}"


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """An operation under `/api/v1`; `body` is its JSON schema, `csv` also takes text/csv."""

    method: str
    path: str
    scope: str
    handler: Handler
    summary: str
    ok: tuple[int, str, Schema]
    body: Schema | None = None
    csv: bool = False
    query: Mapping[str, Schema] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    also: tuple[tuple[int, str], ...] = ()
    """Further success statuses with the same body, e.g. (201, "added")."""

    def route(self, app: App) -> Route:
        """The Starlette route that checks a request and runs the handler."""

        async def endpoint(request: Request) -> Response:
            try:
                return await self._run(app, request)
            except ApiError as exc:
                return exc.response()

        return Route(PREFIX + self.path, endpoint, methods=[self.method])

    async def _run(self, app: App, request: Request) -> Response:
        token = await rq.authenticate(request, app.storage, self.scope, app.service.clock())
        key = idempotency.key_of(request) if self.method in idempotency.METHODS else None
        query = self._query(request)
        body: Any = None
        media = ""
        raw = b""
        if self.body is not None:
            raw = await rq.read_body(request, app.config.api_max_body)
            media = rq.media_type(request)
            if self.csv and media == rq.CSV:
                body = raw
            elif media == rq.JSON or media.endswith("+json"):
                body = rq.parse_json(raw)
                validate(body, self.body)
            else:
                raise rq.unsupported(media, (rq.JSON, rq.CSV) if self.csv else (rq.JSON,))
        params = {k: str(v) for k, v in request.path_params.items()}
        call = Call(app, token, params, query, body, media)
        if key is None:
            return await self.handler(call)
        fingerprint = idempotency.request_hash(request, raw)
        return await idempotency.once(
            app.storage, token, key, fingerprint, lambda: self.handler(call), app.service.clock()
        )

    def _query(self, request: Request) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, schema in self.query.items():
            raw = request.query_params.get(name)
            if raw is None:
                continue
            value: Any = raw
            if schema.get("type") == "integer":
                try:
                    value = int(raw)
                except ValueError:
                    raise ApiError(
                        422, "invalid_field", f"{name} must be an integer", field=name
                    ) from None
            validate(value, schema, name)
            values[name] = value
        return values


def reply(data: Any, status: int = 200) -> JSONResponse:
    """A JSON answer."""
    return JSONResponse(data, status_code=status)
