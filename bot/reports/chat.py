"""Reports in chat: `/report` (Telegram) or `/klantstem report` (Slack) for a summary with
one chart, `/wave publish WAVE` to send a wave's results back to its people, and the
component that delivers published results; listed in `bot.app.FACTORIES` after the
scheduler, whose `/wave` command it extends."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import i18n
from bot.admin import AdminRequest, Handler
from bot.channels.base import Notice
from bot.reports.publish import PublicationSender, PublishCommand
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


def report_component(app: App) -> PublicationSender:
    """Register the report commands and return the component that sends published results."""
    clock = app.service.clock
    app.admin.register("report", ReportCommand(app.storage, app.surveys, app.config, clock))
    publish = PublishCommand(app.storage, app.surveys, app.config, clock)
    app.admin.register("wave", with_publish(app.admin.handlers.get("wave"), publish))
    return PublicationSender(app.storage, app.surveys, app.config, app.channels, clock)
