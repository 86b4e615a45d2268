"""A realistic synthetic organisation, played through the real bot so a newcomer sees a
full report in one command, and an admin sees weeks of follow-up happen in seconds.

A wholesale bakery supplier with 14 staff and 240 customers in four segments and four
regions, each customer with an account manager as contact person. Two KTO waves half a
year apart, an MTO wave, a mirror wave beside the second KTO, CSAT after support calls
over six months, and a piece of certificate evidence.

Nothing is written behind the bot's back. On a clock of its own (`DemoClock`), the demo
imports the people from CSV through `bot.people.contacts`, starts waves with `Waves`,
records support calls as interactions, and runs the scheduler's sweep whenever the outbox
has something due. Simulated customers and staff read what the bot sends them on the
demo's channel (`DemoChannel`) and answer the questions they were asked, with the
questions' own buttons, through `Service.handle`; flags are raised, alerted, forwarded,
reminded and escalated by the real follow-up; account managers act on them with `Flags`;
waves close at their closing time (anonymous answers released in batches of at least k),
the action plan follows the mirror gaps, and results are published through the outbox.
The settings in force (reminder and follow-up days, quiet hours, k) are the ones the
bot would use; the demo only brings its own chats (a staff chat, Telegram ids).

Each person decides with a random generator of their own, seeded by the demo's seed and
who they are, so the same seed and the same day give the same figures whatever order the
outbox happens to send things in (ids are random, as everywhere).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from bot.app import App, build_app
from bot.cli.demo_channel import DemoChannel, DemoClock, Message
from bot.config.schedule import ChatAddress
from bot.config.settings import Config, Secret
from bot.conversations.service import Inbound
from bot.flags.flags import FlagError
from bot.jobs.scheduler import Scheduler, scheduler_component
from bot.people.contacts import import_contacts, import_staff, parse_contacts, parse_staff
from bot.reports.evidence import add_evidence
from bot.reports.publish import PublishError, publish_wave
from bot.storage import Storage, Transaction
from bot.storage.records import StaffMember
from bot.waves.waves import StartedWave
from flows import Event, EventKind, Reply, Status
from flows.session import CONSENT_STEP

DEFAULT_SEED = 2026
DEFAULT_DAYS = 200
"""The days the demo plays by default: from the spring KTO up to the day before `today`."""
STAFF_CHAT = "-100200300"
SWEEP_GAP = timedelta(minutes=15)
"""The demo sweeps at most this often in its own time (the bot sweeps every 30 seconds:
rows come due a little later in the demo, never earlier)."""

# ref, name, admin, talks with customers, has Telegram
_STAFF: tuple[tuple[str, str, bool, bool, bool], ...] = (
    ("S01", "Sanne de Vries", True, True, True),
    ("S02", "Mark Jansen", False, True, True),
    ("S03", "Fatima El Amrani", False, True, True),
    ("S04", "Pieter Bakker", False, True, False),
    ("S05", "Lotte Visser", False, True, True),
    ("S06", "Daan Smit", False, True, True),
    ("S07", "Noor Hendriks", False, True, True),
    ("S08", "Bram Mulder", False, False, True),
    ("S09", "Eva de Boer", False, False, True),
    ("S10", "Ruben Meijer", False, True, True),
    ("S11", "Iris Bos", False, False, True),
    ("S12", "Thijs Vos", False, False, True),
    ("S13", "Julia Peters", False, True, True),
    ("S14", "Sem Dekker", True, False, True),
)
_ACCOUNT_MANAGERS = ("S02", "S03", "S04")
"""S04 has no Telegram: the flags of his customers cannot be forwarded, so the staff chat
is reminded and the coordinator takes them on (or they are escalated first)."""
_COORDINATOR = "S01"

# When things happen, in days before `today` (09:00 UTC unless said), and for how long.
_SPRING_DAY, _MTO_DAY, _MIRROR_DAY, _AUTUMN_DAY = -200, -100, -45, -44
_KTO_DAYS, _STAFF_DAYS = 21, 14
_PUBLISH_AFTER = timedelta(days=2, hours=17)  # 10:00 two days after a 17:00 close
_CSAT_MONTHS = 6
_EVIDENCE_DAY = -150

# segment: (share of customers, effect on every grade)
_SEGMENTS = {
    "retail": (0.45, 0.2),
    "wholesale": (0.30, -0.3),
    "hospitality": (0.20, 0.4),
    "public": (0.05, -0.6),
}
_REGIONS = {"north": 0.1, "east": -0.2, "south": 0.2, "west": 0.0}
_KINDS = ("Bakery", "Café", "Hotel", "Restaurant", "Deli", "School", "Caterer", "Canteen")
_NAMES = (
    "Jansen",
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
)

# Dimension grade means per KTO wave, and how much higher staff expect customers to grade.
_GRADES = {
    "service": (7.4, 7.6, 0.6),
    "quality": (7.6, 7.7, 0.3),
    "appearance": (7.1, 7.2, 0.1),
    "reliability": (7.3, 7.4, 0.5),
    "competence": (7.8, 7.9, 0.4),
    "handling": (6.3, 6.4, 0.3),
    "external_communication": (6.8, 7.0, 0.4),
    "expectation_management": (5.7, 6.6, 1.6),
    "crm": (6.7, 6.5, 1.4),
}
_MTO = {
    "job_satisfaction": 7.4,
    "internal_communication": 6.3,
    "collaboration": 6.8,
    "leadership": 7.1,
    "customer_focus": 7.6,
}
_FRUSTRATIONS = (
    "Deliveries arrive later than promised.",
    "Invoices are hard to match to orders.",
    "Nobody called back after my complaint.",
    "You did not know what we had ordered before.",
    "The webshop is slow at the end of the month.",
)
_OUTCOMES = {
    "detractor": (
        "Called the customer; agreed on a new delivery window.",
        "Visited the customer; credit note sent for the late delivery.",
        "Explained the new invoice layout; customer satisfied.",
    ),
    "promoter": ("Thanked the customer; asked for a reference case.",),
}
_ACTION_NOTE = "Workshop with the account managers; intake checklist agreed."
_EVIDENCE_NOTE = "Results of the spring KTO presented to the management team."

Answers = dict[str, int | str | None]
"""What a person will answer, by question id (None: skip it)."""


@dataclass
class DemoSummary:
    """What the demo did."""

    staff: int = 0
    contacts: int = 0
    waves: list[str] = field(default_factory=list)
    responses: int = 0
    flags: int = 0
    days: int = 0


class DatabaseNotEmpty(RuntimeError):
    """The demo only fills an empty database, so it never mixes with real data."""


@dataclass(frozen=True)
class _Customer:
    ref: str
    address: str
    language: str
    segment: str
    region: str
    manager: str
    since: str
    latent: float


@dataclass
class _Day:
    """What happened on one simulated day, for its line."""

    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    answered: int = 0
    flags_closed: int = 0
    interactions: int = 0


def _grade(rng: random.Random, mean: float, low: int, high: int, spread: float = 0.9) -> int:
    return max(low, min(high, round(rng.gauss(mean, spread))))


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode("utf-8")


class _World:
    """The demo organisation living on the demo clock."""

    def __init__(
        self, app: App, scheduler: Scheduler, clock: DemoClock, channel: DemoChannel, seed: int
    ) -> None:
        self.app, self.scheduler, self.clock, self.channel = app, scheduler, clock, channel
        self.seed = seed
        self.rng = random.Random(seed)
        self.customers: dict[str, _Customer] = {}
        self.staff: dict[str, StaffMember] = {}
        self.staff_by_address: dict[str, str] = {}
        self.plans: dict[str, tuple[str, Answers]] = {}
        """address -> (when to answer: 'now' or 'reminded', the answers) of an invitation."""
        self.agenda: list[tuple[datetime, str, int, Callable[[], Awaitable[None]]]] = []
        self._order = itertools.count()
        self.last_sweep: datetime | None = None
        self.day = _Day()
        self.summary = DemoSummary()
        self.waves: dict[str, str] = {}
        """wave id -> label of the waves the demo started."""
        channel.on_message = self.received

    # -- the agenda --------------------------------------------------------------------

    def at(self, when: datetime, who: str, action: Callable[[], Awaitable[None]]) -> None:
        """Do `action` at `when`; `who` orders what happens at the same moment."""
        heapq.heappush(self.agenda, (when, who, next(self._order), action))

    def person_rng(self, *parts: object) -> random.Random:
        """A generator of one person's own for one decision: the same whatever the order."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    async def run(self, end: datetime, on_day: Callable[[date, _Day, Counter[str]], None]) -> None:
        """Play the agenda and the outbox up to `end`, a line per day."""
        today = self.clock.now.date()
        while True:
            async with self.app.storage.transaction(write=False) as tx:
                due = await tx.next_due()
            sweep_at = None
            if due is not None:
                sweep_at = due if self.last_sweep is None else max(due, self.last_sweep + SWEEP_GAP)
            event_at = self.agenda[0][0] if self.agenda else None
            if event_at is not None and (sweep_at is None or event_at < sweep_at):
                moment = event_at
            elif sweep_at is not None:
                moment = sweep_at
            else:
                break
            if moment >= end:
                break
            while moment.date() > today:
                self.end_day(today, on_day)
                today += timedelta(days=1)
            self.clock.move_to(moment)
            if moment == event_at and (sweep_at is None or event_at < sweep_at):
                _when, _who, _n, action = heapq.heappop(self.agenda)
                await action()
            else:
                await self.scheduler.sweep()
                await self.app.service.settled()
                self.last_sweep = moment
        self.clock.move_to(end)
        while today < end.date():
            self.end_day(today, on_day)
            today += timedelta(days=1)

    def end_day(self, day: date, on_day: Callable[[date, _Day, Counter[str]], None]) -> None:
        """Tell the day's line: what happened, and what went out by distinct subject (an
        escalation to two admins is one flag escalated)."""
        distinct = Counter({kind: len(s) for kind, s in self.channel.subjects.items()})
        on_day(day, self.day, distinct)
        self.channel.clear_counts()
        self.day = _Day()

    # -- people ------------------------------------------------------------------------

    async def people(self) -> None:
        """The staff and the customers, imported from CSV as an admin would."""
        rows = [["ref", "name", "email", "language", "telegram", "admin"]]
        for i, (ref, name, admin, _faces, chat) in enumerate(_STAFF, 1):
            address = str(800_000_000 + i) if chat else ""
            if address:
                self.staff_by_address[address] = ref
            rows.append(
                [ref, name, f"{ref.lower()}@example.org", "nl", address, "yes" if admin else "no"]
            )
        staff_csv = _csv(rows)
        segments = list(_SEGMENTS)
        weights = [share for share, _ in _SEGMENTS.values()]
        rows = [
            [
                "ref",
                "name",
                "email",
                "language",
                "timezone",
                "telegram",
                "contact_person",
                "segment",
                "region",
            ]
        ]
        for i in range(1, 241):
            segment = self.rng.choices(segments, weights)[0]
            region = self.rng.choice(list(_REGIONS))
            ref = f"C{i:03d}"
            name = f"{self.rng.choice(_KINDS)} {self.rng.choice(_NAMES)}"
            language = "nl" if self.rng.random() < 0.7 else "en"
            manager = self.rng.choice(_ACCOUNT_MANAGERS)
            address = str(700_000_000 + i)
            since = self.rng.choices(("lt1", "y1to3", "gt3"), (0.2, 0.35, 0.45))[0]
            effect = _SEGMENTS[segment][1] + _REGIONS[region]
            latent = self.rng.gauss(effect, 1.0)
            if self.rng.random() < 0.03:
                self.channel.unreachable.add(address)  # blocked the bot long ago
            self.customers[address] = _Customer(
                ref, address, language, segment, region, manager, since, latent
            )
            rows.append(
                [
                    ref,
                    name,
                    f"{ref.lower()}@example.com",
                    language,
                    "Europe/Amsterdam",
                    address,
                    manager,
                    segment,
                    region,
                ]
            )
        now = self.clock.now
        async with self.app.storage.transaction() as tx:
            await import_staff(tx, parse_staff(staff_csv), now)
            await import_contacts(tx, parse_contacts(_csv(rows)), now)
            await tx.audit("cli", "demo.people", {"staff": len(_STAFF), "contacts": 240}, now)
            self.staff = {m.ref: m for m in await tx.staff()}
        self.summary.staff, self.summary.contacts = len(self.staff), len(self.customers)

    # -- what the bot sends ------------------------------------------------------------

    def received(self, message: Message) -> None:
        """Someone read a message: they may act on it (later, on the agenda)."""
        who = f"{message.address}:{message.kind}"
        if message.kind in ("invite", "remind"):
            self.at(self.clock.now, who, lambda: self.consider(message))
        elif message.kind == "flag.forward" and message.address in self.staff_by_address:
            owner = self.staff_by_address[message.address]
            self.at(self.clock.now, who, lambda: self.follow_up(message.subject, owner))
        elif message.kind in ("flag.forward_reminder", "flag.forward_escalation"):
            if message.address in (STAFF_CHAT, self.address_of(_COORDINATOR)):
                self.at(self.clock.now, who, lambda: self.take_on(message))
        elif message.kind == "action.plan":
            later = self.clock.now + timedelta(days=6)
            self.at(later, who, lambda: self.close_action_item(message.subject))

    def address_of(self, ref: str) -> str:
        return next((a for a, r in self.staff_by_address.items() if r == ref), "")

    async def consider(self, message: Message) -> None:
        """A person got an invitation or the reminder: answer soon, later, or not at all."""
        address = message.address
        if message.kind == "remind":
            plan = self.plans.get(address)
            if plan is not None and plan[0] == "reminded":
                rng = self.person_rng(address, "reminded", self.clock.now.date())
                self.plans[address] = ("now", plan[1])
                later = self.clock.now + timedelta(hours=rng.uniform(0.5, 20))
                self.at(later, address, self.answer_for(address))
            return
        stored = await self.app.service.open_session("telegram", address)
        if stored is None:
            return
        survey, day = stored.survey_id, self.clock.now.date()
        rng = self.person_rng(address, survey, day)
        customer = self.customers.get(address)
        if customer is not None:
            answers = self.customer_answers(rng, customer, survey)
            willing = {"kto": 0.5 + 0.05 * customer.latent, "csat": 0.6}.get(survey, 0.5)
        else:
            answers = self.staff_answers(rng, survey)
            willing = 0.82
        if rng.random() > willing:
            return
        if rng.random() < 0.65 or not self.app.config.reminder_after:
            self.plans[address] = ("now", answers)
            delay = timedelta(hours=rng.uniform(0.2, 30))
            self.at(self.clock.now + delay, address, self.answer_for(address))
        else:
            self.plans[address] = ("reminded", answers)

    def answer_for(self, address: str) -> Callable[[], Awaitable[None]]:
        async def act() -> None:
            await self.answer_as(address)

        return act

    def customer_answers(self, rng: random.Random, c: _Customer, survey: str) -> Answers:
        if survey == "csat":
            weights = (0.06, 0.08, 0.14, 0.34, 0.38)
            score = rng.choices((1, 2, 3, 4, 5), weights)[0]
            improve = rng.choice(_FRUSTRATIONS) if score <= 3 and rng.random() < 0.5 else None
            return {
                CONSENT_STEP: "anonymous" if rng.random() < 0.3 else "named",
                "csat": score,
                "improve": improve,
            }
        second = 1 if self.clock.now.month >= 7 else 0
        shift, lat = 0.25 * second, c.latent
        answers: Answers = {
            CONSENT_STEP: "anonymous" if rng.random() < 0.35 else "named",
            "satisfaction": _grade(rng, 7.3 + shift + 0.9 * lat, 0, 10),
            "loyalty": _grade(rng, 7.6 + shift + 0.8 * lat, 0, 10),
            "recommendation": _grade(rng, 7.1 + shift + 1.1 * lat, 0, 10, 1.1),
        }
        for dimension, means in _GRADES.items():
            answers[dimension] = _grade(rng, means[second] + 0.6 * lat, 1, 10)
        answers["customer_since"] = c.since
        answers["frustration"] = rng.choice(_FRUSTRATIONS) if rng.random() < 0.3 else None
        return answers

    def staff_answers(self, rng: random.Random, survey: str) -> Answers:
        if survey == "mto":
            mood = rng.gauss(0, 0.8)
            answers: Answers = {k: _grade(rng, v + mood, 1, 10) for k, v in _MTO.items()}
            answers["enps"] = _grade(rng, 7.2 + mood, 0, 10, 1.3)
            return answers
        answers = {
            "satisfaction": _grade(rng, 8.0, 0, 10, 0.7),
            "loyalty": _grade(rng, 8.2, 0, 10, 0.7),
            "recommendation": _grade(rng, 7.9, 0, 10, 0.8),
        }
        for dimension, (_, second, bias) in _GRADES.items():
            answers[dimension] = _grade(rng, second + bias, 1, 10, 0.7)
        answers["frustration"] = None
        return answers

    async def answer_as(self, address: str) -> None:
        """The person answers the questions they are asked, one tap or message each."""
        plan = self.plans.pop(address, None)
        if plan is None:
            return
        answers = plan[1]
        service = self.app.service
        for _ in range(64):
            question = self.channel.question(address)
            if question is None:
                return
            event = _event_for(question, answers)
            if event is None:
                return
            handled = await service.handle(Inbound("telegram", address, address, event))
            if handled.status is not Status.ACTIVE:
                if handled.status is Status.COMPLETED:
                    self.day.answered += 1
                    self.summary.responses += 1
                break
            if self.channel.question(address) is question:
                break  # refused: the person gives up rather than try forever
        await service.settled()

    # -- staff acting on flags -----------------------------------------------------------

    async def _flag_rng(self, flag_id: str, purpose: str) -> tuple[random.Random, str] | None:
        async with self.app.storage.transaction(write=False) as tx:
            flag = await tx.flag(flag_id)
            contact = await tx.contact_by_id(flag.contact_id) if flag and flag.contact_id else None
        if flag is None or flag.status == "closed":
            return None
        who = contact.ref if contact else "?"
        return self.person_rng("flag", purpose, who, flag.raised_at.isoformat()), flag.kind

    async def follow_up(self, flag_id: str, owner: str) -> None:
        """The owner of a flag calls the customer and closes it: mostly within days, now
        and then only after it was escalated."""
        found = await self._flag_rng(flag_id, "follow-up")
        if found is None:
            return
        rng, kind = found
        if rng.random() < 0.12:
            async with self.app.storage.transaction(write=False) as tx:
                flag = await tx.flag(flag_id)
            assert flag is not None
            late = self.app.config.followup_escalation + timedelta(days=rng.uniform(1, 8))
            when = max(flag.raised_at + late, self.clock.now)
        else:
            when = self.clock.now + timedelta(days=rng.uniform(0.3, 12))
        note = rng.choice(_OUTCOMES.get(kind, _OUTCOMES["detractor"]))
        self.at(when, f"flag:{owner}", lambda: self.close_flag(flag_id, owner, note))

    async def close_flag(self, flag_id: str, owner: str, note: str) -> None:
        try:
            await self.scheduler.flags.close(flag_id, f"staff:{owner}", note)
        except FlagError:
            return
        self.day.flags_closed += 1

    async def take_on(self, message: Message) -> None:
        """The coordinator takes on a flag nobody could forward: at the reminder most of the
        time, else once it was escalated."""
        found = await self._flag_rng(message.subject, "take")
        if found is None:
            return
        rng, _kind = found
        if message.kind == "flag.forward_reminder" and rng.random() < 0.4:
            return  # busy: it will be escalated
        member = self.staff[_COORDINATOR]
        try:
            await self.scheduler.flags.take(message.subject, member, f"staff:{_COORDINATOR}")
        except FlagError:
            return
        await self.follow_up(message.subject, _COORDINATOR)

    async def close_action_item(self, subject: str) -> None:
        """The coordinator deals with the widest gap of the action plan first."""
        mirror_id, _, kto_id = subject.partition(":")
        async with self.app.storage.transaction(write=False) as tx:
            items = [
                i
                for i in await tx.action_items()
                if (i.mirror_wave_id, i.kto_wave_id) == (mirror_id, kto_id) and i.status != "closed"
            ]
        if not items:
            return
        widest = max(items, key=lambda i: (abs(i.staff_mean - i.customer_mean), i.dimension))
        try:
            await self.scheduler.plan.close(widest.id, f"staff:{_COORDINATOR}", _ACTION_NOTE)
        except FlagError:
            return

    # -- what the organisation does ------------------------------------------------------

    def start_wave(self, when: datetime, survey: str, label: str, days: int) -> None:
        async def start() -> None:
            closes = when + timedelta(days=days, hours=8)
            started = await self.scheduler.waves.start(
                survey, {}, closes, f"staff:{_COORDINATOR}", label=label
            )
            assert isinstance(started, StartedWave)
            self.waves[started.wave.id] = label
            self.summary.waves.append(label)
            self.day.opened.append(label)
            self.at(closes, f"closed:{label}", lambda: self.closed(label))
            publish_at = when + timedelta(days=days) + _PUBLISH_AFTER
            self.at(publish_at, f"publish:{label}", lambda: self.publish(started.wave.id))

        self.at(when, f"wave:{label}", start)

    async def closed(self, label: str) -> None:
        self.day.closed.append(label)

    async def publish(self, wave_id: str) -> None:
        app = self.app
        try:
            await publish_wave(
                app.storage,
                app.surveys,
                app.config,
                wave_id,
                f"staff:{_COORDINATOR}",
                self.clock.now,
            )
        except PublishError:
            return
        self.day.published.append(self.waves[wave_id])

    def support_call(self, when: datetime, ref: str) -> None:
        async def call() -> None:
            scheduled = await self.scheduler.invitations.record_interaction(
                ref, "support call", "csat", "crm"
            )
            if scheduled.invitation_id is not None:
                self.day.interactions += 1

        self.at(when, f"call:{ref}", call)

    def evidence(self, when: datetime) -> None:
        async def add() -> None:
            await add_evidence(
                self.app.storage,
                "management_presentation",
                _EVIDENCE_NOTE,
                f"staff:{_COORDINATOR}",
                self.clock.now,
            )

        self.at(when, "evidence", add)


def _event_for(question: Reply, answers: Answers) -> Event | None:
    """The tap (or message) that gives the planned answer to `question`."""
    qid, revision, conversation = question.question_id, question.revision, question.conversation
    planned = answers.get(qid or "")
    if planned is None:
        if question.skippable:
            return Event(EventKind.SKIP, "", qid, revision, conversation)
        return None
    value = str(planned)
    if question.options:
        if not any(o.value == value for o in question.options):
            return None
        return Event(EventKind.PRESS, value, qid, revision, conversation)
    return Event(EventKind.TEXT, value)


async def _is_empty(tx: Transaction) -> bool:
    counts = await tx.response_counts()
    return not counts and not await tx.contacts() and not await tx.staff()


def demo_config(config: Config) -> Config:
    """The settings the demo runs on: the installation's own, with the demo's chats (its
    people are on its own Telegram-like channel, its staff chat is its own) and no
    scheduled waves (the demo starts its waves itself)."""
    return replace(
        config,
        staff_chat=ChatAddress("telegram", STAFF_CHAT),
        telegram_token=Secret("demo"),
        slack_bot_token=None,
        wave_schedule=(),
    )


async def seed_demo(
    storage: Storage,
    config: Config,
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    days: int = DEFAULT_DAYS,
    on_day: Callable[[date, str], None] | None = None,
) -> DemoSummary:
    """Play the demo organisation's last `days` days before `today` through the bot, into
    an empty database; `on_day` hears a line for each day on which something happened."""
    if days < 1:
        raise ValueError("the demo plays at least one day")
    async with storage.transaction(write=False) as tx:
        if not await _is_empty(tx):
            raise DatabaseNotEmpty(storage.url)
    end = datetime.combine(today, time(0, 0), tzinfo=UTC)
    start = end - timedelta(days=days)
    clock = DemoClock(start)
    channel = DemoChannel()

    def attach(app: App) -> None:
        app.service.attach(channel)

    app = await build_app(
        demo_config(config), factories=[attach, scheduler_component], storage=storage, clock=clock
    )
    assert app.scheduler is not None
    # The demo's channel never fails a send, so no reply is ever owed: replies go once, as
    # they come (as in `klantstem try`), without an outbox row to drop after each answer.
    app.service.reply_grace = None
    world = _World(app, app.scheduler, clock, channel, seed)
    await app.scheduler.followup.ensure_digest()

    def day_at(offset: float, hour: float) -> datetime:
        return end + timedelta(days=offset, hours=hour)

    # Everything is drawn for the whole story, then only what falls in the window plays:
    # a shorter demo is the end of the same story.
    clock.move_to(start + timedelta(hours=8))
    await world.people()
    year = (today + timedelta(days=_SPRING_DAY)).year
    for offset, survey, label, length in (
        (_SPRING_DAY, "kto", f"KTO {year} spring", _KTO_DAYS),
        (_MTO_DAY, "mto", f"MTO {(today + timedelta(days=_MTO_DAY)).year}", _STAFF_DAYS),
        (_AUTUMN_DAY, "kto", f"KTO {today.year} autumn", _KTO_DAYS),
        (_MIRROR_DAY, "mirror", f"Mirror {today.year}", _STAFF_DAYS),
    ):
        if day_at(offset, 9) >= start:
            world.start_wave(day_at(offset, 9), survey, label, length)
    refs = [c.ref for c in world.customers.values()]
    for month in range(_CSAT_MONTHS, 0, -1):
        for _ in range(world.rng.randint(22, 30)):
            ref = world.rng.choice(refs)
            when = day_at(-30 * month + world.rng.uniform(0, 29), world.rng.uniform(9, 16))
            if start <= when < end:
                world.support_call(when, ref)
    if day_at(_EVIDENCE_DAY, 14) >= start:
        world.evidence(day_at(_EVIDENCE_DAY, 14))

    def line(day: date, happened: _Day, sent: Counter[str]) -> None:
        text = _day_line(happened, sent)
        if text and on_day is not None:
            on_day(day, text)

    await world.run(end, line)
    async with storage.transaction(write=False) as tx:
        world.summary.flags = len(await tx.flags())
    world.summary.days = days
    await app.service.settled()
    return world.summary


def _day_line(happened: _Day, sent: Counter[str]) -> str:
    """One day in a few words: only what happened."""
    reminded = sent["flag.forward_reminder"] + sent["flag.followup_reminder"]
    escalated = sent["flag.forward_escalation"] + sent["flag.followup_escalation"]
    parts = [f"{label} opened" for label in happened.opened]
    parts += [
        f"{name} {n}"
        for name, n in (
            ("support calls", happened.interactions),
            ("invited", sent["invite"]),
            ("reminded", sent["remind"]),
            ("answered", happened.answered),
            ("flags raised", sent["flag.alert"]),
            ("flag reminders", reminded),
            ("escalations", escalated),
            ("flags closed", happened.flags_closed),
        )
        if n
    ]
    parts += [f"{label} closed" for label in happened.closed]
    parts += [f"results of {label} sent" for label in happened.published]
    return ", ".join(parts)
