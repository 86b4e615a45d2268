"""How `flows.Reply`s look in Telegram: message texts, inline keyboards, the answered edit.

Consecutive texts are joined into one message with the question that follows them (the
survey title and question 1 arrive as one invitation), so a wave costs one message per
person and a tap costs one edit plus one message. Keyboards are the Bot API's own JSON
shape (`{"inline_keyboard": [[{"text", "callback_data"}]]}`), sent as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows import Option, Reply, ReplyKind, Translator

TOAST_LIMIT = 200
"""Telegram shows at most 200 characters in an answerCallbackQuery toast."""

ButtonData = Callable[[Reply, Option], "str | None"]
"""Callback data for one option of a question, or None when it cannot be made."""
ControlData = Callable[[Reply, str], "str | None"]
"""Callback data for a question's `back` or `skip` button, or None when it cannot be made."""

Keyboard = dict[str, list[list[dict[str, str]]]]
"""An InlineKeyboardMarkup as the Bot API reads it."""


@dataclass(frozen=True)
class Message:
    """A message to send; `asks` is the question whose buttons it carries, if any."""

    text: str
    keyboard: Keyboard | None = None
    asks: Reply | None = None


@dataclass(frozen=True)
class Answered:
    """Show the recorded answer on the question message and remove its keyboard."""

    reply: Reply


@dataclass(frozen=True)
class Toast:
    """A short text shown on the pressed button instead of a message."""

    text: str


Step = Message | Answered | Toast


def plan(
    replies: Sequence[Reply],
    tr: Translator,
    button_data: ButtonData,
    *,
    pressed: bool,
    control_data: ControlData | None = None,
) -> list[Step]:
    """What to do in Telegram for `replies`, in order.

    After a button press (`pressed`), a refusal or a notice that changes nothing is shown
    as a toast on the button, so a stale or forged press leaves the chat as it was. With
    `control_data`, questions get Skip (optional ones) and Back (from the second on)
    buttons below their answers.
    """
    steps: list[Step] = []
    texts: list[str] = []
    for reply in replies:
        if reply.kind is ReplyKind.ANSWERED:
            steps.append(Answered(reply))
        elif pressed and reply.kind in (ReplyKind.INVALID, ReplyKind.NOTICE):
            steps.append(Toast(reply.text[:TOAST_LIMIT]))
        elif reply.kind is ReplyKind.QUESTION:
            answers = question_keyboard(reply, button_data)
            rows = list(answers["inline_keyboard"]) if answers else []
            controls = control_row(reply, tr, control_data) if control_data else []
            if controls:
                rows.append(controls)
            keyboard = {"inline_keyboard": rows} if rows else None
            body = question_text(reply, tr, with_buttons=answers is not None)
            steps.append(Message("\n\n".join([*texts, body]), keyboard, reply))
            texts = []
        else:
            texts.append(reply.text)
    if texts:
        steps.append(Message("\n\n".join(texts)))
    return steps


def question_text(reply: Reply, tr: Translator, *, with_buttons: bool) -> str:
    """A question with its progress, scale hint, earlier answer and how to skip it."""
    lines = []
    if reply.progress:
        position, total = reply.progress
        lines.append(
            tr.gettext("Question {position} of {total}").format(position=position, total=total)
        )
    lines.append(reply.text)
    if reply.hint:
        lines.append(f"({reply.hint})")
    if reply.options and not with_buttons:
        lines += [f"{i}. {o.label}" for i, o in enumerate(reply.options, start=1)]
        lines.append(tr.gettext("Reply with the number of your answer."))
    if reply.current:
        lines.append(tr.gettext("Current answer: {answer}").format(answer=reply.current))
    if reply.skippable:
        lines.append(tr.gettext("Send /skip to leave this question out."))
    return "\n".join(lines)


def question_keyboard(reply: Reply, button_data: ButtonData) -> Keyboard | None:
    """The options as buttons in the reply's rows; None if any button's data cannot be made."""
    if not reply.options:
        return None
    buttons = []
    for option in reply.options:
        data = button_data(reply, option)
        if data is None:
            return None
        buttons.append({"text": option.label, "callback_data": data})
    rows = reply.rows or (len(buttons),)
    keyboard, start = [], 0
    for count in rows:
        keyboard.append(buttons[start : start + count])
        start += count
    if start < len(buttons):
        keyboard.append(buttons[start:])
    return {"inline_keyboard": keyboard}


def control_row(reply: Reply, tr: Translator, control_data: ControlData) -> list[dict[str, str]]:
    """Skip (an optional question) and Back (from the second question on), as Slack has
    them; a button whose data cannot be made is left out (the commands still work)."""
    wanted = []
    if reply.skippable:
        wanted.append(("skip", tr.gettext("Skip")))
    if reply.progress and reply.progress[0] > 1:
        wanted.append(("back", tr.gettext("Back")))
    row = []
    for action, label in wanted:
        data = control_data(reply, action)
        if data is not None:
            row.append({"text": label, "callback_data": data})
    return row


def answered_text(question: str, answer: str, tr: Translator) -> str:
    """The question message once answered: the question, then the answer recorded."""
    return f"{question}\n\n" + tr.gettext("Your answer: {answer}").format(answer=answer)


def button_rows(buttons: Sequence[tuple[str, str]], per_row: int = 1) -> Keyboard:
    """A keyboard of (label, callback data) buttons, `per_row` to a row."""
    made = [{"text": label, "callback_data": data} for label, data in buttons]
    return {"inline_keyboard": [made[i : i + per_row] for i in range(0, len(made), per_row)]}
