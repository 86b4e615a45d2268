"""Report figures over the API: the research report as JSON, the same data as
`klantstem report --format json` (small groups suppressed, never a person's answers)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot import i18n
from bot.api.endpoint import Call, Endpoint, reply
from bot.api.errors import ApiError
from bot.reports import ReportError, Selection, build_report
from bot.reports.render_json import report_dict

_QUERY: dict[str, dict[str, Any]] = {
    "survey": {"type": "string", "maxLength": 64, "description": "default: the latest answered"},
    "wave": {"type": "string", "maxLength": 64, "description": "a wave id (or its start)"},
    "period": {"type": "string", "maxLength": 16, "description": "2026-11 or 2026-Q4"},
    "language": {"type": "string", "enum": list(i18n.LANGUAGES)},
}
_REPORT_SCHEMA: dict[str, Any] = {"type": "object", "description": "the report's figures"}


async def report_figures(call: Call) -> Response:
    """The report of a survey, a wave or a period."""
    q = call.query
    language = q.get("language") or call.app.config.default_language
    selection = Selection(q.get("survey"), q.get("wave"), q.get("period"))
    try:
        async with call.app.storage.transaction(write=False) as tx:
            report = await build_report(
                tx, dict(call.app.surveys), call.app.config, selection, call.app.service.clock()
            )
    except ReportError as exc:
        field = next((k for k in ("period", "wave", "survey") if k in exc.params), "survey")
        raise ApiError(422, "report_unavailable", str(exc), field=field) from None
    return reply(report_dict(report, language))


ENDPOINTS = (
    Endpoint(
        "GET",
        "/reports",
        "read",
        report_figures,
        "Report figures (JSON) of a survey's latest wave, a wave or a period",
        (200, "the report", _REPORT_SCHEMA),
        query=_QUERY,
        errors=(422,),
    ),
)
