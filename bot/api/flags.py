"""Flags over the API: list (open, overdue, all), one with its history, and updates (close
with a note, add a note, forward to the contact person, take on), through `bot.flags.flags` as
`klantstem flags` and the chat buttons do. Every change lands in the flag's history."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot.api import parts
from bot.api.endpoint import Call, Endpoint, reply
from bot.api.errors import ApiError
from bot.flags.flags import FlagError, overdue
from bot.storage import Transaction
from bot.storage.flags_sql import Flag
from bot.timeutil import to_text

_TIME = {"type": "string", "format": "date-time", "nullable": True}
_TEXT = {"type": "string", "nullable": True}
FLAG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "ref": {"type": "string"},
        "kind": {"type": "string", "enum": ["promoter", "detractor"]},
        "status": {"type": "string", "enum": ["open", "forwarded", "closed"]},
        "contact": _TEXT,
        "owner": _TEXT,
        "raised_at": _TIME,
        "forwarded_at": _TIME,
        "closed_at": _TIME,
        "outcome": _TEXT,
        "overdue": {**_TEXT, "description": "forward or follow-up: the deadline it missed"},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"at": _TIME, "actor": _TEXT, "action": _TEXT, "note": _TEXT},
            },
        },
    },
}
UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["action"],
    "properties": {
        "action": {"type": "string", "enum": ["close", "note", "forward", "take"]},
        "note": {"type": "string", "maxLength": 2000, "description": "required to close"},
        "staff": {"type": "string", "maxLength": 64, "description": "for take: a staff ref"},
    },
}
_ONE = {"type": "object", "properties": {"flag": FLAG_SCHEMA}}
_LIST = {"type": "object", "properties": {"flags": {"type": "array", "items": FLAG_SCHEMA}}}
_WHICH = {"type": "string", "enum": ["open", "overdue", "all"], "description": "default: open"}


async def flag_json(call: Call, tx: Transaction, flag: Flag) -> dict[str, Any]:
    """A flag as the API shows it: who (by ref), status, deadlines missed."""
    contact = await tx.contact_by_id(flag.contact_id) if flag.contact_id else None
    owner = next((m.ref for m in await tx.staff() if m.id == flag.owner_staff_id), None)
    service = call.app.service
    return {
        "id": flag.id,
        "ref": flag.ref,
        "kind": flag.kind,
        "status": flag.status,
        "contact": contact.ref if contact else None,
        "owner": owner,
        "raised_at": to_text(flag.raised_at),
        "forwarded_at": to_text(flag.forwarded_at) if flag.forwarded_at else None,
        "closed_at": to_text(flag.closed_at) if flag.closed_at else None,
        "outcome": flag.outcome,
        "overdue": overdue(flag, service.clock(), service),
    }


async def list_flags(call: Call) -> Response:
    """Open (default), overdue or all flags, oldest first."""
    found = await parts.flags(call.app).listing(call.query.get("status", "open"))
    async with call.app.storage.transaction(write=False) as tx:
        return reply({"flags": [await flag_json(call, tx, f) for f in found]})


async def show_flag(call: Call) -> Response:
    """One flag with its history: who did what, when."""
    return await _shown(call, await _find(call))


async def update_flag(call: Call) -> Response:
    """Close, note, forward or take on a flag; refused changes change nothing."""
    flags = parts.flags(call.app)
    flag = await _find(call)
    action, note = call.body["action"], call.body.get("note", "")
    try:
        if action == "close":
            await flags.close(flag.id, call.actor, note)
        elif action == "note":
            await flags.add_note(flag.id, call.actor, note)
        elif action == "forward":
            await flags.request_forward(flag.id, call.actor)
        else:
            async with call.app.storage.transaction(write=False) as tx:
                ref = call.body.get("staff", "")
                member = next((m for m in await tx.staff() if m.ref == ref), None)
            if member is None:
                raise ApiError(
                    422, "invalid_field", f"staff {ref!r} is not a staff member", field="staff"
                )
            await flags.take(flag.id, member, call.actor)
    except FlagError as exc:
        reason = str(exc)
        if "note" in reason:
            raise ApiError(422, "invalid_field", f"note: {reason}", field="note") from None
        raise ApiError(409, "conflict", reason, field="action") from None
    parts.kick(call.app)
    return await _shown(call, await _find(call))


async def _find(call: Call) -> Flag:
    try:
        return await parts.flags(call.app).find(call.params["flag"])
    except FlagError as exc:
        raise ApiError(404, "not_found", str(exc), field="flag") from None


async def _shown(call: Call, flag: Flag) -> Response:
    history = await parts.flags(call.app).history(flag.id)
    async with call.app.storage.transaction(write=False) as tx:
        shown = await flag_json(call, tx, flag)
    shown["history"] = [
        {"at": to_text(e.at), "actor": e.actor, "action": e.action, "note": e.note} for e in history
    ]
    return reply({"flag": shown})


ENDPOINTS = (
    Endpoint(
        "GET",
        "/flags",
        "read",
        list_flags,
        "Flags: open (default), overdue or all",
        (200, "flags, oldest first", _LIST),
        query={"status": _WHICH},
    ),
    Endpoint(
        "GET",
        "/flags/{flag}",
        "read",
        show_flag,
        "One flag (its id or at least its first 4 characters) with its history",
        (200, "the flag", _ONE),
        errors=(404,),
    ),
    Endpoint(
        "PATCH",
        "/flags/{flag}",
        "write",
        update_flag,
        "Follow a flag up: close (with a note), note, forward to the contact person, take on",
        (200, "the flag after the change", _ONE),
        body=UPDATE_SCHEMA,
        errors=(404, 409),
    ),
)
