"""The Telegram channel: surveys in private chats with inline keyboards, staff notices,
admin commands, polling by default and webhooks when a public URL is configured.

`TelegramChannel` owns a python-telegram-bot `Application` as a field and runs it inside
the process's event loop (`initialize()`, `start()`, `updater.start_polling()`, and the
reverse on stop), so Telegram, Slack and the web server share one process. Updates of
different chats are processed concurrently, those of one chat in order.

- Every update goes through `bot.conversations.service` as an `Inbound` (update id for dedupe, the
  user's `language_code` as language hint); `telegram_updates` maps commands, texts and
  presses, `telegram_render` turns replies into messages and keyboards.
- A question's keyboard has its answers and, below them, Skip (optional questions) and
  Back (from the second question on); every button is signed and names the
  conversation, question and revision it was made for (`telegram_callback`), which the
  engine checks in the transaction that stores the press.
- A press edits its question message to show the answer and removes the keyboard; a
  press that changes nothing (stale, of another conversation, forged, another user's)
  only gets a toast.
- Broadcasts (`send(..., broadcast=True)`, notices to groups) are paced by
  `telegram_sender.FloodControl`; replies to a respondent are not.
- Webhook mode: the web server mounts `process_webhook` at `webhook_path`; the secret
  token header is derived from the bot token and checked on every request.
- The bot token never reaches a log: a filter redacts it from every log record.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import BotCommand, CallbackQuery, Update
from telegram import Message as TgMessage
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, BaseUpdateProcessor
from telegram.request import BaseRequest

from bot import i18n
from bot.admin.commands import AdminCommands
from bot.channels.telegram.callback import CallbackCodec
from bot.channels.telegram.render import (
    TOAST_LIMIT,
    Answered,
    Keyboard,
    Message,
    Toast,
    answered_text,
    button_rows,
    plan,
)
from bot.channels.telegram.sender import FloodControl, Sender, Sleep, is_group
from bot.channels.telegram.updates import UpdateHandlers
from bot.config.settings import Config, ConfigError
from bot.conversations.service import Service
from bot.delivery import ActionHandler, DeliveryFailed, Notice
from flows import Option, Reply, Translator
from flows.text import N_

log = logging.getLogger(__name__)

NAME = "telegram"
ALLOWED_UPDATES = ("message", "callback_query")
POLL_TIMEOUT = timedelta(seconds=20)
MAX_CONCURRENT_UPDATES = 64
REMEMBERED = 10_000
"""How many chats' last question message is kept in memory, to edit it after a typed answer.
After a restart, or on another instance, a typed answer leaves that message's buttons in
place; they are refused as stale if pressed."""
CAPTION_LIMIT = 1024

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or continue your survey")),
    ("back", N_("Change your previous answer")),
    ("skip", N_("Leave an optional question out")),
    ("stop", N_("Stop the survey; nothing is kept")),
    ("language", N_("Choose your language")),
    ("forget", N_("Delete your data")),
    ("help", N_("What this bot does and how to answer")),
)

T = TypeVar("T")


@dataclass
class Press:
    """The button press being handled: replies to it become an edit or a toast."""

    query: CallbackQuery
    chat: str
    answered: bool = False


_PRESS: ContextVar[Press | None] = ContextVar("klantstem_telegram_press", default=None)


@dataclass(frozen=True)
class _Asked:
    """The last question message with buttons in a chat."""

    message_id: int
    conversation: str | None
    question_id: str | None
    revision: int | None
    text: str


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run in arrival order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update once earlier updates of its chat are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class _RedactToken(logging.Filter):
    """Replaces the bot token (the Bot API URL contains it) and the webhook secret derived
    from it (python-telegram-bot logs `setWebhook`'s parameters) in log records."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.secrets = {token: "<TELEGRAM_BOT_TOKEN>", webhook_secret(token): "<WEBHOOK_SECRET>"}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret, placeholder in self.secrets.items():
                message = message.replace(secret, placeholder)
            record.msg = message
            record.args = None
        return True


def webhook_secret(token: str) -> str:
    """The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token, derived from the token."""
    mac = hmac.new(token.encode(), b"klantstem/telegram/webhook", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


class TelegramChannel:
    """The Telegram adapter: a `Channel` for the service and a component for `klantstem run`."""

    name = NAME

    def __init__(
        self,
        config: Config,
        service: Service,
        admin: AdminCommands,
        on_action: ActionHandler,
        *,
        request: BaseRequest | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if config.telegram_token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
        token = config.telegram_token.reveal()
        self.config = config
        self.service = service
        self.admin = admin
        self.on_action = on_action
        self.codec = CallbackCodec(token)
        self.webhook_url = config.telegram_webhook_url
        self.webhook_secret = webhook_secret(token)
        flood = FloodControl(
            config.telegram_broadcast_per_second,
            config.telegram_chat_interval,
            config.telegram_group_per_minute,
            clock=clock,
            sleep=sleep,
        )
        self.sender = Sender(flood, config.telegram_send_attempts, sleep=sleep)
        self._asked: OrderedDict[str, _Asked] = OrderedDict()
        self._redact = _RedactToken(token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._redact)  # python-telegram-bot logs its URL from here on
        self.application = self._build(token, request)

    def _build(
        self, token: str, request: BaseRequest | None
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        api = self.config.telegram_api_url
        builder = (
            Application.builder()
            .token(token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
        )
        if request is not None:
            builder = builder.request(request).get_updates_request(request)
        if self.webhook_url:
            builder = builder.updater(None)
        application = builder.build()
        UpdateHandlers(self).install(application)
        application.add_error_handler(self._on_error)
        return application

    @property
    def bot(self) -> Any:
        """The python-telegram-bot `Bot` (an `ExtBot`)."""
        return self.application.bot

    @property
    def webhook_path(self) -> str:
        """The path of the webhook URL, where the web server mounts `process_webhook`."""
        return urlsplit(self.webhook_url or "").path or "/telegram"

    # -- component --------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, register the command menu, start receiving updates."""
        api = self.config.telegram_api_url
        try:
            await self.application.initialize()
        except InvalidToken:
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN was refused by the Bot API at {api}: "
                "copy the token from BotFather again"
            ) from None
        except NetworkError as exc:
            raise ConfigError(
                f"KLANTSTEM_TELEGRAM_API_URL={api!r}: the Bot API cannot be reached ({exc})"
            ) from None
        await self._set_commands()
        await self.application.start()
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
        else:
            updater = self.application.updater
            assert updater is not None
            await updater.start_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=list(ALLOWED_UPDATES),
                error_callback=self._on_polling_error,
            )
        log.info(
            "Telegram bot @%s is %s",
            self.bot.username,
            "receiving webhooks" if self.webhook_url else "polling",
        )

    async def stop(self) -> None:
        """Stop receiving, finish updates in progress, release the HTTP clients."""
        try:
            updater = self.application.updater
            if updater is not None and updater.running:
                await updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        finally:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._redact)

    async def _set_commands(self) -> None:
        """The command menu in every language we speak (best effort: a failure is logged)."""
        try:
            for language in (None, *i18n.LANGUAGES):
                _ = i18n.translator(language or self.config.default_language).gettext
                commands = [BotCommand(c, _(d)) for c, d in COMMANDS]
                await self.bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            log.warning("could not set the Telegram command menu: %s", exc)

    def _on_polling_error(self, exc: TelegramError) -> None:
        log.warning("polling Telegram failed (retrying): %s", exc)

    async def _on_error(self, update: object, context: Any) -> None:
        log.error("handling a Telegram update failed", exc_info=context.error)

    # -- webhook ----------------------------------------------------------------------

    async def process_webhook(self, body: bytes, secret_header: str | None) -> int:
        """Handle one webhook request; returns the HTTP status for the web server to send.

        403 without the right secret token header, 400 for a body that is not an update,
        404 when webhook mode is off, else 200 once the update has been processed.
        """
        if not self.webhook_url:
            return 404
        if secret_header is None or not hmac.compare_digest(
            secret_header.encode(), self.webhook_secret.encode()
        ):
            return 403
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                return 400
            update = Update.de_json(data, self.bot)
        except Exception:  # any malformed body, whatever PTB raises for it
            return 400
        await self.application.update_processor.process_update(
            update, self.application.process_update(update)
        )
        return 200

    # -- sending ----------------------------------------------------------------------

    async def deliver(self, chat: str, call: Callable[[], Awaitable[T]], *, paced: bool) -> T:
        """One Bot API call for `chat` with retries; paced calls keep to the flood limits."""
        return await self.sender.deliver(chat, call, paced=paced)

    async def call(self, method: str, **params: Any) -> Any:
        """One Bot API call, its result as plain JSON (None parameters are left out).

        Method names are case-insensitive in the Bot API; the lower-case name keeps
        python-telegram-bot from pointing to its typed method, whose parsing of every
        result into objects costs more than the rest of an answer does (see
        bench/telegram_answers.py). Errors are raised as by the typed methods.
        """
        kwargs = {k: v for k, v in params.items() if v is not None}
        return await self.bot.do_api_request(method.lower(), api_kwargs=kwargs)

    async def say(self, chat: str, text: str, keyboard: Keyboard | None = None) -> int:
        """Send a message straight away (an interactive reply); returns its message id."""
        sent = await self.deliver(
            chat,
            lambda: self.call("sendMessage", chat_id=chat, text=text, reply_markup=keyboard),
            paced=False,
        )
        return int(sent["message_id"])

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Deliver replies to a private chat: questions with buttons, answers as edits."""
        tr = i18n.translator(language)
        press = _PRESS.get()
        if press is not None and press.chat != address:
            press = None
        steps = plan(
            replies,
            tr,
            lambda reply, option: self._answer_data(address, reply, option),
            pressed=press is not None,
            control_data=lambda reply, action: self._control_data(address, reply, action),
        )
        for step in steps:
            if isinstance(step, Toast):
                if press is not None:
                    await self.toast(press, step.text)
            elif isinstance(step, Answered):
                await self._show_answer(address, step.reply, press, tr)
            elif isinstance(step, Message):
                await self._send_message(address, step, paced=broadcast)

    def _answer_data(self, chat: str, reply: Reply, option: Option) -> str | None:
        if reply.question_id is None or reply.revision is None or reply.conversation is None:
            return None
        return self.codec.answer(
            chat, reply.conversation, reply.question_id, reply.revision, option.value
        )

    def _control_data(self, chat: str, reply: Reply, action: str) -> str | None:
        if reply.question_id is None or reply.revision is None or reply.conversation is None:
            return None
        return self.codec.control(
            chat, reply.conversation, reply.question_id, reply.revision, action
        )

    async def _send_message(self, chat: str, step: Message, *, paced: bool) -> None:
        sent = await self.deliver(
            chat,
            lambda: self.call(
                "sendMessage", chat_id=chat, text=step.text, reply_markup=step.keyboard
            ),
            paced=paced,
        )
        if step.asks is not None and step.keyboard is not None:
            await self._retire_keyboard(chat, paced=paced)
            asks = step.asks
            self._remember(
                chat,
                _Asked(
                    int(sent["message_id"]),
                    asks.conversation,
                    asks.question_id,
                    asks.revision,
                    step.text,
                ),
            )

    async def _show_answer(
        self, chat: str, reply: Reply, press: Press | None, tr: Translator
    ) -> None:
        asked = self._asked.get(chat)
        message = press.query.message if press is not None else None
        if isinstance(message, TgMessage) and message.text:
            message_id, question = message.message_id, message.text
        elif (
            asked is not None
            and asked.conversation == reply.conversation
            and asked.question_id == reply.question_id
            and asked.revision == reply.revision
        ):
            message_id, question = asked.message_id, asked.text
        else:
            return
        if asked is not None and asked.message_id == message_id:
            del self._asked[chat]
        await self.edit(chat, message_id, answered_text(question, reply.text, tr))

    async def edit(self, chat: str, message_id: int, text: str) -> None:
        """Replace a message's text and remove its keyboard (a failed edit is only logged)."""
        try:
            await self.deliver(
                chat,
                lambda: self.call(
                    "editMessageText", chat_id=chat, message_id=message_id, text=text
                ),
                paced=False,
            )
        except DeliveryFailed as exc:
            # No chat id: edits follow presses, and would tell who answered when.
            log.info("could not edit a message: %s", exc)

    async def _retire_keyboard(self, chat: str, *, paced: bool) -> None:
        """Remove the buttons of the chat's previous question: only one question is live."""
        asked = self._asked.pop(chat, None)
        if asked is None:
            return
        try:
            await self.deliver(
                chat,
                lambda: self.call(
                    "editMessageReplyMarkup", chat_id=chat, message_id=asked.message_id
                ),
                paced=paced,
            )
        except DeliveryFailed as exc:
            log.info("could not remove old buttons: %s", exc)

    def _remember(self, chat: str, asked: _Asked) -> None:
        self._asked[chat] = asked
        self._asked.move_to_end(chat)
        while len(self._asked) > REMEMBERED:
            self._asked.popitem(last=False)

    # -- presses ----------------------------------------------------------------------

    @asynccontextmanager
    async def pressing(self, query: CallbackQuery, chat: str) -> AsyncIterator[Press]:
        """Handle a press: replies sent meanwhile know it, and it is always answered."""
        press = Press(query, chat)
        token = _PRESS.set(press)
        try:
            yield press
        finally:
            _PRESS.reset(token)
            if not press.answered:
                await self.toast(press, "")

    async def toast(self, press: Press, text: str) -> None:
        """Answer the press with a short text on the button (or silently with "")."""
        if press.answered:
            return
        press.answered = True
        try:
            await self.deliver(
                press.chat,
                lambda: press.query.answer(text[:TOAST_LIMIT] or None),
                paced=False,
            )
        except DeliveryFailed as exc:
            log.info("could not answer a button press: %s", exc)

    # -- notices ----------------------------------------------------------------------

    async def notify(self, address: str, notice: Notice) -> str:
        """Post a notice with its action buttons (and image); returns "chat:message_id".

        Notices to groups keep to the group flood limit; an admin's private chat gets
        them at once.
        """
        chat = address
        paced = is_group(chat)
        keyboard = (
            button_rows([(a.label, self.codec.action(chat, a.value)) for a in notice.actions])
            if notice.actions
            else None
        )
        if notice.image is not None:
            image = notice.image
            fits = len(notice.text) <= CAPTION_LIMIT
            sent: TgMessage = await self.deliver(
                chat,
                lambda: self.bot.send_photo(
                    chat_id=chat,
                    photo=image,
                    filename=notice.image_name,
                    caption=notice.text if fits else None,
                    reply_markup=keyboard if fits else None,
                ),
                paced=paced,
            )
            if fits:
                return f"{chat}:{sent.message_id}"
        posted = await self.deliver(
            chat,
            lambda: self.call("sendMessage", chat_id=chat, text=notice.text, reply_markup=keyboard),
            paced=paced,
        )
        return f"{chat}:{posted['message_id']}"
