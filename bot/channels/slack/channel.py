"""The Slack channel: surveys in DMs with Block Kit buttons, staff notices, `/klantstem`.

`SlackChannel` owns a slack-bolt `AsyncApp` and its `AsyncWebClient` as fields. Slack
wants every request acknowledged within 3 seconds. What a respondent does (a press, a
modal submitted, a DM typed) is stored first and acknowledged once it is committed, so
an acknowledged answer is never lost; a failure to store it is not acknowledged
(`_act`). Other requests (staff buttons, `/klantstem`, opening a modal) are acknowledged
at once. The work after the acknowledgement (posting the next question, running an
admin command) runs in a task the channel tracks, so `stop()` finishes it and tests can
wait for it with `idle()`. Whether a button may still act is not the channel's business:
it hands the button's conversation, question and revision to the service, whose engine
step decides in the transaction of the effect.

- Socket Mode when `SLACK_APP_TOKEN` is set; otherwise HTTP mode, where the web server
  mounts `http_endpoint()` at `/slack/events` (see `bot.channels.slack.http`).
- A press updates its question message to show the answer (chat.update) and the next
  question follows; open questions are answered by replying in the DM or in a modal.
- Retried deliveries are processed once: each event id, press and modal submission is an
  update id the service records with its effect (Slack retries an event with the same
  `event_id`; a press resent has the same trigger id).
- Web API 429s are retried after `Retry-After` by the SDK's retry handler; posts keep to
  about one message per second per channel (`slack_pace`), and broadcasts (wave
  invitations) also keep to a workspace-wide pace so interactive replies are not starved.
- A respondent's language is their Slack locale (users.info), else the contact record,
  else the default; a supported locale is kept on an identity that has no language yet,
  for later invitations (a language the person chose stays).
- `/klantstem` is two things. For anyone, about themselves: `forget` (a button in their
  DM confirms; it is bound to them) and `language [code]` (without a code: a button per
  language); these are the service's operations (`bot.conversations.person`, and a
  language event through the service), and what follows goes to the person's DM. For
  administrators: `wave ...`, `report`, `flags` and any other command registered with
  `AdminCommands`, which refuses and audits anyone else.
- Times come from the service's clock, the one the whole process uses.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.admin.commands import AdminCommands, AdminRequest
from bot.channels.slack.blocks import (
    ANSWER_ACTION,
    BACK_ACTION,
    FORGET_ACTION,
    LANGUAGE_ACTION,
    NOTICE_ACTION,
    OPEN_TEXT_ACTION,
    SKIP_ACTION,
    TEXT_BLOCK,
    TEXT_INPUT,
    TEXT_VIEW,
    Pressed,
    answered_blocks,
    compose,
    fallback_text,
    forget_blocks,
    language_blocks,
    message_blocks,
    notice_blocks,
    parse_text_view_metadata,
    parse_value,
    question_heading,
    text_answer_view,
    text_blocks,
    text_view_metadata,
)
from bot.channels.slack.http import SlackHttpEndpoint
from bot.channels.slack.pace import Pace
from bot.config.settings import Config, ConfigError
from bot.conversations.service import Inbound, Service
from bot.delivery import ActionHandler, ActionPress, DeliveryFailed, Notice, Unreachable
from flows import Event, EventKind, Reply, ReplyKind

log = logging.getLogger(__name__)

NAME = "slack"
COMMAND = "/klantstem"
API_URL = "https://slack.com/api/"
BROADCAST_INTERVAL = 0.25
"""Seconds between broadcast posts workspace-wide (240 a minute, within Slack's limit)."""
RATE_LIMIT_RETRIES = 3
WORKERS = 32
"""Requests worked on at once after their acknowledgement."""
LOCALE_WAIT = 1.0
"""Seconds an unacknowledged update waits for a new user's locale (users.info)."""
REMEMBERED = 10_000
"""How many question messages and user locales are kept in memory."""

UNREACHABLE_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "messages_tab_disabled",
        "not_in_channel",
        "user_disabled",
        "user_not_found",
        "user_not_visible",
    }
)

SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": "",
    "auth.test": "",
}
"""Web API methods the bot calls and the bot scope each needs (docs/slack-manifest.yml);
`commands` (for /klantstem) and `im:history` (for DMs typed to the bot) come on top."""

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def web_client(token: str, api_url: str = API_URL) -> AsyncWebClient:
    """A Web API client that waits out 429s (`Retry-After`) and retries lost connections."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncConnectionErrorRetryHandler(),
            AsyncServerErrorRetryHandler(),
        ],
    )


class _Lru(OrderedDict[Any, Any]):
    """A dict that forgets its oldest entries beyond `REMEMBERED`."""

    def remember(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > REMEMBERED:
            self.popitem(last=False)


class SlackChannel:
    """Surveys, notices and admin commands over Slack."""

    name = NAME

    def __init__(
        self,
        config: Config,
        service: Service,
        admin: AdminCommands,
        on_action: ActionHandler,
        *,
        api_url: str = API_URL,
        pace: Pace | None = None,
        broadcast_pace: Pace | None = None,
    ) -> None:
        if config.slack_bot_token is None or config.slack_signing_secret is None:
            raise ValueError("the Slack channel needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
        self.config = config
        self.service = service
        self.clock = service.clock
        self.admin = admin
        self.on_action = on_action
        self.client = web_client(config.slack_bot_token.reveal(), api_url)
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=config.slack_signing_secret.reveal(),
            # The HTTP answer (or Socket Mode ack) goes out when a listener returns, with
            # what it passed to ack(), or 500 if it raised first. Listeners return as soon
            # as they acked, handing the sending to a task.
            process_before_response=True,
            # Under `slack_bolt`, which stays at WARNING (bot/logs.py): at DEBUG, Bolt and its
            # Socket Mode client log whole payloads, with user ids and typed answers.
            logger=logging.getLogger("slack_bolt.klantstem"),
        )
        self.pace = pace or Pace()
        self.broadcast_pace = broadcast_pace or Pace(BROADCAST_INTERVAL, burst=1)
        self._tasks: set[asyncio.Future[Any]] = set()
        self._workers = asyncio.Semaphore(WORKERS)
        self._idle = asyncio.Event()
        self._idle.set()
        self._questions: _Lru = _Lru()  # (channel, conversation, question, revision) -> (ts, text)
        self._locales: _Lru = _Lru()  # user id -> language or None
        self._dms: _Lru = _Lru()  # user id -> DM channel id
        self._socket: Any = None
        self._session: aiohttp.ClientSession | None = None
        self._register()

    # -- component ------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, then connect by Socket Mode when an app token is configured."""
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        try:
            me = await self.client.auth_test()
        except SlackApiError as exc:
            raise ConfigError(
                f"SLACK_BOT_TOKEN: Slack refused it ({exc.response.get('error')})"
            ) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConfigError(f"SLACK_API_URL: Slack cannot be reached ({exc})") from None
        log.info("slack: connected as %s in %s", me.get("user"), me.get("team"))
        if self.config.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.bolt, self.config.slack_app_token.reveal())
            await self._socket.connect_async()
            log.info("slack: receiving by Socket Mode")
        else:
            log.info("slack: receiving over HTTP at /slack/events on the web server")

    async def stop(self) -> None:
        """Disconnect, finish work in progress and close the HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.idle()
        if self._session is not None:
            await self._session.close()
            self.client.session = None
            self._session = None

    def http_endpoint(self) -> SlackHttpEndpoint:
        """The ASGI app that takes Slack's HTTP requests (mount it at `/slack/events`)."""
        return SlackHttpEndpoint(self.bolt)

    async def idle(self) -> None:
        """Wait until every acknowledged request has been fully handled."""
        while self._tasks:
            await self._idle.wait()

    # -- sending --------------------------------------------------------------------

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Post replies to a DM (`address` is a channel id, or a user id whose DM is opened)."""
        _ = i18n.translator(language).gettext
        channel = await self._resolve(address)
        for message in compose(replies):
            first = message[0]
            if first.kind is ReplyKind.ANSWERED:
                await self._show_answer(channel, first, _)
                continue
            ts = await self._post(
                channel, fallback_text(message), message_blocks(message, _), broadcast=broadcast
            )
            question = message[-1]
            if question.kind is ReplyKind.QUESTION:
                key = (channel, question.conversation, question.question_id, question.revision)
                self._questions.remember(key, (ts, question_heading(question)))

    async def notify(self, address: str, notice: Notice) -> str:
        """Post a notice (with its action buttons, then its image); returns `channel:ts`."""
        channel = await self._resolve(address)
        ts = await self._post(channel, notice.text, notice_blocks(notice))
        if notice.image is not None:
            await self._call(
                self.client.files_upload_v2(
                    channel=channel, file=notice.image, filename=notice.image_name
                )
            )
        return f"{channel}:{ts}"

    async def _post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, broadcast: bool = False
    ) -> str:
        if broadcast:
            await self.broadcast_pace.wait("*")
        await self.pace.wait(channel)
        response = await self._call(
            self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        )
        return str(response["ts"])

    async def _show_answer(self, channel: str, reply: Reply, _: Any) -> None:
        key = (channel, reply.conversation, reply.question_id, reply.revision)
        found = self._questions.pop(key, None)
        if found is None:
            return  # asked before a restart: the next question follows all the same
        ts, question_text = found
        await self._call(
            self.client.chat_update(
                channel=channel,
                ts=ts,
                text=f"{question_text} {reply.text}",
                blocks=answered_blocks(question_text, reply.text, _),
            )
        )

    async def _resolve(self, address: str) -> str:
        """The channel to post to: a user id becomes the id of the DM with them."""
        if not _USER_ID.match(address):
            return address
        if address not in self._dms:
            response = await self._call(self.client.conversations_open(users=address))
            self._dms.remember(address, response["channel"]["id"])
        return str(self._dms[address])

    async def _call(self, request: Coroutine[Any, Any, Any]) -> Any:
        """Run one Web API call; Slack's refusals become `Unreachable` or `DeliveryFailed`."""
        try:
            return await request
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in UNREACHABLE_ERRORS:
                raise Unreachable(error) from exc
            raise DeliveryFailed(error or f"HTTP {exc.response.status_code}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryFailed(repr(exc)) from exc

    # -- receiving ------------------------------------------------------------------

    def _register(self) -> None:
        app = self.bolt
        app.action(re.compile(rf"^{re.escape(ANSWER_ACTION)}\.\d+$"))(self._on_answer)
        app.action(SKIP_ACTION)(self._on_skip)
        app.action(BACK_ACTION)(self._on_back)
        app.action(OPEN_TEXT_ACTION)(self._on_open_text)
        app.action(re.compile(rf"^{re.escape(NOTICE_ACTION)}\.\d+$"))(self._on_notice_action)
        app.action(re.compile(rf"^{re.escape(LANGUAGE_ACTION)}\.[a-z]+$"))(self._on_language)
        app.action(FORGET_ACTION)(self._on_forget)
        app.view(TEXT_VIEW)(self._on_text_view)
        app.command(COMMAND)(self._on_command)
        app.event("message")(self._on_message)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._track(asyncio.create_task(self._limited(work)))

    def _track(self, task: asyncio.Future[Any]) -> None:
        """Keep a task until it ends, so `idle()` and `stop()` wait for it."""
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    async def _limited(self, work: Coroutine[Any, Any, None]) -> None:
        # A bounded number of requests is worked on at once; the rest wait their turn,
        # so a burst does not slow down the acknowledgements of new requests.
        async with self._workers:
            await work

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("slack: handling a request failed", exc_info=task.exception())

    async def _on_answer(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        pressed = parse_value(body["actions"][0].get("value", ""))
        if pressed is None:
            await ack()
            log.warning("slack: ignored a button value this bot did not make")
            return
        channel, user = self._pressed_on(body, pressed)
        event = Event(
            EventKind.PRESS,
            pressed.value,
            pressed.question_id,
            pressed.revision,
            pressed.conversation,
        )
        await self._act(ack, user, channel, event, press_key(body))

    async def _on_skip(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await self._on_control(ack, body, EventKind.SKIP)

    async def _on_back(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await self._on_control(ack, body, EventKind.BACK)

    async def _on_control(self, ack: AsyncAck, body: dict[str, Any], kind: EventKind) -> None:
        """Skip or Back: bound to its question like an answer, so the engine refuses it on
        an old message, in another conversation, or when it was tapped twice."""
        pressed = parse_value(body["actions"][0].get("value", ""))
        if pressed is None:
            await ack()
            log.warning("slack: ignored a button value this bot did not make")
            return
        channel, user = self._pressed_on(body, pressed)
        event = Event(
            kind,
            question_id=pressed.question_id,
            revision=pressed.revision,
            conversation=pressed.conversation,
        )
        await self._act(ack, user, channel, event, press_key(body))

    def _pressed_on(self, body: dict[str, Any], pressed: Pressed) -> tuple[str, str]:
        """(channel, user) of a question button's press; its message is remembered, so
        the answer can be shown on it even when it was posted before a restart."""
        channel, user = _where(body)
        ts = body.get("container", {}).get("message_ts")
        text = body.get("message", {}).get("text", "")
        if ts:
            key = (channel, pressed.conversation, pressed.question_id, pressed.revision)
            self._questions.remember(key, (ts, text))
        return channel, user

    async def _on_open_text(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()  # opening the modal changes nothing: the submission is checked
        self._spawn(self._open_text(body))

    async def _open_text(self, body: dict[str, Any]) -> None:
        pressed = parse_value(body["actions"][0].get("value", ""))
        channel, user = _where(body)
        if pressed is None:
            return
        lang = await self._user_language(user)
        _ = i18n.translator(lang).gettext
        question = body.get("message", {}).get("text", "") or _("Your answer")
        private = text_view_metadata(channel, pressed)
        await self._call(
            self.client.views_open(
                trigger_id=body["trigger_id"], view=text_answer_view(question, private, _)
            )
        )

    async def _on_text_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        view = body["view"]
        opened = parse_text_view_metadata(view.get("private_metadata", ""))
        if opened is None:
            await ack()
            log.warning("slack: ignored a form this bot did not open")
            return
        channel, pressed = opened
        text = view["state"]["values"][TEXT_BLOCK][TEXT_INPUT].get("value") or ""
        event = Event(
            EventKind.TEXT, text, pressed.question_id, pressed.revision, pressed.conversation
        )
        await self._act(ack, body["user"]["id"], channel, event, f"view:{view['id']}")

    async def _on_message(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        event = body.get("event", {})
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            await ack()
            return  # only what a person types in their DM with the bot
        typed = Event(EventKind.TEXT, event.get("text", ""))
        await self._act(ack, event["user"], event["channel"], typed, body["event_id"])

    async def _act(
        self, ack: AsyncAck, user: str, channel: str, event: Event, update_id: str
    ) -> None:
        """Store what a respondent did, then acknowledge it, then send what follows.

        Slack hears that the update arrived only once its effect is committed: one
        transaction (with group commit on SQLite), well inside Slack's 3 seconds; Bolt
        sends the HTTP answer (or the Socket Mode ack) when this listener returns. When
        storing fails this raises before `ack()`, so Bolt answers 500 (in Socket Mode it
        sends no ack) and Slack does not take the update as delivered. The update id is
        stored with the effect: a redelivery of a stored update acts once, and re-sends
        the question if what followed it may not have gone out (`Service.follow_up`).
        """
        language = await self._language_hint(user)
        inbound = Inbound(NAME, user, channel, event, update_id, language)
        handled = await self.service.record(inbound)
        await ack()
        self._spawn(self.service.follow_up(inbound, handled))

    async def _language_hint(self, user: str) -> str | None:
        """The user's language for an update not yet acknowledged: the cached locale, else
        a lookup given at most `LOCALE_WAIT` seconds (it goes on and is cached after)."""
        if user in self._locales:
            return self._locales[user]  # type: ignore[no-any-return]
        lookup = asyncio.ensure_future(self._user_language(user))
        self._track(lookup)
        try:
            return await asyncio.wait_for(asyncio.shield(lookup), LOCALE_WAIT)
        except TimeoutError:
            return None
        except Exception:  # logged when the lookup task ends; the reply takes the default
            return None

    async def _on_notice_action(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        action = body["actions"][0]
        channel, user = _where(body)
        ts = body.get("container", {}).get("message_ts", "")
        press = ActionPress(
            NAME, user, channel, action["value"], f"{channel}:{ts}", f"action:{action['action_ts']}"
        )
        self._spawn(self._press(press, respond))

    async def _press(self, press: ActionPress, respond: AsyncRespond) -> None:
        answer = await self.on_action(press)
        await respond(text=answer, response_type="ephemeral", replace_original=False)

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        words = body.get("text", "").split()
        if len(words) > 1 and words[0].lower() == "language":
            # A switch is stored before it is acknowledged, like an answer.
            user = body["user_id"]
            event = Event(EventKind.LANGUAGE, words[1].lower())
            await self._act(ack, user, user, event, command_key(body))
            return
        await ack()
        self._spawn(self._command(body, respond))

    async def _command(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        user, channel = body["user_id"], body["channel_id"]
        language = await self._user_language(user) or self.config.default_language
        _ = i18n.translator(language).gettext
        words = body.get("text", "").split()
        if not words or words[0].lower() == "help":
            usage = _(
                "Usage: {command} forget | language [code] | wave start <survey>"
                " [key=value ...] | wave status | report | flags"
            ).format(command=COMMAND)
            await respond(text=usage, response_type="ephemeral")
            return
        if not await self._first_time(body):
            log.info("slack: a replayed or retried command was not run again")
            return
        command = words[0].lower()
        if command == "forget":
            warning = _(
                "This deletes your link to us, every answer you gave with your name and any"
                " anonymous answer not yet released. Released anonymous answers stay, as"
                " nothing links them to you. This cannot be undone."
            )
            blocks = forget_blocks(warning, _("Yes, delete my data"), user)
            await self._post(await self._resolve(user), warning, blocks)
            return
        if command == "language":
            prompt = _("Choose your language:")
            choices = [(code, i18n.language_name(code)) for code in i18n.LANGUAGES]
            await self._post(await self._resolve(user), prompt, language_blocks(prompt, choices))
            return
        notice = await self.admin.run(
            AdminRequest(NAME, user, channel, command, tuple(words[1:]), language)
        )
        await respond(text=notice.text, blocks=notice_blocks(notice), response_type="ephemeral")
        if notice.image is not None:
            await self.notify(user, Notice(notice.text, image=notice.image))

    async def _on_language(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A language button: the presser switches their own language."""
        channel, user = _where(body)
        code = str(body["actions"][0].get("value", ""))
        await self._act(ack, user, channel, Event(EventKind.LANGUAGE, code), press_key(body))

    async def _on_forget(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The confirmation of `/klantstem forget`: only the person it was made for may
        press it. Their data is gone before the press is acknowledged."""
        channel, user = _where(body)
        if body["actions"][0].get("value") != user:
            await ack()
            log.warning("slack: refused a forget button pressed by someone it was not made for")
            self._spawn(self._refuse(user, respond))
            return
        # Their confirmation was posted in their language moments ago, so it is cached (a
        # lookup now could store their identity again once it is forgotten).
        language = self._locales.get(user) or self.config.default_language
        _ = i18n.translator(language).gettext
        await self.service.forget(NAME, user, update_id=press_key(body))
        await ack()
        # Nothing of theirs is kept in memory either; writing again starts afresh.
        self._locales.pop(user, None)
        self._dms.pop(user, None)
        done = _(
            "Your data has been deleted. Released anonymous answers stay, as nothing links"
            " them to you."
        )
        ts = body.get("container", {}).get("message_ts")
        if ts:
            self._spawn(self._replace(channel, str(ts), done))

    async def _replace(self, channel: str, ts: str, text: str) -> None:
        """Replace a message's text and remove its buttons."""
        await self._call(
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=text_blocks(text))
        )

    async def _refuse(self, user: str, respond: AsyncRespond) -> None:
        """Tell the presser, and only them, that the button is not theirs."""
        language = await self._user_language(user) or self.config.default_language
        refusal = i18n.translator(language).gettext("This button is not valid.")
        await respond(text=refusal, response_type="ephemeral", replace_original=False)

    async def _first_time(self, body: dict[str, Any]) -> bool:
        """Record a slash command by its trigger id, which Slack makes new for every
        command; the same request replayed (re-signed or not) or retried has it again."""
        if not body.get("trigger_id"):
            return True
        async with self.service.storage.transaction() as tx:
            return await tx.mark_update(NAME, command_key(body), self.clock())

    # -- people ---------------------------------------------------------------------

    async def _user_language(self, user: str) -> str | None:
        """The user's Slack locale as one of our languages, or None (cached)."""
        if user in self._locales:
            return self._locales[user]  # type: ignore[no-any-return]
        try:
            info = await self.client.users_info(user=user, include_locale=True)
            locale = info["user"].get("locale")
        except SlackApiError as exc:
            # No user id: this runs during a conversation, and would tell who answered when.
            log.info("slack: no locale for a user (%s)", exc.response.get("error"))
            locale = None
        language = i18n.pick_language(locale, default="") or None
        self._locales.remember(user, language)
        if language:
            async with self.service.storage.transaction() as tx:
                identity = await tx.ensure_identity(NAME, user, self.clock())
                if identity.language is None:  # a language the person chose stays
                    await tx.remember_language(NAME, user, language)
        return language


def press_key(body: dict[str, Any]) -> str:
    """The dedupe key of a button press: a digest of Slack's trigger id, new for every press
    and the same in a redelivery. No user id and no time: the key is kept for days."""
    trigger = body.get("trigger_id") or "|".join(
        (
            str(body.get("container", {}).get("message_ts", "")),
            str(body["actions"][0].get("action_id", "")),
            str(body["actions"][0].get("action_ts", "")),
        )
    )
    return "trigger:" + hashlib.sha256(str(trigger).encode()).hexdigest()[:32]


def command_key(body: dict[str, Any]) -> str:
    """The dedupe key of a slash command: a digest of its trigger id, which Slack makes
    new for every command and sends again in a replay or a retry."""
    trigger = body.get("trigger_id") or ""
    return "command:" + hashlib.sha256(str(trigger).encode()).hexdigest()[:32]


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """(channel id, user id) of an interaction payload."""
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    return str(channel), str(body["user"]["id"])
