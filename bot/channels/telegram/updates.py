"""Telegram updates mapped to Klantstem: commands, typed answers and button presses.

Respondent commands work in private chats: /start [link token], /back, /skip, /stop,
/language [code], /help, /forget. Admin commands (/wave, /report, /flags and any other
registered with `AdminCommands`) work anywhere and go to `AdminCommands.run`, which
refuses and audits non-admins. Every survey action becomes an `Inbound` for the service;
linking by a personal link, /language and /forget are the service's operations too
(`bot.conversations.person`), so the handlers here only parse and render.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import i18n
from bot.admin.commands import AdminRequest
from bot.channels.telegram.callback import (
    ActionPressed,
    AnswerPress,
    ControlPress,
    ForgetConfirmed,
    LanguagePressed,
)
from bot.channels.telegram.render import button_rows
from bot.conversations.service import Inbound
from bot.delivery import ActionPress
from bot.storage.telegram_sql import LinkOutcome
from flows import Event, EventKind

if TYPE_CHECKING:
    from bot.channels.telegram.channel import Press, TelegramChannel

log = logging.getLogger(__name__)

ADMIN_COMMANDS = ("wave", "report", "flags")
"""Admin commands always routed to the admin registry (their handlers come from other areas)."""
_SURVEY_COMMANDS = {"back": EventKind.BACK, "skip": EventKind.SKIP, "stop": EventKind.STOP}
"""The typed survey commands, and the actions of the Back, Skip and Stop buttons."""
Context = Any


class UpdateHandlers:
    """The python-telegram-bot handlers of one `TelegramChannel`."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel
        self.service = channel.service
        self.config = channel.config
        self.name = channel.name

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register every handler on the application."""
        private = filters.ChatType.PRIVATE
        add = application.add_handler
        add(CommandHandler("start", self.start, filters=private))
        add(CommandHandler(list(_SURVEY_COMMANDS), self.survey_command, filters=private))
        add(CommandHandler("help", self.help, filters=private))
        add(CommandHandler("language", self.language, filters=private))
        add(CommandHandler("forget", self.forget, filters=private))
        add(CallbackQueryHandler(self.press))
        add(MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.text))
        add(MessageHandler(filters.COMMAND, self.other_command))

    # -- helpers ----------------------------------------------------------------------

    def _who(self, update: Update) -> tuple[str, str, str]:
        """(user id, chat id, language) of an update's sender."""
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        language = i18n.pick_language(user.language_code, default=self.config.default_language)
        return str(user.id), str(chat.id), language

    def _inbound(self, update: Update, event: Event, *, dedupe: bool = True) -> Inbound:
        user, chat, _language = self._who(update)
        hint = update.effective_user.language_code if update.effective_user else None
        return Inbound(
            self.name,
            user,
            chat,
            event,
            update_id=str(update.update_id) if dedupe else None,
            language=hint,
        )

    # -- survey -----------------------------------------------------------------------

    async def text(self, update: Update, context: Context) -> None:
        """A typed answer (or anything typed): the engine decides what it means."""
        message = update.effective_message
        assert message is not None
        await self.service.handle(self._inbound(update, Event(EventKind.TEXT, message.text or "")))

    async def survey_command(self, update: Update, context: Context) -> None:
        """/back, /skip and /stop."""
        message = update.effective_message
        assert message is not None and message.text
        command = message.text.split()[0][1:].split("@")[0].lower()
        await self.service.handle(self._inbound(update, Event(_SURVEY_COMMANDS[command])))

    async def start(self, update: Update, context: Context) -> None:
        """/start [token]: link a personal link's contact, then go on with or open a survey."""
        user, chat, language = self._who(update)
        token = context.args[0] if context.args else None
        opened = await self.service.link(self.name, user, token, update_id=str(update.update_id))
        if opened is None:
            return
        if opened.language:
            language = opened.language
        _ = i18n.translator(language).gettext
        if opened.outcome is LinkOutcome.UNKNOWN:
            await self.channel.say(
                chat, _("This link does not work (any more). Please ask us for a new one.")
            )
            return
        if opened.outcome is LinkOutcome.USED:
            await self.channel.say(
                chat,
                _(
                    "This personal link was already used by someone else. "
                    "Please ask us for a new one."
                ),
            )
            return
        if not opened.linked and not self.config.telegram_open_enrolment:
            await self.channel.say(
                chat,
                _(
                    "Hello! This bot asks our customers for feedback. "
                    "Please open it with the personal link you received from us."
                ),
            )
            return
        if opened.open_session:
            await self.service.handle(
                Inbound(self.name, user, chat, Event(EventKind.REPEAT), language=language)
            )
        elif self.config.telegram_start_survey:
            await self.service.begin(
                self.name, user, chat, self.config.telegram_start_survey, language=language
            )
        else:
            await self.channel.say(
                chat, _("Thank you! We will send you our surveys here from now on.")
            )

    async def help(self, update: Update, context: Context) -> None:
        """/help: what the bot does and how to answer; then the open question again."""
        user, chat, language = self._who(update)
        _ = i18n.translator(language).gettext
        await self.channel.say(
            chat,
            _(
                "I ask you a few short questions about our service. Tap a button or type "
                "your answer (for example 8).\n"
                "/back changes your previous answer, /skip leaves an optional question out, "
                "/stop ends the survey without keeping anything, /language changes the "
                "language, /forget deletes your data."
            ),
        )
        if await self.service.open_session(self.name, user) is not None:
            await self.service.handle(self._inbound(update, Event(EventKind.REPEAT)))

    async def language(self, update: Update, context: Context) -> None:
        """/language [code]: switch at once, or offer a button per language."""
        user, chat, language = self._who(update)
        if context.args:
            await self._switch_language(update, chat, context.args[0].lower())
            return
        _ = i18n.translator(language).gettext
        buttons = [
            (i18n.language_name(code), self.channel.codec.language(user, code))
            for code in i18n.LANGUAGES
        ]
        await self.channel.say(chat, _("Choose your language:"), button_rows(buttons, 2))

    async def _switch_language(self, update: Update, chat: str, code: str) -> None:
        """The service switches (or lists the languages for an unknown code); with a
        survey open it asks the question again in the new language."""
        inbound = self._inbound(update, Event(EventKind.LANGUAGE, code))
        handled = await self.service.record(inbound)
        if handled.status is None and not handled.duplicate:
            # Nothing open: the answer is a message of its own, also after a button press.
            for reply in handled.replies:
                await self.channel.say(chat, reply.text)
            return
        await self.service.follow_up(inbound, handled)

    async def forget(self, update: Update, context: Context) -> None:
        """/forget: ask to confirm with a button (deleting cannot be undone)."""
        user, chat, language = self._who(update)
        _ = i18n.translator(language).gettext
        await self.channel.say(
            chat,
            _(
                "This deletes your link to us, every answer you gave with your name and any"
                " anonymous answer not yet released. Released anonymous answers stay, as"
                " nothing links them to you. This cannot be undone."
            ),
            button_rows([(_("Yes, delete my data"), self.channel.codec.forget(user))]),
        )

    async def _confirm_forget(self, press: Press, user: str, language: str) -> None:
        await self.service.forget(self.name, user)
        _ = i18n.translator(language).gettext
        done = _(
            "Your data has been deleted. Released anonymous answers stay, as nothing links"
            " them to you."
        )
        message = press.query.message
        if message is not None:
            await self.channel.edit(press.chat, message.message_id, done)
        await self.channel.toast(press, _("Deleted."))

    # -- presses ----------------------------------------------------------------------

    async def press(self, update: Update, context: Context) -> None:
        """A button press: an answer, Back/Skip/Stop, a notice action, a language or the
        /forget confirmation. Survey presses go to the service as they are: whether the
        button is still live is the engine's decision, in the transaction of its effect."""
        query = update.callback_query
        assert query is not None
        user = str(query.from_user.id)
        chat = str(query.message.chat.id) if query.message else user
        language = i18n.pick_language(
            query.from_user.language_code, default=self.config.default_language
        )
        pressed = self.channel.codec.read(query.data or "", user=user, chat=chat)
        async with self.channel.pressing(query, chat) as press:
            if isinstance(pressed, AnswerPress) and chat == user:
                event = Event(
                    EventKind.PRESS,
                    pressed.value,
                    pressed.question_id,
                    pressed.revision,
                    pressed.conversation,
                )
                await self.service.handle(self._inbound(update, event))
            elif isinstance(pressed, ControlPress) and chat == user:
                event = Event(
                    _SURVEY_COMMANDS[pressed.action],
                    question_id=pressed.question_id,
                    revision=pressed.revision,
                    conversation=pressed.conversation,
                )
                await self.service.handle(self._inbound(update, event))
            elif isinstance(pressed, ActionPressed):
                reply = await self.channel.on_action(
                    ActionPress(
                        self.name,
                        user,
                        chat,
                        pressed.value,
                        f"{chat}:{query.message.message_id if query.message else ''}",
                        str(update.update_id),
                    )
                )
                await self.channel.toast(press, reply)
            elif isinstance(pressed, LanguagePressed):
                await self._switch_language(update, chat, pressed.language)
            elif isinstance(pressed, ForgetConfirmed) and chat == user:
                await self._confirm_forget(press, user, language)
            else:
                log.warning("refused a button press with data this bot did not make for them")
                _ = i18n.translator(language).gettext
                await self.channel.toast(press, _("This button is not valid."))

    # -- other commands ---------------------------------------------------------------

    async def other_command(self, update: Update, context: Context) -> None:
        """Admin commands anywhere; in a private chat, anything else gets the help text."""
        message = update.effective_message
        assert message is not None and message.text
        word, *args = message.text.split()
        command, _at, target = word[1:].partition("@")
        if target and target.lower() != (self.channel.bot.username or "").lower():
            return
        command = command.lower()
        user, chat, language = self._who(update)
        if command in ADMIN_COMMANDS or command in self.channel.admin.handlers:
            # A redelivered command (a webhook retried, polling after a crash) acts once:
            # /wave start twice would invite everyone twice.
            async with self.service.storage.transaction() as tx:
                first = await tx.mark_update(self.name, str(update.update_id), self.service.clock())
            if not first:
                return
            notice = await self.channel.admin.run(
                AdminRequest(self.name, user, chat, command, tuple(args), language)
            )
            await self.channel.notify(chat, notice)
        elif update.effective_chat and update.effective_chat.type == "private":
            await self.help(update, context)
