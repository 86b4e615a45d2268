"""Reports in chat: registers `/report` and `/publish` with the admin commands and runs the
sender of published results; listed in `bot.app.FACTORIES`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.reports.publish import PublicationSender, PublishCommand
from bot.reports.summary import ReportCommand

if TYPE_CHECKING:
    from bot.app import App


def report_component(app: App) -> PublicationSender:
    """Register the report commands and return the component that sends published results."""
    clock = app.service.clock
    sender = PublicationSender(app.storage, app.surveys, app.config, app.channels, clock)
    app.admin.register("report", ReportCommand(app.storage, app.surveys, app.config, clock))
    app.admin.register("publish", PublishCommand(app.storage, app.surveys, app.config, clock))
    return sender
