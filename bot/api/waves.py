"""Waves over the API: start, list, status, close and publish, through `bot.waves.waves` and
`bot.reports.publish` as `klantstem wave ...` does. A started wave's invitations are sent
by the running scheduler at the platform's pace; the status shows how far it got."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot.api import parts
from bot.api.endpoint import Call, Endpoint, reply
from bot.api.errors import ApiError
from bot.people.population import PopulationError, parse_filters
from bot.reports.publish import PublishError, publish_wave
from bot.storage.waves_sql import Wave, WaveProgress
from bot.timeutil import to_text
from bot.waves.waves import WaveError, parse_closing

START_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["survey"],
    "properties": {
        "survey": {"type": "string", "minLength": 1, "maxLength": 32},
        "filters": {
            "type": "object",
            "additionalProperties": {"type": "string", "maxLength": 200},
            "description": "imported attributes every invited contact matches",
        },
        "closes": {
            "type": "string",
            "maxLength": 32,
            "description": "closing date (2026-12-31) or time (2026-12-31T17:00), local time",
        },
    },
}
_TIME = {"type": "string", "format": "date-time", "nullable": True}
WAVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "survey": {"type": "string"},
        "label": {"type": "string"},
        "population": {"type": "object"},
        "opened_at": _TIME,
        "closes_at": _TIME,
        "closed_at": _TIME,
        "progress": {
            "type": "object",
            "properties": {
                **{
                    k: {"type": "integer"}
                    for k in (
                        "invited",
                        "pending",
                        "delivered",
                        "unreachable",
                        "started",
                        "completed",
                    )
                },
                "response_rate": {"type": "number", "nullable": True},
            },
        },
    },
}
_ONE = {"type": "object", "properties": {"wave": WAVE_SCHEMA}}
_LIST = {"type": "object", "properties": {"waves": {"type": "array", "items": WAVE_SCHEMA}}}
_PUBLISHED = {
    "type": "object",
    "properties": {k: {"type": "integer"} for k in ("queued", "unreachable", "skipped", "pending")},
}


def wave_json(wave: Wave, progress: WaveProgress) -> dict[str, Any]:
    """A wave and its progress (counts only: nothing about what anyone answered)."""

    def moment(value: Any) -> str | None:
        return to_text(value) if value else None

    return {
        "id": wave.id,
        "survey": wave.survey_id,
        "label": wave.label,
        "population": wave.population,
        "opened_at": moment(wave.opened_at),
        "closes_at": moment(wave.closes_at),
        "closed_at": moment(wave.closed_at),
        "progress": {
            "invited": progress.invited,
            "pending": progress.pending,
            "delivered": progress.delivered,
            "unreachable": progress.unreachable,
            "started": progress.started,
            "completed": progress.completed,
            "response_rate": progress.response_rate,
        },
    }


async def start_wave(call: Call) -> Response:
    """Start a wave of a survey for its population; 201 with the wave."""
    body = call.body
    waves = parts.waves(call.app)
    words = [f"{k}={v}" for k, v in (body.get("filters") or {}).items()]
    try:
        filters = parse_filters(words)
    except PopulationError as exc:
        raise ApiError(422, "invalid_field", f"filters: {exc}", field="filters") from None
    try:
        closes = None
        if body.get("closes"):
            closes = parse_closing(body["closes"], call.app.config.timezone, waves.service.clock())
        started = await waves.start(body["survey"], filters, closes, call.actor)
    except WaveError as exc:
        raise ApiError(422, "refused", str(exc), field=_start_field(str(exc))) from None
    assert started is not None
    parts.kick(call.app)
    progress = await waves.progress(started.wave.id)
    return reply({"wave": wave_json(started.wave, progress)}, 201)


def _start_field(reason: str) -> str:
    """The request field a refused start is about (its message names it)."""
    if "clos" in reason or "date" in reason:
        return "closes"
    if "unknown survey" in reason:
        return "survey"
    return "filters"


async def list_waves(call: Call) -> Response:
    """The latest waves with their progress."""
    async with call.app.storage.transaction(write=False) as tx:
        recent = await tx.recent_waves(call.query.get("limit", 20))
        rows = [wave_json(w, await tx.wave_progress(w.id)) for w in recent]
    return reply({"waves": rows})


async def wave_status(call: Call) -> Response:
    """One wave (by id or its first characters) and how far it got."""
    waves = parts.waves(call.app)
    wave = await _resolve(call)
    return reply({"wave": wave_json(wave, await waves.progress(wave.id))})


async def close_wave(call: Call) -> Response:
    """Close a wave now: no more invitations or reminders go out for it."""
    waves = parts.waves(call.app)
    wave = await _resolve(call)
    try:
        closed = await waves.close(wave.id, call.actor)
    except WaveError as exc:
        raise ApiError(409, "conflict", str(exc), field="wave") from None
    parts.kick(call.app)
    return reply({"wave": wave_json(closed, await waves.progress(closed.id))})


async def publish(call: Call) -> Response:
    """Queue the wave's results for its people; the running bot delivers them."""
    app = call.app
    wave = await _resolve(call)
    try:
        done = await publish_wave(
            app.storage, app.surveys, app.config, wave.id, call.actor, app.service.clock()
        )
    except PublishError as exc:
        raise ApiError(422, "refused", str(exc), field="wave") from None
    parts.kick(call.app)
    return reply(
        {
            "queued": done.queued,
            "unreachable": done.unreachable,
            "skipped": done.skipped,
            "pending": done.pending,
        }
    )


async def _resolve(call: Call) -> Wave:
    try:
        return await parts.waves(call.app).resolve(call.params["wave"])
    except WaveError as exc:
        raise ApiError(404, "not_found", str(exc), field="wave") from None


ENDPOINTS = (
    Endpoint(
        "POST",
        "/waves",
        "write",
        start_wave,
        "Start a wave: one invitation per person of the survey's population",
        (201, "the wave, its invitations queued", _ONE),
        body=START_SCHEMA,
    ),
    Endpoint(
        "GET",
        "/waves",
        "read",
        list_waves,
        "The latest waves with their progress",
        (200, "waves, newest first", _LIST),
        query={"limit": {"type": "integer", "minimum": 1, "maximum": 200}},
    ),
    Endpoint(
        "GET",
        "/waves/{wave}",
        "read",
        wave_status,
        "A wave's status: invited, delivered, unreachable, started, completed",
        (200, "the wave", _ONE),
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/waves/{wave}/close",
        "write",
        close_wave,
        "Close a wave now",
        (200, "the closed wave", _ONE),
        errors=(404, 409),
    ),
    Endpoint(
        "POST",
        "/waves/{wave}/publish",
        "write",
        publish,
        "Send the wave's aggregated results to its people (G-R4)",
        (200, "deliveries queued", _PUBLISHED),
        errors=(404, 422),
    ),
)
