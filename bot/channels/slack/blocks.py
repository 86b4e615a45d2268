"""Block Kit for Slack: questions as buttons, answered questions, notices with actions.

Pure functions from neutral replies to Slack message payloads and back from button values,
so the layout can be tested without Slack. Every button of a question (its answers,
Answer, Skip and Back) carries the conversation, question and session revision it was
made for (`conversation|question|revision|answer`, the answer empty but for answer
buttons), and so does the private metadata of the modal the Answer button opens; the
engine refuses a press or a submission that is not for the conversation as it stands. A
value of the layout before conversations had ids (`question|revision|answer`) is read as
being of no conversation, so it is refused too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.delivery import Notice
from flows import Reply, ReplyKind

Block = dict[str, Any]

ANSWER_ACTION = "ks.answer"
SKIP_ACTION = "ks.skip"
BACK_ACTION = "ks.back"
OPEN_TEXT_ACTION = "ks.text"
NOTICE_ACTION = "ks.notice"
LANGUAGE_ACTION = "ks.language"
FORGET_ACTION = "ks.forget"
TEXT_VIEW = "ks.text_answer"
TEXT_BLOCK = "answer"
TEXT_INPUT = "text"

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
TEXT_ANSWER_LIMIT = 2000
_SEP = "|"


@dataclass(frozen=True)
class Pressed:
    """What a question button was made for (`conversation` None: made before they had ids)."""

    question_id: str
    revision: int
    value: str
    conversation: str | None = None


def button_value(conversation: str, question_id: str, revision: int, value: str = "") -> str:
    """Encode a question button's value."""
    return _SEP.join((conversation, question_id, str(revision), value))


def parse_value(raw: str) -> Pressed | None:
    """Decode a question button's value; None for a value this module did not make."""
    parts = raw.split(_SEP, 3)
    if len(parts) == 4 and _number(parts[2]):
        return Pressed(parts[1], int(parts[2]), parts[3], parts[0])
    if len(parts) == 3 and _number(parts[1]):  # made before conversations had ids
        return Pressed(parts[0], int(parts[1]), parts[2])
    return None


def text_view_metadata(channel: str, pressed: Pressed) -> str:
    """The private metadata of the modal an Answer button opens: the DM and what the
    button was made for (`channel|conversation|question|revision`)."""
    bound = (pressed.question_id, str(pressed.revision))
    if pressed.conversation is None:
        return _SEP.join((channel, *bound))
    return _SEP.join((channel, pressed.conversation, *bound))


def parse_text_view_metadata(raw: str) -> tuple[str, Pressed] | None:
    """(DM channel, what the modal was opened for) of a modal's private metadata; None
    for metadata this module did not make. Three parts: made before conversations had ids."""
    parts = raw.split(_SEP)
    if len(parts) == 4 and _number(parts[3]):
        return parts[0], Pressed(parts[2], int(parts[3]), "", parts[1])
    if len(parts) == 3 and _number(parts[2]):
        return parts[0], Pressed(parts[1], int(parts[2]), "")
    return None


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def escape(text: str) -> str:
    """Text for a mrkdwn field: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _clip(escape(text), SECTION_LIMIT)},
    }


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(escape(text), 2000)}]}


def _button(label: str, action_id: str, value: str, *, primary: bool = False) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(label, BUTTON_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if primary:
        button["style"] = "primary"
    return button


def question_heading(reply: Reply) -> str:
    """The question text with its position, e.g. "[2/4] How satisfied are you?"."""
    if reply.progress:
        position, total = reply.progress
        return f"[{position}/{total}] {reply.text}"
    return reply.text


def question_blocks(reply: Reply, _: Callable[[str], str]) -> list[Block]:
    """A question with its answer buttons; `_` translates the channel's own words."""
    blocks = [_section(question_heading(reply))]
    if reply.hint:
        blocks.append(_context(reply.hint))
    if reply.current:
        blocks.append(_context(_("Current answer: {answer}").format(answer=reply.current)))
    conv, qid, rev = reply.conversation or "", reply.question_id or "", reply.revision or 0
    buttons = [
        _button(o.label, f"{ANSWER_ACTION}.{i}", button_value(conv, qid, rev, o.value))
        for i, o in enumerate(reply.options)
    ]
    rows = reply.rows if sum(reply.rows) == len(buttons) and not reply.numbered else (len(buttons),)
    start = 0
    for count in rows:
        if count:
            blocks.append({"type": "actions", "elements": buttons[start : start + count]})
        start += count
    extra = []
    if not reply.options:
        blocks.append(_context(_("Reply in this chat, or press Answer to type in a form.")))
        extra.append(
            _button(_("Answer"), OPEN_TEXT_ACTION, button_value(conv, qid, rev), primary=True)
        )
    if reply.skippable:
        extra.append(_button(_("Skip"), SKIP_ACTION, button_value(conv, qid, rev)))
    if reply.progress and reply.progress[0] > 1:
        extra.append(_button(_("Back"), BACK_ACTION, button_value(conv, qid, rev)))
    if extra:
        blocks.append({"type": "actions", "elements": extra})
    return blocks


def answered_blocks(question_text: str, answer: str, _: Callable[[str], str]) -> list[Block]:
    """A question message after it was answered: the question and the recorded answer."""
    return [
        _section(question_text),
        _context("✓ " + _("Your answer: {answer}").format(answer=answer)),
    ]


def text_blocks(text: str) -> list[Block]:
    """A plain message: thanks, a re-prompt, a survey title."""
    return [_section(text)]


def compose(replies: Sequence[Reply]) -> list[list[Reply]]:
    """Group replies into messages: texts that lead up to a question travel with it.

    `ANSWERED` replies stay alone (they edit an earlier message), so a survey's title and
    its first question, or a re-prompt and the question again, arrive as one message.
    """
    messages: list[list[Reply]] = []
    pending: list[Reply] = []
    for reply in replies:
        if reply.kind is ReplyKind.ANSWERED:
            messages.append([reply])
        elif reply.kind is ReplyKind.QUESTION:
            messages.append([*pending, reply])
            pending = []
        else:
            pending.append(reply)
    messages.extend([r] for r in pending)
    return messages


def message_blocks(replies: Sequence[Reply], _: Callable[[str], str]) -> list[Block]:
    """The blocks of one composed message."""
    blocks: list[Block] = []
    for reply in replies:
        if reply.kind is ReplyKind.QUESTION:
            if blocks:
                blocks.append({"type": "divider"})
            blocks += question_blocks(reply, _)
        else:
            blocks += text_blocks(reply.text)
    return blocks


def fallback_text(replies: Sequence[Reply]) -> str:
    """The notification text of a message (also what screen readers and old clients show)."""
    return _clip(" ".join(question_heading(r) for r in replies), SECTION_LIMIT)


def notice_blocks(notice: Notice) -> list[Block]:
    """A staff notice with its action buttons (values come back exactly as given)."""
    blocks = [_section(notice.text)]
    if notice.actions:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _button(a.label, f"{NOTICE_ACTION}.{i}", a.value)
                    for i, a in enumerate(notice.actions)
                ],
            }
        )
    return blocks


def language_blocks(prompt: str, choices: Sequence[tuple[str, str]]) -> list[Block]:
    """The languages to choose from: (code, name) pairs as buttons, the code their value."""
    buttons = [_button(name, f"{LANGUAGE_ACTION}.{code}", code) for code, name in choices]
    return [_section(prompt), {"type": "actions", "elements": buttons}]


def forget_blocks(warning: str, confirm: str, user: str) -> list[Block]:
    """What forgetting deletes, and the button that confirms it; the button is bound to
    the person who asked (its value is their user id), so nobody else's press counts."""
    button = _button(confirm, FORGET_ACTION, user)
    button["style"] = "danger"
    return [_section(warning), {"type": "actions", "elements": [button]}]


def text_answer_view(question_text: str, private: str, _: Callable[[str], str]) -> dict[str, Any]:
    """The modal in which an open question is answered."""
    return {
        "type": "modal",
        "callback_id": TEXT_VIEW,
        "private_metadata": private,
        "title": {"type": "plain_text", "text": _clip(_("Your answer"), 24)},
        "submit": {"type": "plain_text", "text": _clip(_("Send"), 24)},
        "close": {"type": "plain_text", "text": _clip(_("Cancel"), 24)},
        "blocks": [
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": {"type": "plain_text", "text": _clip(question_text, 2000)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": TEXT_INPUT,
                    "multiline": True,
                    "max_length": TEXT_ANSWER_LIMIT,
                },
            }
        ],
    }
