"""The service path: each update once, revision races, replies only after the save."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from bot.config.settings import Config
from bot.conversations.service import Inbound, Service
from bot.storage import Storage, Transaction
from flows import Event, EventKind, Reply, ReplyKind, Session, Status, builtin_surveys
from tests.conftest import Clock


class Recorder:
    """A channel that keeps what it was asked to send."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        self.sent.extend((address, r) for r in replies)

    async def notify(self, address: str, notice: object) -> str:
        return ""


def text(value: str, update_id: str | None = None, user: str = "42") -> Inbound:
    return Inbound("telegram", user, user, Event(EventKind.TEXT, value), update_id=update_id)


async def make(storage: Storage, config: Config, clock: Clock) -> tuple[Service, Recorder]:
    service = Service(storage, builtin_surveys(), config, clock=clock)
    recorder = Recorder()
    service.attach(recorder)
    return service, recorder


async def test_redelivered_update_is_processed_once(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, recorder = await make(storage, config, clock)
    await service.begin("telegram", "42", "42", "cvs", language="en")
    await service.handle(text("2", "u1"))
    await service.handle(text("8", "u2"))
    sent_before = len(recorder.sent)
    again = await service.handle(text("8", "u2"))
    assert again.duplicate and again.replies == ()
    assert len(recorder.sent) == sent_before
    stored = await service.open_session("telegram", "42")
    assert stored is not None and stored.session.answers == {"satisfaction": 8}


class RacingTransaction(Transaction):
    """A transaction in which, once, another instance saves the conversation just before us."""

    races_left = 1
    saves = 0

    async def update_session(self, identity_id: str, session: Session, expected: int) -> None:
        RacingTransaction.saves += 1
        if RacingTransaction.races_left:
            RacingTransaction.races_left -= 1
            await self.conn.execute("UPDATE sessions SET revision = revision + 1")
        await super().update_session(identity_id, session, expected)


class RacingStorage(Storage):
    """Storage handing out racing transactions."""

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        async with self.driver.transaction(write=write) as conn:
            yield RacingTransaction(conn)


async def test_a_lost_revision_race_is_retried_on_fresh_state(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, _ = await make(storage, config, clock)
    await service.begin("telegram", "42", "42", "cvs", language="en")
    service.storage = RacingStorage(storage.driver)
    handled = await service.handle(text("2", "u1"))
    assert RacingTransaction.saves == 2, "the first save lost the race and the step ran again"
    assert handled.replies[-1].kind is ReplyKind.QUESTION
    stored = await service.open_session("telegram", "42")
    assert stored is not None and stored.session.anonymous is True
    assert stored.session.revision == 1


async def test_message_without_open_survey_gets_a_friendly_notice(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, recorder = await make(storage, config, clock)
    handled = await service.handle(text("hello", "u1", user="77"))
    assert handled.replies[0].kind is ReplyKind.NOTICE
    assert recorder.sent[0][0] == "77" and "no survey open" in recorder.sent[0][1].text


async def test_unknown_language_is_refused_and_changes_nothing(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, _ = await make(storage, config, clock)
    await service.begin("telegram", "42", "42", "cvs", language="en")
    handled = await service.handle(Inbound("telegram", "42", "42", Event(EventKind.LANGUAGE, "xx")))
    assert (
        handled.replies[0].kind is ReplyKind.INVALID and "nl, en, fr, de" in handled.replies[0].text
    )
    stored = await service.open_session("telegram", "42")
    assert stored is not None and stored.session.language == "en" and stored.session.revision == 0


async def test_expired_conversation_is_removed_and_keeps_nothing(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, _ = await make(storage, config, clock)
    await service.begin("telegram", "42", "42", "cvs", language="en")
    await service.handle(text("2", "u1"))
    clock.advance(days=15)
    handled = await service.handle(text("8", "u2"))
    assert handled.status is Status.EXPIRED
    assert await service.open_session("telegram", "42") is None
    async with storage.transaction(write=False) as tx:
        assert await tx.response_counts() == []


async def test_language_comes_from_platform_then_contact_then_config(
    storage: Storage, config: Config, clock: Clock
) -> None:
    service, _ = await make(storage, config, clock)
    assert (await service.begin("telegram", "1", "1", "cvs")).language == "en"
    assert (await service.begin("telegram", "2", "2", "cvs", language="de-AT")).language == "de"
    assert (await service.begin("telegram", "3", "3", "cvs", language="pt-BR")).language == "en"


def test_dutch_is_the_default_language() -> None:
    assert Config.from_env({}).default_language == "nl"
