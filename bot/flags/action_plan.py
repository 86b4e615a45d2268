"""G-F4: where the mirror survey and the KTO disagree, an action item with an owner and a due date.

When a wave closes (an outbox row queued by the close), it is paired with the latest
closed wave on the other side: a mirror wave with its KTO's, a KTO wave with each mirror
survey's. Every dimension whose staff prediction and customer grade differ by at least
`KLANTSTEM_MIRROR_GAP` becomes an action item, unless either group must be hidden: below
the minimum group size, or with an anonymous part of 1 to the minimum - 1 (the figures
would expose anonymous answers, so they are not shown or used).
Items are tracked like flags: a history, an escalation to the admins at the due date.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from bot.conversations.service import Service
from bot.delivery import DeliveryFailed, Unreachable
from bot.flags import notices
from bot.flags.flags import SYSTEM, FlagError, clean_note
from bot.flags.staff_reach import StaffReach
from bot.outbox.kinds import SharedJob
from bot.outbox.queue import Done, Outbox, Retry, backoff
from bot.references import only_match
from bot.storage import Transaction, new_id
from bot.storage.flags_sql import ActionItem, ActionStatus
from bot.storage.outbox_sql import Job
from bot.storage.report_sql import Slice
from bot.storage.waves_sql import Wave
from flows import Survey
from scoring.mirror import MirrorGap, discrepancies, mirror_rows
from scoring.stats import count


class ActionJob(StrEnum):
    """The outbox kinds of the action plan; the values are what `outbox.kind` holds."""

    PLAN = "action.plan"
    ESCALATION = "action.escalation"


def dimension_histograms(
    survey: Survey, histograms: Mapping[str, dict[int, int]]
) -> dict[str, dict[int, int]]:
    """Per dimension, the score histogram of the question that grades it."""
    return {
        q.dimension: histograms[q.id]
        for q in survey.questions
        if q.dimension is not None and q.id in histograms
    }


class ActionPlan:
    """Making, announcing, escalating and closing action items."""

    def __init__(self, service: Service, reach: StaffReach) -> None:
        self.service = service
        self.config = service.config
        self.reach = reach

    def register(self, outbox: Outbox) -> None:
        """Handle closed waves, plan announcements and due action items."""
        outbox.register(SharedJob.WAVE_CLOSED, self.wave_closed)
        outbox.register(ActionJob.PLAN, self.announce)
        outbox.register(ActionJob.ESCALATION, self.escalate)

    async def _pairs(self, tx: Transaction, wave: Wave) -> list[tuple[Wave, Wave]]:
        """(mirror wave, KTO wave) pairs the closed `wave` completes."""
        survey = self.service.surveys.get(wave.survey_id)
        if survey is None:
            return []
        if survey.mirrors:
            kto = await tx.latest_closed_wave(survey.mirrors)
            return [(wave, kto)] if kto else []
        pairs = []
        for other in self.service.surveys.values():
            if other.mirrors == survey.id:
                mirror = await tx.latest_closed_wave(other.id)
                if mirror:
                    pairs.append((mirror, wave))
        return pairs

    async def _gaps(self, tx: Transaction, mirror: Wave, kto: Wave) -> list[MirrorGap]:
        sides, anonymous = [], []
        for wave in (mirror, kto):
            survey = self.service.surveys[wave.survey_id]
            sides.append(
                dimension_histograms(survey, await tx.score_histograms(survey.id, wave.id))
            )
            hidden = await tx.histograms(Slice(survey.id, wave.id).anonymous())
            anonymous.append({d: count(h) for d, h in dimension_histograms(survey, hidden).items()})
        rows = mirror_rows(
            sides[0],
            sides[1],
            staff_anonymous=anonymous[0],
            customer_anonymous=anonymous[1],
            min_group=self.config.min_group_size,
        )
        shown = [row.figures for row in rows if row.figures is not None]
        return discrepancies(shown, self.config.mirror_gap)

    async def _owner(self, tx: Transaction) -> str | None:
        staff = await tx.staff()
        wanted = self.config.action_owner
        chosen = next((m for m in staff if m.ref == wanted), None) if wanted else None
        chosen = chosen or next((m for m in staff if m.is_admin), None)
        return chosen.id if chosen else None

    async def wave_closed(self, job: Job) -> Done:
        """Outbox handler: make the action items of the pairs this closed wave completes."""
        now = self.service.clock()
        async with self.service.storage.transaction(write=False) as tx:
            wave = await tx.wave(job.subject)
            pairs = await self._pairs(tx, wave) if wave else []
            found = [(m, k, await self._gaps(tx, m, k)) for m, k in pairs]
            owner = await self._owner(tx)
        items = [
            ActionItem(
                id=new_id(),
                mirror_wave_id=mirror.id,
                kto_wave_id=kto.id,
                dimension=gap.dimension,
                staff_mean=gap.staff.mean or 0.0,
                customer_mean=gap.customers.mean or 0.0,
                owner_staff_id=owner,
                status=ActionStatus.OPEN,
                created_at=now,
                due_at=now + self.config.action_due,
            )
            for mirror, kto, gaps in found
            for gap in gaps
        ]
        if not items:
            return Done("no action items")

        async def apply(tx: Transaction) -> None:
            jobs = []
            for item in items:
                if await tx.insert_action_item(item):
                    await tx.add_action_event(item.id, now, SYSTEM, "created", item.dimension)
                    escalation = ActionJob.ESCALATION
                    jobs.append((f"{escalation}:{item.id}", escalation, item.id, item.due_at))
            for mirror, kto, _gaps in found:
                pair = f"{mirror.id}:{kto.id}"
                jobs.append((f"{ActionJob.PLAN}:{pair}", ActionJob.PLAN, pair, now))
            await tx.schedule_jobs(jobs, now)

        return Done(f"{len(items)} action items", apply=apply)

    async def announce(self, job: Job) -> Done:
        """Outbox handler: tell the staff chat about the action items of one pair."""
        chat = self.reach.staff_chat()
        if chat is None:
            return Done("skipped: no staff chat")
        mirror_id, _, kto_id = job.subject.partition(":")
        async with self.service.storage.transaction(write=False) as tx:
            items = [
                i
                for i in await tx.action_items()
                if (i.mirror_wave_id, i.kto_wave_id) == (mirror_id, kto_id)
            ]
            owners = {m.id: m.name for m in await tx.staff() if m.id}
        if not items:
            return Done("nothing to announce")
        notice = notices.action_plan(
            items, owners, self.config.mirror_gap, chat.language, self.config.timezone
        )
        try:
            ref = await self.reach.post(job, chat, notice)
        except Unreachable:
            return Done("unreachable: staff chat")
        except DeliveryFailed as exc:
            raise Retry(backoff(job, self.service.clock()), str(exc)) from None
        return Done("sent", ref)

    async def escalate(self, job: Job) -> Done:
        """Outbox handler: an action item reached its due date open."""
        now = self.service.clock()
        async with self.service.storage.transaction(write=False) as tx:
            item = await tx.action_item(job.subject)
            if item is None or item.status == ActionStatus.CLOSED:
                return Done("skipped: closed in time")
            admins = await self.reach.admins(tx)
        sent = await self.reach.post_each(
            job,
            [
                (r, notices.action_escalation(item, r.language, self.config.timezone))
                for r in admins
            ],
        )

        async def apply(tx: Transaction) -> None:
            await tx.add_action_event(
                item.id, now, SYSTEM, "escalated", f"told {sent} admin chat(s)"
            )

        return Done("sent" if sent else "nobody to tell", apply=apply)

    async def find(self, ref: str) -> ActionItem:
        """The action item whose id starts with `ref` (at least 4 characters)."""
        if len(ref.strip()) < 4:
            raise FlagError("give at least 4 characters of the reference")
        async with self.service.storage.transaction(write=False) as tx:
            found = await tx.action_items_starting_with(ref)
        return only_match(found, ref, "action item", FlagError)

    async def close(self, item_id: str, actor: str, note: str) -> None:
        """Close an action item with what was done."""
        note = clean_note(note)
        now = self.service.clock()
        async with self.service.storage.transaction() as tx:
            if not await tx.close_action_item(item_id, now, note):
                raise FlagError("this action item was closed already")
            await tx.add_action_event(item_id, now, actor, "closed", note)
