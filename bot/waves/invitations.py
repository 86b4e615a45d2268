"""Sending invitations and the one reminder, and scheduling surveys after interactions.

An invitation is sent by opening the survey for the person's linked identity through the
service (`Service.begin(..., broadcast=True)`), on the first of their channels that is
attached and not known to be unreachable. `Unreachable` marks that identity and tries the
next; with none left the invitation is "unreachable" and the wave goes on. A
`DeliveryFailed` is tried again later with backoff, up to `KLANTSTEM_OUTBOX_MAX_ATTEMPTS`
tries (then the row is given up and the admins are told), and so is a person whose
platforms are not running in this process (for as many tries, then "unreachable").
Nothing goes out in quiet hours of the person's time zone (waiting for them is not a
try), and no reminder goes out once the wave closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot import i18n
from bot.conversations.service import Completion, ConversationBusy, Service
from bot.delivery import DeliveryFailed, Unreachable
from bot.outbox.queue import Apply, Done, Outbox, Retry, backoff
from bot.storage import Transaction, new_id
from bot.storage.outbox_sql import Job
from bot.storage.records import Identity
from bot.storage.waves_sql import Invitation, InvitationStatus
from flows import Event, EventKind, Reply, ReplyKind, Status, step

log = logging.getLogger(__name__)


class InvitationJob(StrEnum):
    """The outbox kinds of an invitation; the values are what `outbox.kind` holds."""

    INVITE = "invite"
    REMIND = "remind"


BUSY_RETRY = timedelta(hours=1)
"""An invitation to someone in the middle of another survey is tried again this much later."""


class InteractionRefused(ValueError):
    """An interaction that cannot schedule a survey; the message says why."""


@dataclass(frozen=True)
class Scheduled:
    """What an interaction led to: an invitation due at a time, or why none."""

    invitation_id: str | None
    due_at: datetime | None
    skipped_because: str | None = None
    last_asked: datetime | None = None


class Invitations:
    """Invitation and reminder sending (outbox handlers) and interaction triggers."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.config = service.config

    def register(self, outbox: Outbox) -> None:
        """Handle the invitation and reminder rows of the outbox."""
        outbox.register(InvitationJob.INVITE, self.send_invitation)
        outbox.register(InvitationJob.REMIND, self.send_reminder)

    # -- timing -----------------------------------------------------------------------

    def allowed_at(self, moment: datetime, timezone: str | None) -> datetime:
        """`moment`, or the end of the quiet hours in the person's time zone."""
        quiet = self.config.quiet_hours
        if quiet is None:
            return moment
        return quiet.next_allowed(moment, timezone or self.config.timezone)

    async def _timezone(self, tx: Transaction, invitation: Invitation) -> str | None:
        if invitation.contact_id is None:
            return None
        contact = await tx.contact_by_id(invitation.contact_id)
        return contact.timezone if contact else None

    # -- interactions -----------------------------------------------------------------

    async def record_interaction(
        self, contact_ref: str, touchpoint: str, survey_id: str | None, actor: str
    ) -> Scheduled:
        """Schedule a contact's survey after an interaction (delay, quiet hours), unless
        the contact was asked anything within the survey's contact-frequency period."""
        survey_id = survey_id or self.config.interaction_survey
        survey = self.service.surveys.get(survey_id)
        if survey is None:
            raise InteractionRefused(f"unknown survey {survey_id!r}")
        if survey.always_anonymous:
            raise InteractionRefused(f"{survey_id!r} is an employee survey, not for contacts")
        touchpoint = touchpoint.strip()
        if not touchpoint or len(touchpoint) > 64:
            raise InteractionRefused("the touchpoint needs a name of 1 to 64 characters")
        now = self.service.clock()
        period = self.config.contact_frequency_overrides.get(
            survey_id, self.config.contact_frequency
        )
        async with self.service.storage.transaction() as tx:
            contact_id = await tx.contact_id_by_ref(contact_ref)
            contact = await tx.contact_by_id(contact_id) if contact_id else None
            if contact is None or contact.id is None:
                raise InteractionRefused(f"unknown contact {contact_ref!r}")
            last = await tx.last_asked(contact.id)
            due = self.allowed_at(now + self.config.interaction_delay, contact.timezone)
            if last is not None and due - last < period:
                await tx.audit(
                    actor,
                    "interaction.skipped",
                    {"contact": contact_ref, "touchpoint": touchpoint, "survey": survey_id},
                    now,
                )
                return Scheduled(None, None, "contact-frequency", last)
            invitation = Invitation(
                id=new_id(),
                survey_id=survey_id,
                due_at=due,
                created_at=now,
                contact_id=contact.id,
                touchpoint=touchpoint,
            )
            await tx.insert_invitations([invitation])
            invite = InvitationJob.INVITE
            await tx.schedule_jobs([(f"{invite}:{invitation.id}", invite, invitation.id, due)], now)
            await tx.audit(
                actor,
                "interaction",
                {"contact": contact_ref, "touchpoint": touchpoint, "survey": survey_id},
                now,
            )
        return Scheduled(invitation.id, due, last_asked=last)

    # -- sending ----------------------------------------------------------------------

    async def send_invitation(self, job: Job) -> Done:
        """Outbox handler: open the survey in the person's chat."""
        now = self.service.clock()
        async with self.service.storage.transaction(write=False) as tx:
            invitation = await tx.invitation(job.subject)
            if invitation is None or invitation.status != InvitationStatus.PENDING:
                return Done("skipped: not pending")
            wave = await tx.wave(invitation.wave_id) if invitation.wave_id else None
            if wave is not None and not wave.is_open(now):
                return Done("skipped: wave closed")
            allowed = self.allowed_at(now, await self._timezone(tx, invitation))
            identities = await tx.reachable_identities(
                contact_id=invitation.contact_id, staff_id=invitation.staff_id
            )
        if allowed > now:
            raise Retry(allowed, "quiet hours", postpone=True)
        running = [i for i in identities if i.channel in self.service.channels]
        for identity in running:
            try:
                ref = await self._open_survey(job, identity, invitation)
            except Unreachable:
                await self._unreachable(identity, invitation, now)
                continue
            except DeliveryFailed as exc:
                raise Retry(backoff(job, now), str(exc) or "delivery failed") from None
            except ConversationBusy:
                # Never throw away answers of a survey under way: ask when it has ended.
                raise Retry(now + BUSY_RETRY, "answering another survey", postpone=True) from None
            return Done("sent", ref, self._sent(invitation, now))
        if identities and not running and job.attempts < self.config.outbox_max_attempts:
            # Their platform is not running in this process (yet): a misconfigured or
            # restarting bot must not write the whole wave off as unreachable.
            raise Retry(backoff(job, now), "no running channel for this person")
        return Done(
            "unreachable", apply=self._mark(invitation.id, InvitationStatus.UNREACHABLE, now)
        )

    async def _open_survey(
        self, job: Job, identity: Identity, invitation: Invitation
    ) -> str | None:
        channel = self.service.channels[identity.channel]

        async def begin() -> None:
            await self.service.begin(
                identity.channel,
                identity.external_id,
                identity.external_id,
                invitation.survey_id,
                wave_id=invitation.wave_id,
                invitation_id=invitation.id,
                broadcast=True,
            )

        return await Outbox.deliver(job, channel, begin)

    async def _unreachable(self, identity: Identity, invitation: Invitation, now: datetime) -> None:
        log.info("%s user %s is unreachable", identity.channel, identity.external_id)
        async with self.service.storage.transaction() as tx:
            await tx.mark_unreachable(identity.id, now)
            await tx.delete_invitation_session(invitation.id)

    def _mark(self, invitation_id: str, status: InvitationStatus, now: datetime) -> Apply:
        async def apply(tx: Transaction) -> None:
            await tx.mark_invitation(
                invitation_id, status, now, only_from=(InvitationStatus.PENDING,)
            )

        return apply

    def _sent(self, invitation: Invitation, now: datetime) -> Apply:
        async def apply(tx: Transaction) -> None:
            if not await tx.mark_invitation(
                invitation.id, InvitationStatus.SENT, now, only_from=(InvitationStatus.PENDING,)
            ):
                return
            if self.config.reminder_after.total_seconds() <= 0:
                return
            wave = await tx.wave(invitation.wave_id) if invitation.wave_id else None
            due = now + self.config.reminder_after
            if wave is not None and wave.closes_at is not None and due >= wave.closes_at:
                return
            remind = InvitationJob.REMIND
            await tx.schedule_jobs([(f"{remind}:{invitation.id}", remind, invitation.id, due)], now)

        return apply

    async def send_reminder(self, job: Job) -> Done:
        """Outbox handler: the one reminder, repeating the question the person is at."""
        now = self.service.clock()
        async with self.service.storage.transaction(write=False) as tx:
            invitation = await tx.invitation(job.subject)
            if (
                invitation is None
                or invitation.status != InvitationStatus.SENT
                or invitation.reminded_at
            ):
                return Done("skipped: answered or reminded")
            wave = await tx.wave(invitation.wave_id) if invitation.wave_id else None
            if wave is not None and not wave.is_open(now):
                return Done("skipped: wave closed")
            allowed = self.allowed_at(now, await self._timezone(tx, invitation))
            open_session = await tx.invitation_session(invitation.id)
        if allowed > now:
            raise Retry(allowed, "quiet hours", postpone=True)
        if open_session is None or open_session.channel not in self.service.channels:
            return Done("skipped: conversation ended")
        stored = open_session.stored
        session = stored.session
        survey = self.service.surveys[stored.survey_id]
        tr = i18n.translator(session.language)
        outcome = step(
            survey,
            session,
            Event(EventKind.REPEAT),
            now=now,
            translator=tr,
            expire_after=self.config.session_expiry,
        )
        if outcome.session.status is not Status.ACTIVE:
            return Done("skipped: conversation expired")
        nudge = Reply(
            ReplyKind.NOTICE,
            tr.gettext(
                "A friendly reminder: we would still love to hear from you. It only takes a minute."
            ),
        )
        channel = self.service.channels[open_session.channel]

        async def send() -> None:
            await channel.send(
                stored.address, (nudge, *outcome.replies), session.language, broadcast=True
            )

        try:
            ref = await Outbox.deliver(job, channel, send)
        except Unreachable:
            return Done("unreachable")
        except DeliveryFailed as exc:
            raise Retry(backoff(job, now), str(exc) or "delivery failed") from None

        async def apply(tx: Transaction) -> None:
            await tx.mark_reminded(invitation.id, now)

        return Done("sent", ref, apply)

    # -- completion -------------------------------------------------------------------

    async def mark_done(self, tx: Transaction, completion: Completion) -> None:
        """Completion step: the invitation is done, or held with its anonymous answer."""
        if completion.invitation_id is None:
            return
        # The reminder row is left to find the invitation done when it comes due: ending it
        # now would store the moment of an anonymous answer.
        if completion.anonymous:
            await tx.mark_invitation_held(completion.invitation_id)
        else:
            await tx.mark_invitation_done(completion.invitation_id, completion.completed_at)
