"""Button presses that must change nothing: altered data, old messages, someone else's buttons."""

from __future__ import annotations

import pytest

from bot.channels.telegram.callback import MAX_BYTES, AnswerPress, CallbackCodec, ControlPress
from bot.config.settings import Config
from tests.conftest import Clock
from tests.fakes.telegram_api import buttons
from tests.support.telegram_harness import CUSTOMER, TOKEN, Telegram, running

OTHER = 5151


async def started(tg: Telegram, ref: str) -> None:
    await tg.say(CUSTOMER, f"/start {await tg.link(ref)}")
    await tg.tap(CUSTOMER, "Anonymous")


async def snapshot(tg: Telegram) -> tuple[object, ...]:
    stored = await tg.app.service.open_session("telegram", str(CUSTOMER))
    assert stored is not None
    return (stored.session.revision, dict(stored.session.answers), len(tg.api.calls))


async def test_altered_callback_data_is_refused_with_a_toast(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await started(tg, "C-010")
        question = tg.api.last(str(CUSTOMER))
        data = buttons(question)["3"]
        forged = data.replace("satisfaction.3", "satisfaction.10")
        before = await snapshot(tg)

        await tg.feed(tg.updates.press(CUSTOMER, question, forged))

        assert tg.api.toasts()[-1] == "This button is not valid."
        revision, answers, calls = await snapshot(tg)
        assert (revision, answers) == before[:2]
        assert calls == before[2] + 1  # only the toast
        assert buttons(tg.api.last(str(CUSTOMER)))  # the question still waits for a tap


async def test_a_button_from_an_older_question_is_refused(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await started(tg, "C-011")
        old = tg.api.last(str(CUSTOMER))
        stale = buttons(old)["5"]
        await tg.tap(CUSTOMER, "8")
        before = await snapshot(tg)

        await tg.feed(tg.updates.press(CUSTOMER, old, stale))

        assert tg.api.toasts()[-1] == (
            "That button is no longer active. Please answer the latest question."
        )
        revision, answers, calls = await snapshot(tg)
        assert (revision, answers) == before[:2] == (before[0], {"satisfaction": 8})
        assert calls == before[2] + 1
        assert tg.api.messages(str(CUSTOMER))[old["message_id"] - 1]["text"].endswith(
            "Your answer: 8"
        )


async def test_another_user_cannot_press_a_respondents_button(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await started(tg, "C-012")
        question = tg.api.last(str(CUSTOMER))
        before = await snapshot(tg)
        moved = {**question, "chat": {"id": OTHER, "type": "private"}}

        await tg.feed(tg.updates.press(OTHER, moved, buttons(question)["0"]))

        assert tg.api.toasts()[-1] == "This button is not valid."
        assert (await snapshot(tg))[:2] == before[:2]
        assert await tg.app.service.open_session("telegram", str(OTHER)) is None


async def test_garbage_callback_data_is_refused(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await started(tg, "C-013")
        question = tg.api.last(str(CUSTOMER))
        for data in ("", "x", "a" * 64, "n12345678wave:start"):
            await tg.feed(tg.updates.press(CUSTOMER, question, data))
        assert tg.api.toasts()[-4:] == ["This button is not valid."] * 4


def test_callback_data_fits_in_64_bytes_or_is_not_made() -> None:
    codec = CallbackCodec(TOKEN)
    longest_id = "q" * 32
    user = "1234567890123"
    data = codec.answer(user, "Ab3_-z", "expectation_management", 12345, "10")
    assert data is not None and len(data.encode()) <= MAX_BYTES
    assert codec.read(data, user=user, chat=user) == AnswerPress(
        "expectation_management", 12345, "10", "Ab3_-z"
    )
    control = codec.control(user, "Ab3_-z", longest_id, 12345, "back")
    assert control is not None and len(control.encode()) <= MAX_BYTES
    assert codec.read(control, user=user, chat=user) == ControlPress(
        "back", longest_id, 12345, "Ab3_-z"
    )
    assert codec.answer("1", "Ab3_-z", longest_id, 1, longest_id) is None
    assert len(codec.action("-1001234567890", "f" * 48).encode()) <= MAX_BYTES


@pytest.mark.parametrize("token", [TOKEN, TOKEN[:-1] + "Y"])
def test_data_signed_with_another_token_is_refused(token: str) -> None:
    mine = CallbackCodec(TOKEN)
    data = CallbackCodec(token).answer("42", "c0nv01", "loyalty", 3, "7")
    assert data is not None
    expected = AnswerPress("loyalty", 3, "7", "c0nv01") if token == TOKEN else None
    assert mine.read(data, user="42", chat="42") == expected


def test_the_conversation_is_signed_too() -> None:
    codec = CallbackCodec(TOKEN)
    data = codec.answer("42", "c0nv01", "loyalty", 3, "7")
    assert data is not None
    assert codec.read(data.replace("c0nv01", "c0nv02"), user="42", chat="42") is None


def old_layout_answer(codec: CallbackCodec, user: str, question: str, rev: int, value: str) -> str:
    """An answer button as made before buttons named their conversation."""
    payload = f"{rev}.{question}.{value}"
    return f"a{codec._sign('a', user, payload)}{payload}"


async def test_a_button_made_before_conversations_had_ids_is_refused_as_no_longer_active(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await started(tg, "C-014")
        question = tg.api.last(str(CUSTOMER))
        before = await snapshot(tg)
        old = old_layout_answer(tg.channel.codec, str(CUSTOMER), "satisfaction", before[0], "8")
        assert tg.channel.codec.read(old, user=str(CUSTOMER), chat=str(CUSTOMER)) == AnswerPress(
            "satisfaction", before[0], "8", None
        )

        await tg.feed(tg.updates.press(CUSTOMER, question, old))

        assert tg.api.toasts()[-1] == (
            "That button is no longer active. Please answer the latest question."
        )
        revision, answers, calls = await snapshot(tg)
        assert (revision, answers) == before[:2]
        assert calls == before[2] + 1
