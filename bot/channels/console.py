"""The console channel: a survey in the terminal, one answer per line, scriptable via a pipe.

Lines starting with '/' are commands (/back, /skip, /stop, /language xx, /help); an empty
line skips an optional question; anything else is an answer.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bot import i18n
from bot.delivery import Notice
from flows import Event, EventKind, Reply, ReplyKind

COMMANDS = {"/back": EventKind.BACK, "/skip": EventKind.SKIP, "/stop": EventKind.STOP}


class ConsoleChannel:
    """Prints replies as numbered text and reads answers from a text stream."""

    name = "console"

    def __init__(self, out: TextIO | None = None, inp: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin

    async def send(
        self, address: str, replies: Sequence[Reply], language: str, *, broadcast: bool = False
    ) -> None:
        """Print the replies."""
        tr = i18n.translator(language)
        for reply in replies:
            self.out.write(render(reply, tr.gettext))
        self.out.flush()

    async def notify(self, address: str, notice: Notice) -> str:
        """Print a notice; actions are listed by their labels (the console cannot press them)."""
        self.out.write(f"\n{notice.text}\n")
        for action in notice.actions:
            self.out.write(f"  [{action.label}]\n")
        self.out.flush()
        return ""

    async def read_event(self) -> Event | None:
        """The next line as an event; None at end of input."""
        self.out.write("> ")
        self.out.flush()
        line = await asyncio.to_thread(self.inp.readline)
        if not line:
            self.out.write("\n")
            return None
        if not self.inp.isatty():
            # Piped input is not echoed by a terminal; echo it so the transcript reads right.
            self.out.write(line if line.endswith("\n") else line + "\n")
        return parse_line(line.rstrip("\r\n"))


def parse_line(line: str) -> Event:
    """Map a typed line to an engine event."""
    word, _, rest = line.strip().partition(" ")
    command = word.lower()
    if command in COMMANDS:
        return Event(COMMANDS[command])
    if command == "/language":
        return Event(EventKind.LANGUAGE, rest.strip().lower())
    if command == "/help":
        return Event(EventKind.REPEAT)
    return Event(EventKind.TEXT, line)


def render(reply: Reply, _: Callable[[str], str]) -> str:
    """A reply as terminal text; `_` translates the console's own words."""
    match reply.kind:
        case ReplyKind.ANSWERED:
            return ""
        case ReplyKind.INVALID:
            return f"  ! {reply.text}\n"
        case ReplyKind.QUESTION:
            lines = ["", _question_heading(reply)]
            if reply.hint:
                lines.append(f"  ({reply.hint})")
            if reply.numbered:
                lines += [f"  {i}. {o.label}" for i, o in enumerate(reply.options, start=1)]
            if reply.current:
                lines.append("  " + _("Current answer: {answer}").format(answer=reply.current))
            if reply.skippable:
                lines.append("  " + _("Press Enter to skip this question."))
            return "\n".join(lines) + "\n"
        case _:
            return f"\n{reply.text}\n"


def _question_heading(reply: Reply) -> str:
    if reply.progress:
        position, total = reply.progress
        return f"[{position}/{total}] {reply.text}"
    return reply.text
