"""A realistic synthetic organisation, so a newcomer sees a full report in one command.

A wholesale bakery supplier with 14 staff and 240 customers in four segments and four
regions, each customer with an account manager as contact person. Two KTO waves half a
year apart, an MTO wave, a mirror wave beside the second KTO, CSAT after support calls
over six months, flags in every state with their history, action items on the mirror
gaps, published results and one piece of certificate evidence.

Every row goes in through the storage methods the bot itself uses. The same seed and the
same anchor day give the same data (ids are random, as everywhere: they must not reveal
order or time).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.conversations.release import release_outside_waves, release_wave
from bot.reports.mirror import by_dimension
from bot.reports.publish import RESULT, result_key
from bot.storage import Storage, Transaction, new_id
from bot.storage.flags_sql import ActionItem, Flag
from bot.storage.records import Contact, NewResponse, StaffMember, StoredAnswer
from bot.storage.release_sql import HeldResponse
from bot.storage.report_sql import EvidenceRow, Slice
from bot.storage.waves_sql import Invitation, Wave
from bot.timeutil import to_text
from flows import Survey
from scoring.mirror import discrepancies, mirror_gaps
from scoring.suppression import DEFAULT_MIN_GROUP

DEFAULT_SEED = 2026
BOT = "klantstem"

# ref, name, admin, talks with customers
_STAFF: tuple[tuple[str, str, bool, bool], ...] = (
    ("S01", "Sanne de Vries", True, True),
    ("S02", "Mark Jansen", False, True),
    ("S03", "Fatima El Amrani", False, True),
    ("S04", "Pieter Bakker", False, True),
    ("S05", "Lotte Visser", False, True),
    ("S06", "Daan Smit", False, True),
    ("S07", "Noor Hendriks", False, True),
    ("S08", "Bram Mulder", False, False),
    ("S09", "Eva de Boer", False, False),
    ("S10", "Ruben Meijer", False, True),
    ("S11", "Iris Bos", False, False),
    ("S12", "Thijs Vos", False, False),
    ("S13", "Julia Peters", False, True),
    ("S14", "Sem Dekker", True, False),
)
_ACCOUNT_MANAGERS = ("S02", "S03", "S04")
_COORDINATOR = "S01"

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
_OUTCOMES = (
    "Called the customer; agreed on a new delivery window.",
    "Visited the customer; credit note sent for the late delivery.",
    "Thanked the customer; asked for a reference case.",
    "Explained the new invoice layout; customer satisfied.",
)


@dataclass
class DemoSummary:
    """What the demo wrote."""

    staff: int = 0
    contacts: int = 0
    waves: list[str] = field(default_factory=list)
    responses: int = 0
    flags: int = 0


class DatabaseNotEmpty(RuntimeError):
    """The demo only fills an empty database, so it never mixes with real data."""


@dataclass(frozen=True)
class _Customer:
    id: str
    ref: str
    language: str
    segment: str
    region: str
    manager: str
    since: str
    latent: float

    @property
    def attributes(self) -> dict[str, str]:
        return {"segment": self.segment, "region": self.region}


class _Demo:
    def __init__(
        self,
        tx: Transaction,
        surveys: dict[str, Survey],
        rng: random.Random,
        anchor: datetime,
        min_group: int,
    ) -> None:
        self.tx, self.surveys, self.rng, self.anchor = tx, surveys, rng, anchor
        self.min_group = min_group
        self.staff: dict[str, str] = {}
        self.customers: list[_Customer] = []
        self.summary = DemoSummary()

    def day(self, offset: float, hour: float = 0.0) -> datetime:
        return self.anchor + timedelta(days=offset, hours=hour)

    def grade(self, mean: float, low: int, high: int, spread: float = 0.9) -> int:
        return max(low, min(high, round(self.rng.gauss(mean, spread))))

    async def people(self) -> None:
        for i, (ref, name, admin, _) in enumerate(_STAFF, 1):
            member = StaffMember(
                ref=ref,
                name=name,
                email=f"{ref.lower()}@example.org",
                language="nl",
                is_admin=admin,
                telegram=str(800_000_000 + i),
            )
            await self.tx.upsert_staff(member, self.anchor)
        self.staff = {m.ref: m.id or "" for m in await self.tx.staff()}
        segments = list(_SEGMENTS)
        weights = [share for share, _ in _SEGMENTS.values()]
        for i in range(1, 241):
            segment = self.rng.choices(segments, weights)[0]
            region = self.rng.choice(list(_REGIONS))
            ref = f"C{i:03d}"
            contact = Contact(
                ref=ref,
                name=f"{self.rng.choice(_KINDS)} {self.rng.choice(_NAMES)}",
                email=f"{ref.lower()}@example.com",
                language="nl" if self.rng.random() < 0.7 else "en",
                timezone="Europe/Amsterdam",
                contact_person=self.rng.choice(_ACCOUNT_MANAGERS),
                attributes={"segment": segment, "region": region},
                telegram=str(700_000_000 + i),
            )
            await self.tx.upsert_contact(contact, self.anchor)
        for c in await self.tx.contacts():
            since = self.rng.choices(("lt1", "y1to3", "gt3"), (0.2, 0.35, 0.45))[0]
            effect = _SEGMENTS[c.attributes["segment"]][1] + _REGIONS[c.attributes["region"]]
            self.customers.append(
                _Customer(
                    id=c.id or "",
                    ref=c.ref,
                    language=c.language or "nl",
                    segment=c.attributes["segment"],
                    region=c.attributes["region"],
                    manager=c.contact_person or _ACCOUNT_MANAGERS[0],
                    since=since,
                    latent=self.rng.gauss(effect, 1.0),
                )
            )
        self.summary.staff, self.summary.contacts = len(self.staff), len(self.customers)

    async def wave(
        self,
        survey_id: str,
        label: str,
        opened: int,
        days: int,
        invitees: Sequence[tuple[str | None, str | None]],
    ) -> tuple[Wave, list[Invitation]]:
        survey = self.surveys[survey_id]
        wave = Wave(
            id=new_id(),
            survey_id=survey_id,
            survey_version=survey.version,
            label=label,
            population={"all": True},
            opened_at=self.day(opened, 9),
            closes_at=self.day(opened + days, 17),
            created_by=_COORDINATOR,
        )
        await self.tx.insert_wave(wave)
        invitations = [
            Invitation(
                id=new_id(),
                survey_id=survey_id,
                due_at=wave.opened_at,
                created_at=wave.opened_at,
                wave_id=wave.id,
                contact_id=contact,
                staff_id=staff,
            )
            for contact, staff in invitees
        ]
        await self.tx.insert_invitations(invitations)
        self.summary.waves.append(label)
        return wave, invitations

    async def respond(
        self,
        survey: Survey,
        wave_id: str | None,
        when: datetime,
        answers: dict[str, int | str],
        *,
        anonymous: bool,
        customer: _Customer | None = None,
    ) -> str | None:
        """Store one response: a named one at once (its id), an anonymous one held."""
        named = customer is not None and not anonymous
        identity = None
        if named and customer is not None:
            found = await self.tx.identity("telegram", str(700_000_000 + int(customer.ref[1:])))
            identity = found.id if found else None
        stored = tuple(
            StoredAnswer(qid, score=v)
            if isinstance(v, int)
            else StoredAnswer(qid, choice=v)
            if survey.question(qid).choices
            else StoredAnswer(qid, text=v)
            for qid, v in answers.items()
        )
        self.summary.responses += 1
        if not named:
            # Anonymous answers take the product's own path: held, then released in a
            # batch of at least k (a wave's at its close, others once k wait).
            held = HeldResponse(
                survey.id,
                survey.version,
                wave_id,
                None,
                None,
                customer.attributes if customer else {},
                stored,
            )
            await self.tx.hold_response(held, when)
            if wave_id is None:
                await release_outside_waves(self.tx, survey.id, self.min_group, when)
            return None
        return await self.tx.store_response(
            NewResponse(
                survey_id=survey.id,
                survey_version=survey.version,
                wave_id=wave_id,
                anonymous=False,
                contact_id=customer.id if customer else None,
                identity_id=identity,
                language=customer.language if customer else "nl",
                attributes=customer.attributes if customer else {},
                completed_at=when,
                answers=stored,
            )
        )

    async def kto_wave(self, label: str, opened: int, index: int) -> Wave:
        survey = self.surveys["kto"]
        wave, invitations = await self.wave(
            "kto", label, opened, 21, [(c.id, None) for c in self.customers]
        )
        by_contact = {c.id: c for c in self.customers}
        shift = 0.25 * index
        for invitation in invitations:
            invitation_id = invitation.id
            customer = by_contact[invitation.contact_id or ""]
            await self.tx.mark_invitation(
                invitation_id, "sent", wave.opened_at, only_from=("pending",)
            )
            if self.rng.random() < 0.03:
                await self.tx.mark_invitation(
                    invitation_id, "unreachable", wave.opened_at, only_from=("sent",)
                )
                continue
            if self.rng.random() > 0.5 + 0.05 * customer.latent:
                continue
            when = self.day(opened + self.rng.uniform(0.1, 20), 0)
            lat = customer.latent
            answers: dict[str, int | str] = {
                "satisfaction": self.grade(7.3 + shift + 0.9 * lat, 0, 10),
                "loyalty": self.grade(7.6 + shift + 0.8 * lat, 0, 10),
                "recommendation": self.grade(7.1 + shift + 1.1 * lat, 0, 10, 1.1),
            }
            for dimension, (first, second, _) in _GRADES.items():
                mean = (first, second)[index] + 0.6 * lat
                answers[dimension] = self.grade(mean, 1, 10)
            answers["customer_since"] = customer.since
            if self.rng.random() < 0.3:
                answers["frustration"] = self.rng.choice(_FRUSTRATIONS)
            anonymous = self.rng.random() < 0.35
            response_id = await self.respond(
                survey, wave.id, when, answers, anonymous=anonymous, customer=customer
            )
            await self.tx.mark_invitation_done(invitation_id, None if anonymous else when)
            score = int(answers["recommendation"])
            if response_id is not None and (score >= 9 or score <= 6):
                await self.flag(response_id, customer, score, when)
        return wave

    async def flag(
        self, response_id: str, customer: _Customer, score: int, raised: datetime
    ) -> None:
        flag_id = new_id()
        kind = "promoter" if score >= 9 else "detractor"
        raised = raised + timedelta(minutes=1)
        await self.tx.insert_flag(
            Flag(flag_id, response_id, customer.id, kind, "open", None, raised)
        )
        await self.tx.add_flag_event(flag_id, raised, BOT, "raised", f"recommendation {score}")
        await self.tx.mark_flags_alerted([flag_id], raised)
        await self.tx.add_flag_event(flag_id, raised, BOT, "alerted")
        self.summary.flags += 1
        now = self.anchor
        age = (now - raised).days
        roll = self.rng.random()
        owner = self.staff[customer.manager]
        if age > 40 or roll < 0.45:
            late = self.rng.random() < 0.12
            forwarded = raised + timedelta(
                days=self.rng.uniform(8, 10) if late else self.rng.uniform(0.1, 4)
            )
            closed = forwarded + timedelta(
                days=self.rng.uniform(25, 30) if late else self.rng.uniform(1, 12)
            )
            if forwarded >= now or closed >= now:
                forwarded, closed = raised + timedelta(hours=2), raised + timedelta(days=1)
            await self.forward(flag_id, owner, forwarded)
            await self.tx.close_flag(flag_id, closed, self.rng.choice(_OUTCOMES))
            await self.tx.add_flag_event(
                flag_id, closed, customer.manager, "closed", self.rng.choice(_OUTCOMES)
            )
        elif roll < 0.75:
            await self.forward(flag_id, owner, raised + timedelta(days=self.rng.uniform(0.1, 3)))
        else:
            for days, action in ((5, "reminded"), (7, "escalated")):
                if age >= days:
                    await self.tx.add_flag_event(
                        flag_id, raised + timedelta(days=days), BOT, action
                    )

    async def forward(self, flag_id: str, owner: str, at: datetime) -> None:
        await self.tx.forward_flag(flag_id, owner, at)
        await self.tx.add_flag_event(flag_id, at, _COORDINATOR, "forwarded")

    async def staff_wave(
        self,
        survey_id: str,
        label: str,
        opened: int,
        refs: Sequence[str],
        answer: Callable[[], dict[str, int | str]],
    ) -> Wave:
        survey = self.surveys[survey_id]
        wave, invitations = await self.wave(
            survey_id, label, opened, 14, [(None, self.staff[r]) for r in refs]
        )
        for invitation in invitations:
            invitation_id = invitation.id
            await self.tx.mark_invitation(
                invitation_id, "sent", wave.opened_at, only_from=("pending",)
            )
            if self.rng.random() < 0.82:
                when = self.day(opened + self.rng.uniform(0.1, 12))
                await self.respond(survey, wave.id, when, answer(), anonymous=True)
                await self.tx.mark_invitation_done(invitation_id, None)
        return wave

    def mto_answers(self) -> dict[str, int | str]:
        mood = self.rng.gauss(0, 0.8)
        answers: dict[str, int | str] = {k: self.grade(v + mood, 1, 10) for k, v in _MTO.items()}
        answers["enps"] = self.grade(7.2 + mood, 0, 10, 1.3)
        return answers

    def mirror_answers(self) -> dict[str, int | str]:
        answers: dict[str, int | str] = {
            "satisfaction": self.grade(8.0, 0, 10, 0.7),
            "loyalty": self.grade(8.2, 0, 10, 0.7),
            "recommendation": self.grade(7.9, 0, 10, 0.8),
        }
        for dimension, (_, second, bias) in _GRADES.items():
            answers[dimension] = self.grade(second + bias, 1, 10, 0.7)
        return answers

    async def csat_months(self, months: int) -> None:
        survey = self.surveys["csat"]
        for month in range(months, 0, -1):
            start = months - month
            for _ in range(self.rng.randint(22, 30)):
                customer = self.rng.choice(self.customers)
                asked = self.day(-30 * month + self.rng.uniform(0, 29), 10)
                if asked >= self.anchor:
                    continue
                invitation = Invitation(
                    id=new_id(),
                    survey_id="csat",
                    due_at=asked,
                    created_at=asked,
                    contact_id=customer.id,
                    touchpoint="support call",
                )
                await self.tx.insert_invitations([invitation])
                await self.tx.mark_invitation(invitation.id, "sent", asked, only_from=("pending",))
                if self.rng.random() > 0.6:
                    continue
                weights = (0.06, 0.08, 0.14, 0.38 - 0.01 * start, 0.34 + 0.01 * start)
                score = self.rng.choices((1, 2, 3, 4, 5), weights)[0]
                answers: dict[str, int | str] = {"csat": score}
                if score <= 3 and self.rng.random() < 0.5:
                    answers["improve"] = self.rng.choice(_FRUSTRATIONS)
                when = asked + timedelta(hours=self.rng.uniform(1, 30))
                anonymous = self.rng.random() < 0.3
                await self.respond(
                    survey, None, when, answers, anonymous=anonymous, customer=customer
                )
                await self.tx.mark_invitation_done(invitation.id, None if anonymous else when)

    async def action_items(self, mirror: Wave, kto: Wave, threshold: float) -> None:
        staff = by_dimension(
            self.surveys["mirror"], await self.tx.histograms(Slice("mirror", mirror.id))
        )
        customers = by_dimension(
            self.surveys["kto"], await self.tx.histograms(Slice("kto", kto.id))
        )
        created = (mirror.closes_at or self.anchor) + timedelta(days=1)
        for i, gap in enumerate(discrepancies(mirror_gaps(staff, customers), threshold)):
            item = ActionItem(
                id=new_id(),
                mirror_wave_id=mirror.id,
                kto_wave_id=kto.id,
                dimension=gap.dimension,
                staff_mean=gap.staff.mean or 0.0,
                customer_mean=gap.customers.mean or 0.0,
                owner_staff_id=self.staff[_COORDINATOR],
                status="open",
                created_at=created,
                due_at=created + timedelta(days=30),
            )
            await self.tx.insert_action_item(item)
            await self.tx.add_action_event(item.id, created, BOT, "created")
            if i == 0:
                done = created + timedelta(days=6)
                note = "Workshop with the account managers; intake checklist agreed."
                await self.tx.close_action_item(item.id, done, note)
                await self.tx.add_action_event(item.id, done, _COORDINATOR, "closed", note)

    async def publish(self, wave: Wave, at: datetime) -> None:
        """Results fed back: every recipient with a Telegram chat got them."""
        await self.tx.add_publication(new_id(), wave.id, _COORDINATOR, at)
        employees_only = self.surveys[wave.survey_id].mirrors is not None
        recipients = await self.tx.wave_recipients(wave.id, include_all_staff=not employees_only)
        jobs = [
            (result_key(wave.id, r.key), RESULT, wave.id, at)
            for r in recipients
            if "telegram" in r.chats
        ]
        await self.tx.schedule_jobs(jobs, at)
        await self.tx.cancel_jobs([wave.id], [RESULT], at, "sent")


async def _is_empty(tx: Transaction) -> bool:
    counts = await tx.response_counts()
    return not counts and not await tx.contacts() and not await tx.staff()


async def seed_demo(
    storage: Storage,
    surveys: dict[str, Survey],
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    mirror_gap: float = 1.0,
    min_group: int = DEFAULT_MIN_GROUP,
) -> DemoSummary:
    """Fill an empty database with the demo organisation, dated up to `today`."""
    rng = random.Random(seed)
    anchor = datetime.combine(today, time(0, 0), tzinfo=UTC)
    async with storage.transaction() as tx:
        if not await _is_empty(tx):
            raise DatabaseNotEmpty(storage.url)
        demo = _Demo(tx, surveys, rng, anchor, min_group)
        await demo.people()
        year = (today - timedelta(days=200)).year
        kto1 = await demo.kto_wave(f"KTO {year} spring", -200, 0)
        mto = await demo.staff_wave(
            "mto", f"MTO {year}", -100, [r for r, *_ in _STAFF], demo.mto_answers
        )
        customer_facing = [r for r, _, _, faces in _STAFF if faces]
        mirror = await demo.staff_wave(
            "mirror", f"Mirror {today.year}", -26, customer_facing, demo.mirror_answers
        )
        kto2 = await demo.kto_wave(f"KTO {today.year} autumn", -24, 1)
        await demo.csat_months(6)
        for wave in (kto1, mto, mirror, kto2):
            closed = wave.closes_at or anchor
            await tx.close_wave(wave.id, closed)
            await release_wave(tx, wave.survey_id, wave.id, min_group, closed)
        await demo.action_items(mirror, kto2, mirror_gap)
        for wave in (kto1, mto, mirror, kto2):
            await demo.publish(wave, (wave.closes_at or anchor) + timedelta(days=2))
        await tx.add_evidence(
            EvidenceRow(
                new_id(),
                "management_presentation",
                "Results of the spring KTO presented to the management team.",
                _COORDINATOR,
                to_text(demo.day(-150, 14)),
            )
        )
    return demo.summary
