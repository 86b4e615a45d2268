"""The web server of `klantstem run`: one Starlette app served by uvicorn in the process's
own event loop, next to the channels and the scheduler.

Routes: `/healthz` (liveness and database reachability), `/metrics` (Prometheus text),
the API under `/api/v1` with its schema at `/api/v1/openapi.json`, and the webhooks the
channels provide: Telegram's `process_webhook` at the path of its webhook URL (it checks
`X-Telegram-Bot-Api-Secret-Token`: 403 on mismatch) and Slack's endpoint at
`/slack/events`. The runner owns SIGTERM: on stop the server refuses new connections and
lets requests in flight finish (an answer being saved is saved) within
`KLANTSTEM_HTTP_SHUTDOWN_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import metrics
from bot.api.errors import ApiError
from bot.api.openapi import document
from bot.api.request import read_body
from bot.api.routes import ENDPOINTS
from bot.config.settings import ConfigError
from bot.flags.flags import Flags, overdue
from bot.storage.waves_sql import InvitationStatus

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 5.0
"""Seconds the database gets to answer `/healthz` before it counts as unreachable."""
START_TIMEOUT = 10.0
TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token"
_DELIVERED = (InvitationStatus.SENT, InvitationStatus.HELD, InvitationStatus.DONE)
"""Invitation statuses that mean the invitation reached a chat."""


def build_asgi(app: App) -> Starlette:
    """The ASGI app: health, metrics, the API, its schema and the channels' webhooks."""
    spec = document(ENDPOINTS, _version())

    async def health(request: Request) -> Response:
        return await healthz(app)

    async def scrape(request: Request) -> Response:
        return await metrics_page(app)

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec)

    routes: list[BaseRoute] = [
        Route("/healthz", health, methods=["GET"]),
        Route("/metrics", scrape, methods=["GET"]),
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        *(endpoint.route(app) for endpoint in ENDPOINTS),
        *webhook_routes(app),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _failure},
        middleware=[Middleware(AuditRefusals, app=app)],
    )


class AuditRefusals:
    """ASGI middleware: every 401 and 403 the server answers (API token missing or of the
    wrong scope, a Slack request with a bad signature or a stale timestamp, a Telegram
    webhook call without the right secret) goes to the log and the audit log, with the
    method, path and client address; never a header or a body, where the secrets are."""

    def __init__(self, asgi: ASGIApp, app: App) -> None:
        self.asgi = asgi
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.asgi(scope, receive, send)
            return
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.asgi(scope, receive, sending)
        if status in (401, 403):
            await self._audit(scope, status)

    async def _audit(self, scope: Scope, status: int) -> None:
        client = scope.get("client") or ("", 0)
        detail = {"status": status, "method": scope["method"], "path": scope["path"]}
        log.warning("refused %s %s from %s: %d", scope["method"], scope["path"], client[0], status)
        now = self.app.service.clock()
        try:
            async with self.app.storage.transaction() as tx:
                await tx.audit(f"http:{client[0]}", "http.refused", detail, now)
        except Exception:
            log.exception("could not write the refusal to the audit log")


async def healthz(app: App) -> Response:
    """200 when the database answers, 503 when it does not."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            async with app.storage.transaction(write=False) as tx:
                await tx.ping()
    except Exception:
        log.exception("health check: the database does not answer")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def metrics_page(app: App) -> Response:
    """Counters of this process and figures read from the database."""
    try:
        stored = await database_samples(app)
    except Exception:
        log.exception("metrics: reading the database failed")
        return Response("database unreachable\n", 503, media_type="text/plain")
    body = metrics.render([*(c.sample() for c in metrics.counters()), *stored])
    return Response(body, headers={"content-type": metrics.CONTENT_TYPE})


async def database_samples(app: App) -> list[metrics.Sample]:
    """Invitations sent and failed, open and overdue flags: the same from every instance."""
    async with app.storage.transaction(write=False) as tx:
        by_status = await tx.invitation_counts()
    open_flags = await Flags(app.service).listing("open")
    now = app.service.clock()
    late = sum(1 for f in open_flags if overdue(f, now, app.service))
    return [
        metrics.Sample(
            "klantstem_invitations_sent_total",
            "Survey invitations delivered to a chat (waves and interactions).",
            "counter",
            sum(by_status.get(status, 0) for status in _DELIVERED),
        ),
        metrics.Sample(
            "klantstem_invitations_failed_total",
            "Survey invitations that could not be delivered: the person is unreachable.",
            "counter",
            by_status.get(InvitationStatus.UNREACHABLE, 0),
        ),
        metrics.Sample("klantstem_flags_open", "Flags not closed yet.", "gauge", len(open_flags)),
        metrics.Sample(
            "klantstem_flags_overdue",
            "Open flags past their forward or follow-up escalation deadline.",
            "gauge",
            late,
        ),
    ]


def webhook_routes(app: App) -> list[BaseRoute]:
    """Routes for what the running channels receive over HTTP."""
    routes: list[BaseRoute] = []
    for component in app.components:
        receiver: Any = component
        if hasattr(receiver, "process_webhook") and hasattr(receiver, "webhook_path"):
            routes.append(_telegram_route(app, receiver))
        if hasattr(receiver, "http_endpoint"):
            from bot.channels.slack.http import PATH

            routes.append(Route(PATH, receiver.http_endpoint(), methods=["POST"]))
    return routes


def _telegram_route(app: App, channel: Any) -> Route:
    async def webhook(request: Request) -> Response:
        try:
            body = await read_body(request, app.config.api_max_body)
        except ApiError as exc:
            return exc.response()
        status = await channel.process_webhook(body, request.headers.get(TELEGRAM_SECRET_HEADER))
        return Response(status_code=status)

    return Route(channel.webhook_path, webhook, methods=["POST"])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    error = ApiError(
        exc.status_code,
        codes.get(exc.status_code, "http_error"),
        f"{request.method} {request.url.path}: {exc.detail}",
        field="path",
        headers=dict(exc.headers or {}),
    )
    return error.response()


async def _failure(request: Request, exc: Exception) -> Response:
    """A bug or an outage: logged with its traceback, answered in JSON without details."""
    return ApiError(
        500, "internal_error", "the server failed; its log says why", field="path"
    ).response()


def _version() -> str:
    try:
        return version("klantstem")
    except PackageNotFoundError:
        return "0"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `klantstem run` owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class WebServer:
    """The web server as a component of `klantstem run`.

    The port is bound when the component is built, before any channel or the scheduler
    starts, so a port that is taken stops the start at once with the setting named.
    """

    name = "web"

    def __init__(self, app: App) -> None:
        self.app = app
        self._socket = _bind(app.config.http_host, app.config.http_port)
        self.port: int = self._socket.getsockname()[1]
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve in the background; return once the server accepts requests."""
        config = self.app.config
        server = self._server = _Server(
            uvicorn.Config(
                build_asgi(self.app),
                lifespan="off",
                log_config=None,
                access_log=False,
                server_header=False,
                timeout_graceful_shutdown=int(config.http_shutdown.total_seconds()) or 1,
            )
        )
        self._task = asyncio.create_task(server.serve(sockets=[self._socket]), name="web")
        async with asyncio.timeout(START_TIMEOUT):
            while not server.started:
                if self._task.done():
                    await self._task
                    raise RuntimeError("the web server stopped while starting")
                await asyncio.sleep(0.01)
        log.info("web server listening on http://%s:%d", config.http_host, self.port)

    async def stop(self) -> None:
        """Refuse new connections, let requests in flight finish, then return."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._socket.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"KLANTSTEM_HTTP_PORT={port}: cannot listen on {host}:{port}: {exc.strerror}"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock
