"""A Telegram Bot API that lives in memory: a `BaseRequest` python-telegram-bot talks to.

It answers the methods Klantstem uses the way Telegram does (a sent or edited message
comes back as a `Message` with its id and a date in seconds, answerCallbackQuery returns
true, an unknown method is a 404), keeps every chat's messages as they look now (edits
applied, keyboards removed) and records each call. Failures can be injected: a user who
blocked the bot (403), a 429 with `retry_after`, a 5xx, a timeout.

`Updates` builds the update JSON Telegram would send for a user's message, command or
button press, with increasing update ids.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Klantstem",
    "username": "KlantstemTestBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
DATE = 1_790_000_000
"""Message dates in seconds, as Telegram sends them."""
METHODS = {
    m.lower(): m
    for m in (
        "getMe",
        "getUpdates",
        "setMyCommands",
        "deleteWebhook",
        "setWebhook",
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
    )
}
"""The methods answered, by their case-insensitive name (the Bot API ignores case)."""


@dataclass
class Failure:
    """An injected error answer for the next matching call."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    chat: str | None = None
    timeout: bool = False


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]

    @property
    def chat(self) -> str:
        return str(self.params.get("chat_id", ""))


class FakeBotApi(BaseRequest):
    """An in-memory Bot API server."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.chats: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[str] = set()
        self.failures: list[Failure] = []
        self._ids = itertools.count(1)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    # -- what tests look at -----------------------------------------------------------

    def sent(self, method: str, chat: str | None = None) -> list[Call]:
        """The calls of one method, optionally to one chat."""
        return [c for c in self.calls if c.method == method and (chat is None or c.chat == chat)]

    def messages(self, chat: str) -> list[dict[str, Any]]:
        """A chat's bot messages as they look now (edits applied)."""
        return self.chats.get(chat, [])

    def last(self, chat: str) -> dict[str, Any]:
        """A chat's latest bot message."""
        return self.messages(chat)[-1]

    def toasts(self) -> list[str]:
        """The texts of every answerCallbackQuery (empty string for a silent answer)."""
        return [c.params.get("text") or "" for c in self.sent("answerCallbackQuery")]

    def fail(self, method: str, status: int, description: str, **kwargs: Any) -> None:
        """Answer the next `method` call (to `chat=` if given) with an error."""
        self.failures.append(Failure(method, status, description, **kwargs))

    # -- the server -------------------------------------------------------------------

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        called = url.rsplit("/", 1)[-1]
        name = METHODS.get(called.lower(), called)
        params = dict(request_data.parameters) if request_data else {}
        call = Call(name, params)
        self.calls.append(call)
        failure = self._failure(call)
        if failure is not None:
            if failure.timeout:
                raise TimedOut("Timed out")
            return self._error(failure.status, failure.description, failure.retry_after)
        if name in ("sendMessage", "sendPhoto") and call.chat in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            return self._error(404, "Not Found")
        return 200, json.dumps({"ok": True, "result": handler(params)}).encode()

    def _failure(self, call: Call) -> Failure | None:
        for failure in self.failures:
            if failure.method == call.method and failure.chat in (None, call.chat):
                self.failures.remove(failure)
                return failure
        return None

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> tuple[int, bytes]:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return status, json.dumps(body).encode()

    def _getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    def _true(self, params: dict[str, Any]) -> Any:
        return True

    _setMyCommands = _deleteWebhook = _setWebhook = _answerCallbackQuery = _true

    def _getUpdates(self, params: dict[str, Any]) -> Any:
        return []

    def _sendMessage(self, params: dict[str, Any]) -> Any:
        return self._store(params, {"text": params["text"]})

    def _sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = {"file_id": "photo", "file_unique_id": "p", "width": 800, "height": 600}
        extra: dict[str, Any] = {"photo": [photo]}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._store(params, extra)

    def _editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        message["text"] = params["text"]
        self._set_markup(message, params)
        return message

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        self._set_markup(message, params)
        return message

    def _store(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat = str(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": DATE,
            "from": BOT_USER,
            "chat": {"id": int(chat), "type": "group" if chat.startswith("-") else "private"},
            **content,
        }
        self._set_markup(message, params)
        self.chats.setdefault(chat, []).append(message)
        return message

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message_id = str(params["chat_id"]), int(params["message_id"])
        return next(m for m in self.messages(chat) if m["message_id"] == message_id)

    @staticmethod
    def _set_markup(message: dict[str, Any], params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)


@dataclass
class Updates:
    """The update JSON Telegram sends, with increasing update ids."""

    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(900_000_001))
    _messages: Iterator[int] = field(default_factory=lambda: itertools.count(50_000))

    @staticmethod
    def user(user: int, language: str | None = "en") -> dict[str, Any]:
        """A Telegram user."""
        who: dict[str, Any] = {"id": user, "is_bot": False, "first_name": f"User {user}"}
        if language:
            who["language_code"] = language
        return who

    def message(
        self, user: int, text: str, *, chat: int | None = None, language: str | None = "en"
    ) -> dict[str, Any]:
        """A text message (a command when it starts with '/')."""
        chat_id = user if chat is None else chat
        message: dict[str, Any] = {
            "message_id": next(self._messages),
            "date": DATE,
            "from": self.user(user, language),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._ids), "message": message}

    def press(
        self, user: int, message: dict[str, Any], data: str, *, language: str | None = "en"
    ) -> dict[str, Any]:
        """A press on a button of a bot message."""
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": str(next(self._messages)),
                "from": self.user(user, language),
                "chat_instance": f"ci{message['chat']['id']}",
                "message": message,
                "data": data,
            },
        }


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A message's inline buttons: label -> callback data."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}
