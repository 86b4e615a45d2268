"""Reports in chat: `/report` (Telegram) or `/klantstem report` (Slack) for a summary with
one chart, and `/wave publish WAVE` to send a wave's results back to its people (the
scheduler's outbox sends them: `bot.reports.publish.Results`); listed in
`bot.app.FACTORIES` after the scheduler, whose `/wave` command it extends."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import i18n
from bot.admin.commands import AdminRequest, Handler
from bot.delivery import Notice
from bot.reports.publish import PublishCommand
from bot.reports.summary import ReportCommand

if TYPE_CHECKING:
    from bot.app import App


def with_publish(waves: Handler | None, publish: PublishCommand) -> Handler:
    """`/wave publish WAVE` here; every other `/wave ...` to the waves' own handler."""

    async def handle(request: AdminRequest) -> Notice:
        if request.args[:1] == ("publish",):
            return await publish(replace(request, args=request.args[1:]))
        if waves is None:
            tr = i18n.translator(request.language)
            return Notice(tr.gettext("Say which wave: /wave publish WAVE"))
        return await waves(request)

    return handle


def report_component(app: App) -> None:
    """Register the report commands (no component of its own: results go out through the
    scheduler's outbox)."""
    clock = app.service.clock
    app.admin.register("report", ReportCommand(app.storage, app.surveys, app.config, clock))
    kick = app.scheduler.kick if app.scheduler is not None else None
    publish = PublishCommand(app.storage, app.surveys, app.config, clock, kick)
    app.admin.register("wave", with_publish(app.admin.handlers.get("wave"), publish))
