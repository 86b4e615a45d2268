"""`POST /api/v1/interactions`: a helpdesk or CRM reports a customer contact, and the
after-interaction survey is scheduled by `bot.waves.invitations` (delay, quiet hours and the
contact-frequency rule), exactly as `klantstem interaction` does."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot.api import parts
from bot.api.endpoint import Call, Endpoint, reply
from bot.api.errors import ApiError
from bot.timeutil import to_text
from bot.waves.invitations import InteractionRefused

INTERACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["contact", "touchpoint"],
    "properties": {
        "contact": {"type": "string", "minLength": 1, "maxLength": 64, "description": "its ref"},
        "touchpoint": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "where the contact happened, e.g. support-call, delivery",
        },
        "survey": {
            "type": "string",
            "maxLength": 32,
            "description": "default: KLANTSTEM_INTERACTION_SURVEY",
        },
    },
}
_RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["scheduled", "survey"],
    "properties": {
        "scheduled": {"type": "boolean"},
        "survey": {"type": "string"},
        "invitation": {"type": "string", "nullable": True},
        "due_at": {"type": "string", "format": "date-time", "nullable": True},
        "skipped_because": {"type": "string", "nullable": True},
        "last_asked": {"type": "string", "format": "date-time", "nullable": True},
    },
}


async def record_interaction(call: Call) -> Response:
    """Schedule the contact's survey; 202 when scheduled, 200 when the rule skips it."""
    body = call.body
    survey = body.get("survey") or call.app.config.interaction_survey
    try:
        scheduled = await parts.invitations(call.app).record_interaction(
            body["contact"], body["touchpoint"], survey, call.actor
        )
    except InteractionRefused as exc:
        raise ApiError(422, "refused", str(exc), field=_field_of(str(exc))) from None
    parts.kick(call.app)
    result = {
        "scheduled": scheduled.due_at is not None,
        "survey": survey,
        "invitation": scheduled.invitation_id,
        "due_at": to_text(scheduled.due_at) if scheduled.due_at else None,
        "skipped_because": scheduled.skipped_because,
        "last_asked": to_text(scheduled.last_asked) if scheduled.last_asked else None,
    }
    return reply(result, 202 if scheduled.due_at else 200)


def _field_of(reason: str) -> str:
    """The request field a refusal is about (its message names it)."""
    if reason.startswith("unknown contact"):
        return "contact"
    return "touchpoint" if reason.startswith("the touchpoint") else "survey"


ENDPOINTS = (
    Endpoint(
        "POST",
        "/interactions",
        "write",
        record_interaction,
        "A customer contact happened: schedule the after-interaction survey",
        (202, "scheduled: the invitation and when it goes out", _RESULT_SCHEMA),
        body=INTERACTION_SCHEMA,
        also=((200, "not scheduled: the contact was asked recently"),),
    ),
)
