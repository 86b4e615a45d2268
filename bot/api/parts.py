"""The waves-and-follow-up objects the API acts through: the running scheduler's own, so a
change is swept at once, or fresh ones over the app's service when no scheduler runs in
this process (then another instance's scheduler sends what is due)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.flags.flags import Flags
from bot.waves.invitations import Invitations
from bot.waves.waves import Waves

if TYPE_CHECKING:
    from bot.app import App
    from bot.jobs.scheduler import Scheduler


def scheduler(app: App) -> Scheduler | None:
    """The scheduler running in this process, if any."""
    return app.scheduler


def invitations(app: App) -> Invitations:
    """Interaction triggers and invitations."""
    running = scheduler(app)
    return running.invitations if running else Invitations(app.service)


def waves(app: App) -> Waves:
    """Starting, following and closing waves."""
    running = scheduler(app)
    return running.waves if running else Waves(app.service, Invitations(app.service))


def flags(app: App) -> Flags:
    """Listing and changing flags."""
    running = scheduler(app)
    return running.flags if running else Flags(app.service)


def kick(app: App) -> None:
    """Let the scheduler sweep now rather than at its next interval."""
    running = scheduler(app)
    if running is not None:
        running.kick()
