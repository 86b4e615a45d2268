"""Button data of any bytes: a Telegram callback that was not signed by this bot for this
person is refused as unknown (never read as an answer), and a genuine one survives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.callback import AnswerPress, CallbackCodec, ControlPress
from tests.support.telegram_harness import TOKEN

CODEC = CallbackCodec(TOKEN)


@given(st.binary(max_size=64))
def test_callback_data_of_any_bytes_is_refused(raw: bytes) -> None:
    data = raw.decode("utf-8", errors="surrogateescape")
    assert CODEC.read(data, user="42", chat="42") is None


@given(st.text(max_size=64), st.sampled_from(["42", "43"]))
def test_a_genuine_press_is_read_only_for_its_person(noise: str, user: str) -> None:
    data = CODEC.answer("42", "c0nv01", "loyalty", 3, "7")
    assert data is not None
    genuine = AnswerPress("loyalty", 3, "7", "c0nv01")
    assert CODEC.read(data, user=user, chat=user) == (genuine if user == "42" else None)
    assert CODEC.read(data + noise, user="42", chat="42") in (None, genuine)


@given(st.text(max_size=64), st.sampled_from(["back", "skip", "stop"]))
def test_a_genuine_control_press_is_read_only_as_made(noise: str, action: str) -> None:
    data = CODEC.control("42", "c0nv01", "improve", 5, action)
    assert data is not None
    genuine = ControlPress(action, "improve", 5, "c0nv01")
    assert CODEC.read(data, user="42", chat="42") == genuine
    assert CODEC.read(data, user="43", chat="43") is None
    assert CODEC.read(data + noise, user="42", chat="42") in (None, genuine)
