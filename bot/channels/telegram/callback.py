"""Callback data for Telegram's inline buttons: small, signed, bound to who may press.

Telegram returns a button's `callback_data` (at most 64 bytes) untouched when it is
pressed, but a client can send any data it likes. Every button therefore carries an
HMAC (key derived from the bot token) over its kind, its payload and the user or chat it
was made for; a press whose signature does not match (altered data, another user's
button, a button of a previous token) is refused before anything else happens.

Layout: one kind letter, 8 signature characters, then the payload.

- `q` an answer: `conversation.revision.question_id.value`, bound to the respondent's
  user id; the conversation id (6 URL-safe characters) and revision are the session's
  when the question was asked, and the engine refuses the press in any other;
- `c` a survey control (Back, Skip, Stop): `conversation.revision.question_id.action`
  with action `back`, `skip` or `stop`, bound and checked the same way;
- `n` a notice action: the `Action.value`, bound to the chat it was posted in (anyone
  in a staff chat may press; the action handler decides what they may do);
- `l` a language choice: the language code, bound to the user;
- `f` the confirmation of /forget, bound to the user.

Buttons made before answers named their conversation (`a`: `revision.question_id.value`)
are still read, signature and all, as answers of no conversation, so the engine refuses
them as no longer active.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
"""Telegram's limit on callback data."""

_SIGNATURE_CHARS = 8  # 48 bits: a forgery needs ~2^47 tries, each a round trip to Telegram
_FORGET_PAYLOAD = "yes"


CONTROLS = ("back", "skip", "stop")
"""The survey controls a `c` button can carry."""


@dataclass(frozen=True)
class AnswerPress:
    """A press on an answer button: which conversation, question and session revision it
    was made for, and which value. `conversation` is None for a button of the layout
    before conversations had ids."""

    question_id: str
    revision: int
    value: str
    conversation: str | None


@dataclass(frozen=True)
class ControlPress:
    """A press on Back, Skip or Stop of a question (`action` is one of `CONTROLS`)."""

    action: str
    question_id: str
    revision: int
    conversation: str


@dataclass(frozen=True)
class ActionPressed:
    """A press on a notice's action button."""

    value: str


@dataclass(frozen=True)
class LanguagePressed:
    """A press on a language button."""

    language: str


@dataclass(frozen=True)
class ForgetConfirmed:
    """A press on the /forget confirmation button."""


Pressed = AnswerPress | ControlPress | ActionPressed | LanguagePressed | ForgetConfirmed


class CallbackCodec:
    """Makes and checks callback data with a key derived from the bot token."""

    def __init__(self, bot_token: str) -> None:
        self._key = hmac.new(
            b"klantstem/telegram/callback-data", bot_token.encode(), hashlib.sha256
        ).digest()

    def answer(
        self, user: str, conversation: str, question_id: str, revision: int, value: str
    ) -> str | None:
        """Data for an answer button, or None when it would not fit in 64 bytes."""
        return self._make("q", user, f"{conversation}.{revision}.{question_id}.{value}")

    def control(
        self, user: str, conversation: str, question_id: str, revision: int, action: str
    ) -> str | None:
        """Data for a question's Back, Skip or Stop button, or None when it would not fit."""
        assert action in CONTROLS, action
        return self._make("c", user, f"{conversation}.{revision}.{question_id}.{action}")

    def action(self, chat: str, value: str) -> str:
        """Data for a notice action button (values are at most 48 ASCII characters)."""
        data = self._make("n", chat, value)
        if data is None:
            raise ValueError(f"action value too long for Telegram: {value!r}")
        return data

    def language(self, user: str, language: str) -> str:
        """Data for a language button."""
        data = self._make("l", user, language)
        assert data is not None
        return data

    def forget(self, user: str) -> str:
        """Data for the button that confirms /forget."""
        data = self._make("f", user, _FORGET_PAYLOAD)
        assert data is not None
        return data

    def read(self, data: str, *, user: str, chat: str) -> Pressed | None:
        """What a press means, or None when the data is not one this bot made for them."""
        if len(data) <= 1 + _SIGNATURE_CHARS:
            return None
        kind, signature, payload = data[0], data[1 : 1 + _SIGNATURE_CHARS], data[9:]
        bound = chat if kind == "n" else user
        expected = self._sign(kind, bound, payload).encode()
        # Bytes, not str: a forged press may carry any characters, also lone surrogates.
        if not hmac.compare_digest(signature.encode("utf-8", "surrogatepass"), expected):
            return None
        match kind:
            case "q" | "c":
                parts = payload.split(".", 3)
                if len(parts) != 4:
                    return None
                conversation, revision, question_id, value = parts
                if not (revision.isascii() and revision.isdigit()) or not question_id or not value:
                    return None
                if kind == "q":
                    return AnswerPress(question_id, int(revision), value, conversation)
                if value in CONTROLS:
                    return ControlPress(value, question_id, int(revision), conversation)
                return None
            case "a":
                revision, _, rest = payload.partition(".")
                question_id, _, value = rest.partition(".")
                if not (revision.isascii() and revision.isdigit()) or not question_id or not value:
                    return None
                return AnswerPress(question_id, int(revision), value, None)
            case "n":
                return ActionPressed(payload)
            case "l":
                return LanguagePressed(payload)
            case "f" if payload == _FORGET_PAYLOAD:
                return ForgetConfirmed()
        return None

    def _make(self, kind: str, bound: str, payload: str) -> str | None:
        data = f"{kind}{self._sign(kind, bound, payload)}{payload}"
        return data if len(data.encode()) <= MAX_BYTES else None

    def _sign(self, kind: str, bound: str, payload: str) -> str:
        message = f"{kind}\x1f{bound}\x1f{payload}".encode("utf-8", "surrogatepass")
        mac = hmac.new(self._key, message, hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode()[:_SIGNATURE_CHARS]
