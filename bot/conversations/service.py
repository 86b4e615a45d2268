"""The one path every respondent action takes: dedupe, load, step, save, send.

A platform update arrives as an `Inbound` (a neutral `flows.Event` plus who and where).
The service drops an update id it has seen, loads the respondent's session, calls the
pure `step()`, stores the result in one transaction with a revision check (storing the
response when the survey completes), and only then sends the replies through the channel
the update came from. A lost race on the revision re-runs the step on fresh state, and so
does a database connection lost before the commit (nothing of the unit was stored).

Whether a button may act is decided by `step()` in that same transaction: a button made
for another conversation, an older revision or another question is refused there, so of
two taps on one button only the first acts, whatever order the channel hands them over
in. `handle()` is `record()` (everything up to the commit) then `follow_up()` (the
sending); a channel that must acknowledge an update (Slack) calls the two itself and
acknowledges in between, so what it acknowledged is stored.

Switching language is an action like an answer (`EventKind.LANGUAGE`): the person's
language is stored on their identity with its audit entry in the transaction of the step
that asks the open question again (without one, the reply says so). Opening a personal
link and being forgotten are `link()` and `forget()`, from `bot.conversations.person`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import i18n, metrics
from bot.config.settings import Config
from bot.conversations import person
from bot.conversations.release import release_outside_waves
from bot.delivery import Channel
from bot.storage import ConnectionLost, StaleSession, Storage, Transaction
from bot.storage.identity_sql import Forgotten
from bot.storage.records import Identity, NewResponse, StoredAnswer, StoredSession
from bot.storage.release_sql import HeldResponse
from bot.timeutil import utc_now
from flows import (
    Answer,
    Event,
    EventKind,
    Kind,
    Reply,
    ReplyKind,
    Session,
    Status,
    Survey,
    completed_answers,
    start,
    step,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

REPLY = "reply"
"""Outbox kind of replies owed to a respondent (see `Service.reply_grace`)."""
DONE = "done"


class ConversationBusy(RuntimeError):
    """The person is in the middle of another survey; an invitation waits for it to end."""


def new_conversation_id() -> str:
    """A fresh conversation id: 6 random URL-safe characters (36 bits), short enough for
    Telegram's 64-byte button data and unlikely to repeat among one person's surveys."""
    return secrets.token_urlsafe(6)[:6]


def owed_key(at: int | str, address: str) -> str:
    """The key of an owed-reply row: unique, with the revision it was owed at (or DONE
    for the thank-you) and the chat it goes to."""
    return f"{REPLY}:{uuid.uuid4().hex}:{at}:{address}"


def parse_owed_key(key: str) -> tuple[str, str]:
    """(revision or DONE, address) of an owed-reply key."""
    _kind, _unique, at, address = key.split(":", 3)
    return at, address


@dataclass(frozen=True)
class Inbound:
    """A respondent's action as a channel hands it over."""

    channel: str
    user: str
    address: str
    event: Event
    update_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Completion:
    """A questionnaire that was just stored (passed to completion steps, e.g. flagging)."""

    response_id: str | None
    """The stored response of a named respondent; None for an anonymous one, which is
    held until its batch is released (bot/conversations/release.py)."""
    survey: Survey
    anonymous: bool
    contact_id: str | None
    answers: Mapping[str, Answer]
    completed_at: datetime
    wave_id: str | None = None
    invitation_id: str | None = None


@dataclass(frozen=True)
class Handled:
    """What became of an action: the replies sent and, once complete, the stored response."""

    replies: tuple[Reply, ...]
    status: Status | None = None
    duplicate: bool = False
    completion: Completion | None = None
    language: str = "en"
    released: int = 0
    """How many anonymous answers this action released (then the files are scrubbed)."""
    owed: str | None = None
    """The key of the outbox row that re-sends these replies if they never go out."""
    resend: tuple[str, ...] = ()
    """Owed rows of earlier replies that may not have gone out (a redelivered update, or a
    new action that changed nothing while they are open): the question the person is at
    goes again, and once it went out these rows are dropped."""


CompletionStep = Callable[[Transaction, Completion], Awaitable[None]]


@dataclass
class Service:
    """Runs conversations for every channel against one storage."""

    storage: Storage
    surveys: Mapping[str, Survey]
    config: Config
    clock: Callable[[], datetime] = utc_now
    channels: dict[str, Channel] = field(default_factory=dict)
    completion_steps: list[CompletionStep] = field(default_factory=list)
    _sent_owed: list[str] = field(default_factory=list, init=False, repr=False)
    _sending: set[str] = field(default_factory=set, init=False, repr=False)
    _dropping: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    reply_grace: timedelta | None = None
    """When set (the scheduler runs), each answer's replies are owed work: an outbox row
    due this long after, dropped once they went out, sent again by the sweep if not
    (bot/conversations/replies.py). None (e.g. `klantstem try`): replies are sent once,
    as they come."""

    def attach(self, channel: Channel) -> None:
        """Route replies for `channel.name` through this channel."""
        self.channels[channel.name] = channel

    async def begin(
        self,
        channel: str,
        user: str,
        address: str,
        survey_id: str,
        *,
        language: str | None = None,
        wave_id: str | None = None,
        invitation_id: str | None = None,
        broadcast: bool = False,
    ) -> Handled:
        """Open a survey for a platform user and ask question 1, replacing an unfinished one
        that has no answers yet.

        `broadcast` marks an invitation sent as part of a wave or a scheduled trigger. Nothing
        answered is thrown away: the same invitation sent again goes on where the person is,
        and an invitation to another survey while one is under way raises
        `ConversationBusy` (the caller tries again later).
        """
        survey = self.surveys[survey_id]
        now = self.clock()
        async with self.storage.transaction() as tx:
            identity = await tx.ensure_identity(channel, user, now)
            lang = await self._language(tx, identity, language)
            existing = await tx.load_session(identity.id)
            under_way = (
                existing is not None
                and existing.session.revision > 0
                and now - existing.session.updated_at < self.config.session_expiry
            )
            resume = False
            if existing is not None and under_way and invitation_id is not None:
                if existing.invitation_id != invitation_id:
                    raise ConversationBusy(existing.survey_id)
                resume = True
            conversation = new_conversation_id()
            if (
                existing is not None
                and existing.session.revision == 0
                and existing.survey_id == survey.id
                and existing.invitation_id == invitation_id
            ):
                # The same invitation (or survey) again before anything was answered: the
                # buttons of the message sent before stay as good as the new ones.
                conversation = existing.session.conversation
            outcome = start(
                survey,
                language=lang,
                now=now,
                translator=i18n.translator(lang),
                conversation=conversation,
            )
            if not resume:
                await tx.delete_session(identity.id)
                await tx.insert_session(
                    StoredSession(
                        identity.id, survey.id, address, outcome.session, wave_id, invitation_id
                    )
                )
        if resume:
            return await self.repeat(channel, user, address, broadcast=broadcast)
        await self._send(channel, address, outcome.replies, lang, broadcast=broadcast)
        return Handled(outcome.replies, outcome.session.status, language=lang)

    async def repeat(
        self, channel: str, user: str, address: str, *, broadcast: bool = False
    ) -> Handled:
        """Send a person the question they are at again (nothing is stored); raises what
        the channel raises."""
        now = self.clock()
        async with self.storage.transaction(write=False) as tx:
            identity = await tx.identity(channel, user)
            stored = await tx.load_session(identity.id) if identity else None
        if stored is None:
            return Handled(())
        session = stored.session
        outcome = step(
            self.surveys[stored.survey_id],
            session,
            Event(EventKind.REPEAT),
            now=now,
            translator=i18n.translator(session.language),
            expire_after=self.config.session_expiry,
        )
        if outcome.session.status is not Status.ACTIVE:
            return Handled((), outcome.session.status, language=session.language)
        await self._send(
            channel, stored.address, outcome.replies, session.language, broadcast=broadcast
        )
        return Handled(outcome.replies, Status.ACTIVE, language=session.language)

    async def link(
        self, channel: str, user: str, token: str | None, *, update_id: str | None = None
    ) -> person.Linked | None:
        """A platform user opens the bot, with a personal link's token or without
        (`bot.conversations.person.link`); None for an update handled before."""
        return await person.link(
            self.storage, channel, user, token, self.clock(), update_id=update_id
        )

    async def forget(
        self, channel: str, user: str, *, update_id: str | None = None
    ) -> Forgotten | None:
        """A person's own request in a chat to be forgotten, audited as the channel's
        (`bot.conversations.person.forget`); None for an update handled before."""
        return await person.forget(
            self.storage,
            person.ChatUser(channel, user),
            self.clock(),
            actor=channel,
            update_id=update_id,
        )

    async def open_session(self, channel: str, user: str) -> StoredSession | None:
        """The unfinished conversation of a platform user, if any."""
        async with self.storage.transaction(write=False) as tx:
            identity = await tx.identity(channel, user)
            return await tx.load_session(identity.id) if identity else None

    async def handle(self, inbound: Inbound) -> Handled:
        """Process one action exactly once and send what follows."""
        handled = await self.record(inbound)
        await self.follow_up(inbound, handled)
        return handled

    async def record(self, inbound: Inbound) -> Handled:
        """Process one action exactly once and commit its effect; nothing is sent yet.

        When this returns, the action is durable (or was a duplicate of one that is); when
        it raises, nothing of it was stored and the same update may be handled again.
        Hand the result to `follow_up()`.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._attempt(inbound)
            except StaleSession:
                log.info("conversation changed concurrently; retrying (attempt %d)", attempt)
                continue
            except ConnectionLost:
                if attempt == MAX_ATTEMPTS:
                    raise
                log.warning(
                    "database connection lost; handling the update again (attempt %d)", attempt
                )
                continue
        raise StaleSession(f"gave up after {MAX_ATTEMPTS} concurrent changes")

    async def follow_up(self, inbound: Inbound, handled: Handled) -> None:
        """Send what follows a recorded action; for a redelivered one whose replies may
        not have gone out (its owed row is open), the question the person is at again."""
        if handled.duplicate:
            await self._ask_again(inbound, handled.resend)
            return
        metrics.UPDATES_HANDLED.inc()
        # Anonymous answers count when released, in a batch: a counter that moved at the
        # moment of one would date it.
        named = handled.completion is not None and not handled.completion.anonymous
        metrics.ANSWERS_STORED.inc(int(named) + handled.released)
        if handled.released:
            await self.storage.scrub()
        await self._deliver(inbound, handled)
        await self._ask_again(inbound, handled.resend)
        # Nothing of an anonymous completion is logged: not even that it happened now,
        # which a log line's time would tell.
        if handled.completion and handled.completion.response_id:
            log.info(
                "named response %s stored for survey %s",
                handled.completion.response_id,
                handled.completion.survey.id,
            )

    async def _ask_again(self, inbound: Inbound, owed: tuple[str, ...]) -> None:
        """Send the question the person is at again when earlier replies are owed, then
        drop their rows (else the sweep would ask a second time)."""
        owed = tuple(k for k in owed if k not in self._sending)  # on their way right now
        if not owed:
            return
        try:
            await self.repeat(inbound.channel, inbound.user, inbound.address)
        except Exception:
            log.warning("asking again failed; the sweep sends what is owed", exc_info=True)
            return
        for key in owed:
            self._drop_owed(key)

    async def _deliver(self, inbound: Inbound, handled: Handled) -> None:
        """Send what follows an action; once it went out, the owed row that would send it
        again is dropped. A failure leaves the row for the sweep: the answer is stored and
        the person still gets the next question."""
        if handled.owed is not None:
            self._sending.add(handled.owed)
        try:
            await self._send(inbound.channel, inbound.address, handled.replies, handled.language)
        except Exception:
            if handled.owed is None:
                raise
            log.warning("replies could not be sent; the sweep sends them again", exc_info=True)
            return
        finally:
            self._sending.discard(handled.owed or "")
        if handled.owed is not None:
            self._drop_owed(handled.owed)

    def _drop_owed(self, key: str) -> None:
        """Delete an owed row whose replies went out, batched with others in one
        transaction in the background; a crash before leaves it for the sweep, which
        skips it when the person has answered since (else it asks again, once)."""
        self._sent_owed.append(key)
        if self._dropping is None or self._dropping.done():
            self._dropping = asyncio.create_task(self._drop_sent())

    async def _drop_sent(self) -> None:
        while self._sent_owed:
            keys, self._sent_owed = self._sent_owed, []
            try:
                async with self.storage.transaction() as tx:
                    await tx.drop_jobs(keys)
            except Exception:
                log.warning("owed replies not cleared; the sweep skips them", exc_info=True)

    async def settled(self) -> None:
        """Wait until the owed rows of replies that went out are cleared (tests, stop)."""
        while self._dropping is not None and not self._dropping.done():
            await self._dropping

    async def _attempt(self, inbound: Inbound) -> Handled:
        now = self.clock()
        async with self.storage.transaction() as tx:
            if inbound.update_id is not None and not await tx.mark_update(
                inbound.channel, inbound.update_id, now
            ):
                return await self._duplicate(tx, inbound)
            identity = await tx.ensure_identity(inbound.channel, inbound.user, now)
            stored = await tx.load_session(identity.id)
            event = inbound.event
            if event.kind is EventKind.LANGUAGE:
                switched = await self._switch_language(tx, identity, stored, inbound, now)
                if switched is not None:
                    return switched
            if stored is None:
                lang = await self._language(tx, identity, inbound.language)
                text = i18n.translator(lang).gettext(
                    "You have no survey open right now. Thank you for getting in touch!"
                )
                return Handled((Reply(ReplyKind.NOTICE, text),), language=lang)
            if stored.wave_id is not None:
                wave = await tx.wave(stored.wave_id)
                if wave is not None and not wave.is_open(now):
                    await tx.delete_session(identity.id, stored.session.revision)
                    tr = i18n.translator(stored.session.language)
                    text = tr.gettext(
                        "This survey has closed, so your answers were not recorded."
                        " Thank you all the same!"
                    )
                    return Handled(
                        (Reply(ReplyKind.EXPIRED, text),),
                        Status.EXPIRED,
                        language=stored.session.language,
                    )
            survey = self.surveys[stored.survey_id]
            before = stored.session
            lang = event.text if event.kind is EventKind.LANGUAGE else before.language
            outcome = step(
                survey,
                before,
                event,
                now=now,
                translator=i18n.translator(lang),
                expire_after=self.config.session_expiry,
            )
            after = outcome.session
            completion = None
            released = 0
            if after.status is Status.ACTIVE:
                if outcome.changed:
                    await tx.update_session(identity.id, after, before.revision)
            else:
                await tx.delete_session(identity.id, before.revision)
                if after.status is Status.COMPLETED:
                    completion = await self._complete(tx, identity, stored, survey, after, now)
                    if completion.anonymous and stored.wave_id is None:
                        batch = await release_outside_waves(
                            tx, survey.id, self.config.min_group_size, now
                        )
                        released = batch.released
            owed = None
            if (
                self.reply_grace is not None
                and outcome.replies
                and (outcome.changed or after.status is not Status.ACTIVE)
            ):
                at = after.revision if after.status is Status.ACTIVE else DONE
                owed = owed_key(at, stored.address)
                await tx.schedule_jobs([(owed, REPLY, identity.id, now + self.reply_grace)], now)
            # A tap on an old button, or text that is no answer, from someone whose next
            # question may never have arrived: ask it now rather than after the grace.
            stalled: tuple[str, ...] = ()
            if not outcome.changed and after.status is Status.ACTIVE:
                stalled = await self._owed(tx, identity.id)
        return Handled(
            outcome.replies,
            after.status,
            completion=completion,
            language=lang,
            released=released,
            owed=owed,
            resend=stalled,
        )

    async def _switch_language(
        self,
        tx: Transaction,
        identity: Identity,
        stored: StoredSession | None,
        inbound: Inbound,
        now: datetime,
    ) -> Handled | None:
        """A person switches language: an unknown code gets the list and changes nothing;
        a known one is stored on the identity (for later invitations) with its audit entry.
        Without an open survey that is all (the answer says so, in the new language);
        with one, None: the step asks the open question again in the new language."""
        code = inbound.event.text
        if code not in i18n.LANGUAGES:
            if stored is not None:
                lang = stored.session.language
            else:
                lang = await self._language(tx, identity, inbound.language)
            text = (
                i18n.translator(lang)
                .gettext("Please choose one of these languages: {languages}.")
                .format(languages=", ".join(i18n.LANGUAGES))
            )
            status = stored.session.status if stored is not None else None
            return Handled((Reply(ReplyKind.INVALID, text),), status, language=lang)
        await tx.remember_language(inbound.channel, inbound.user, code)
        await tx.audit(inbound.channel, "identity.language", {"language": code}, now)
        if stored is not None:
            return None
        text = (
            i18n.translator(code)
            .gettext("From now on I will write to you in {language}.")
            .format(language=i18n.language_name(code))
        )
        return Handled((Reply(ReplyKind.NOTICE, text),), language=code)

    async def _duplicate(self, tx: Transaction, inbound: Inbound) -> Handled:
        """A redelivered update that was processed: if what followed it may not have gone
        out (its owed row is still open), the question the person is at goes again now."""
        if self.reply_grace is None:
            return Handled((), duplicate=True)
        identity = await tx.identity(inbound.channel, inbound.user)
        if identity is None:
            return Handled((), duplicate=True)
        return Handled((), duplicate=True, resend=await self._owed(tx, identity.id))

    async def _owed(self, tx: Transaction, identity_id: str) -> tuple[str, ...]:
        """The open owed-reply rows of a person (none when replies are not owed work)."""
        if self.reply_grace is None:
            return ()
        return tuple(await tx.open_jobs(identity_id, REPLY))

    async def _complete(
        self,
        tx: Transaction,
        identity: Identity,
        stored: StoredSession,
        survey: Survey,
        session: Session,
        now: datetime,
    ) -> Completion:
        anonymous = bool(session.anonymous)
        answers = completed_answers(survey, session)
        contact = await tx.contact_by_id(identity.contact_id) if identity.contact_id else None
        attributes = dict(contact.attributes) if contact else {}
        rows = tuple(_stored_answer(survey, qid, a) for qid, a in answers.items())
        response_id = None
        if anonymous:
            await tx.hold_response(
                HeldResponse(
                    survey.id,
                    survey.version,
                    stored.wave_id,
                    stored.invitation_id,
                    identity.id,
                    attributes,
                    rows,
                ),
                now,
            )
        else:
            response_id = await tx.store_response(
                NewResponse(
                    survey_id=survey.id,
                    survey_version=survey.version,
                    wave_id=stored.wave_id,
                    anonymous=False,
                    contact_id=identity.contact_id,
                    identity_id=identity.id,
                    language=session.language,
                    attributes=attributes,
                    completed_at=now,
                    answers=rows,
                )
            )
        completion = Completion(
            response_id,
            survey,
            anonymous,
            None if anonymous else identity.contact_id,
            answers,
            now,
            wave_id=stored.wave_id,
            invitation_id=stored.invitation_id,
        )
        for completion_step in self.completion_steps:
            await completion_step(tx, completion)
        return completion

    async def _language(self, tx: Transaction, identity: Identity, hint: str | None) -> str:
        contact_lang = None
        if identity.contact_id:
            contact = await tx.contact_by_id(identity.contact_id)
            contact_lang = contact.language if contact else None
        return i18n.pick_language(
            hint, identity.language, contact_lang, default=self.config.default_language
        )

    async def _send(
        self,
        channel: str,
        address: str,
        replies: tuple[Reply, ...],
        language: str,
        *,
        broadcast: bool = False,
    ) -> None:
        target = self.channels.get(channel)
        if target is None:
            log.debug("no %s channel attached; %d replies not sent", channel, len(replies))
            return
        await target.send(address, replies, language, broadcast=broadcast)


def _stored_answer(survey: Survey, question_id: str, answer: Answer) -> StoredAnswer:
    kind = survey.question(question_id).kind
    if isinstance(answer, int):
        return StoredAnswer(question_id, score=answer)
    if kind is Kind.CHOICE:
        return StoredAnswer(question_id, choice=answer)
    return StoredAnswer(question_id, text=answer)
