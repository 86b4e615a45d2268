"""A bot with a steerable clock, a recording Telegram and the scheduler, for waves and flags tests.

Time passes only when a test says so (`World.wait`), and each step runs the scheduler's
sweep the way the interval job would: what fires, fires at the first sweep after it is due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.admin.commands import AdminRequest
from bot.app import App, build_app
from bot.config.settings import Config
from bot.conversations.service import Handled, Inbound
from bot.delivery import ActionPress
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, import_staff, parse_contacts, parse_staff
from bot.storage import Storage
from flows import Event, EventKind
from tests.conftest import Clock
from tests.fakes.recording_channel import RecordingChannel

STAFF_CHAT = "-1001234"
STAFF_CSV = (
    "ref,name,telegram,admin,language\n"
    "anna,Anna de Vries,5001,yes,en\n"
    "bram,Bram Smit,5002,no,en\n"
    "cor,Cor Jansen,,no,en\n"
)


CONTACTS_HEADER = "ref,name,telegram,contact_person,segment,timezone"


def contacts_csv(
    count: int,
    *,
    contact_person: str = "bram",
    segment: str = "retail",
    first_id: int = 900001,
    prefix: str = "C",
    header: bool = True,
) -> bytes:
    """`count` contacts C-001.. with Telegram ids from `first_id`, all in one segment."""
    lines = [CONTACTS_HEADER] if header else []
    lines += [
        f"{prefix}-{i:03d},Customer {prefix}{i},{first_id + i - 1},{contact_person},{segment},"
        "Europe/Amsterdam"
        for i in range(1, count + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class World:
    """Everything one test drives."""

    app: App
    clock: Clock
    telegram: RecordingChannel
    scheduler: Scheduler

    @property
    def storage(self) -> Storage:
        """The database."""
        return self.app.storage

    async def sweep(self) -> int:
        """One scheduler sweep at the current time."""
        return await self.scheduler.sweep()

    async def wait(self, *, days: float = 0, hours: float = 0, step_minutes: int = 30) -> None:
        """Let time pass, sweeping every `step_minutes` like the interval job would."""
        end = self.clock.now + timedelta(days=days, hours=hours)
        while self.clock.now < end:
            self.clock.now = min(self.clock.now + timedelta(minutes=step_minutes), end)
            await self.sweep()

    async def answer(self, user: str, *texts: str) -> Handled:
        """A Telegram user types answers, one message each."""
        handled = None
        for text in texts:
            handled = await self.app.service.handle(
                Inbound("telegram", user, user, Event(EventKind.TEXT, text))
            )
        assert handled is not None
        return handled

    async def press(self, user: str, value: str) -> str:
        """A Telegram user presses a button whose value is `value`."""
        return await self.app.handle_action(ActionPress("telegram", user, user, value, "m1"))

    async def command(self, user: str, *args: str) -> str:
        """A Telegram user types a chat command such as `/flags done REF note`."""
        request = AdminRequest("telegram", user, user, args[0], tuple(args[1:]), "en")
        return (await self.app.admin.run(request)).text

    def staff_chat(self) -> list[str]:
        """Texts posted to the staff chat."""
        return [p.text for p in self.telegram.to(STAFF_CHAT)]

    async def close(self) -> None:
        """Release the database."""
        await self.app.storage.close()


async def make_world(
    db_url: str,
    clock: Clock,
    *,
    env: Mapping[str, str] | None = None,
    contacts: bytes | None = None,
    staff: bytes = STAFF_CSV.encode(),
) -> World:
    """A migrated database with staff and contacts, and the app built around `clock`."""
    config = Config.from_env(
        {
            "KLANTSTEM_LANGUAGE": "en",
            "KLANTSTEM_DATABASE_URL": db_url,
            "KLANTSTEM_STAFF_CHAT": f"telegram:{STAFF_CHAT}",
        }
        | dict(env or {})
    )
    telegram = RecordingChannel("telegram", clock=clock)

    def attach(app: App) -> None:
        app.service.attach(telegram)

    app = await build_app(config, factories=[attach, scheduler_component], clock=clock)
    scheduler = next(c for c in app.components if isinstance(c, Scheduler))
    async with app.storage.transaction() as tx:
        await import_staff(tx, parse_staff(staff), clock())
        if contacts:
            await import_contacts(tx, parse_contacts(contacts), clock())
    return World(app, clock, telegram, scheduler)


class Worlds:
    """Builds worlds on one database and clock, and closes them all when the test ends."""

    def __init__(self, db_url: str, clock: Clock) -> None:
        self.db_url = db_url
        self.clock = clock
        self.opened: list[World] = []

    async def __call__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        contacts: bytes | None = None,
        staff: bytes = STAFF_CSV.encode(),
    ) -> World:
        world = await make_world(self.db_url, self.clock, env=env, contacts=contacts, staff=staff)
        self.opened.append(world)
        return world

    async def close(self) -> None:
        """Close every world built."""
        for world in self.opened:
            await world.close()
