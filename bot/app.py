"""The composition root: one place that builds storage, surveys, the service, admin commands
and every configured component (channels, scheduler, web server) for `klantstem run`.

Components share one event loop: each has `start()` and `stop()`, is started in order and
stopped in reverse. A component that needs others (a channel needs the service, the
scheduler needs the channels) gets the `App` when it is built. A component may also have
`wind_down()`, called on all of them as stopping begins: the scheduler takes no more
work from then on and its grace period runs alongside the web server's, so the whole
stop takes `KLANTSTEM_HTTP_SHUTDOWN_SECONDS` and a few seconds, whatever is in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot import logs
from bot.admin.commands import AdminCommands
from bot.api import idempotency
from bot.channels.slack.component import slack_component
from bot.channels.telegram.component import telegram_component
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.conversations.surveys import load_surveys
from bot.delivery import ActionHandler, ActionPress, Channel
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.reports.chat import report_component
from bot.storage import Storage, open_storage
from bot.timeutil import utc_now
from bot.web.component import web_component
from flows import Survey

log = logging.getLogger(__name__)

STOP_MARGIN = 5.0
"""Seconds a stop may take beyond `KLANTSTEM_HTTP_SHUTDOWN_SECONDS` before the components
still stopping are cut off."""


class Component(Protocol):
    """Something `klantstem run` starts and stops: a channel, the scheduler, the web server."""

    name: str

    async def start(self) -> None:
        """Begin work; return once running (work continues in background tasks)."""
        ...

    async def stop(self) -> None:
        """Finish in-flight work and release resources."""
        ...


ComponentFactory = Callable[["App"], Component | None]
"""Builds a component from the app, or None when config does not enable it."""


@dataclass
class App:
    """Everything one Klantstem process runs, wired together."""

    config: Config
    storage: Storage
    surveys: dict[str, Survey]
    service: Service
    admin: AdminCommands
    components: list[Component] = field(default_factory=list)
    scheduler: Scheduler | None = None
    """The scheduler, when this process runs one (set as it is built)."""
    action_handlers: dict[str, ActionHandler] = field(default_factory=dict)

    @property
    def channels(self) -> dict[str, Channel]:
        """The channels attached to the service, by name."""
        return self.service.channels

    def on_action(self, prefix: str, handler: ActionHandler) -> None:
        """Route action presses whose value starts with `prefix:` to `handler`."""
        self.action_handlers[prefix] = handler

    async def handle_action(self, press: ActionPress) -> str:
        """Dispatch an action press by the prefix of its value."""
        prefix = press.value.split(":", 1)[0]
        handler = self.action_handlers.get(prefix)
        if handler is None:
            log.warning(
                "action %r from %s:%s has no handler", press.value, press.channel, press.user
            )
            return "?"
        return await handler(press)

    async def start(self) -> None:
        """Start every component in order."""
        for component in self.components:
            log.info("starting %s", component.name)
            await component.start()

    async def stop(self) -> None:
        """Let every component wind down at once, stop each in reverse order, then close
        the database; all within `KLANTSTEM_HTTP_SHUTDOWN_SECONDS` and `STOP_MARGIN`. A
        component still stopping then is cut off: what it had in hand stays unfinished
        (outbox rows keep their lease and are due again after the next start)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.http_shutdown.total_seconds() + STOP_MARGIN
        for component in self.components:
            wind_down = getattr(component, "wind_down", None)
            try:
                if wind_down is not None:
                    wind_down()
            except Exception:
                log.exception("winding down %s failed", component.name)
        for component in reversed(self.components):
            try:
                await asyncio.wait_for(component.stop(), max(deadline - loop.time(), 0.5))
            except TimeoutError:
                log.warning("stopping %s took too long; cut off", component.name)
            except Exception:
                log.exception("stopping %s failed", component.name)
        await self.storage.close()


FACTORIES: list[ComponentFactory] = [
    slack_component,
    telegram_component,
    scheduler_component,
    report_component,
    web_component,
]
"""Component factories in start order; each area appends its own (channels before the
scheduler, the web server last)."""


async def build_app(
    config: Config,
    *,
    factories: list[ComponentFactory] | None = None,
    storage: Storage | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> App:
    """Open the database, load surveys and build every enabled component (`clock` lets
    tests make weeks pass)."""
    logs.quiet_libraries()  # also when embedded: no driver logs SQL values (bot/logs.py)
    surveys = load_surveys(config.survey_files, config.default_language)
    storage = storage or await open_storage(config.database_url)
    service = Service(storage, surveys, config, clock=clock)
    app = App(config, storage, surveys, service, AdminCommands(storage))
    try:
        for factory in FACTORIES if factories is None else factories:
            component = factory(app)
            if component is not None:
                app.components.append(component)
            if isinstance(component, Scheduler):
                app.scheduler = component
                component.sweep_steps.append(
                    lambda: idempotency.prune(app.storage, app.service.clock())
                )
    except BaseException:
        # A refused setting must not leave the database open: its thread would keep
        # the process from exiting.
        await storage.close()
        raise
    return app
