"""What comes into the engine (`Event`) and what goes out (`Reply`), free of any platform."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """What the respondent did."""

    TEXT = "text"
    PRESS = "press"
    BACK = "back"
    SKIP = "skip"
    STOP = "stop"
    REPEAT = "repeat"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Event:
    """One respondent action, already mapped from the platform's update.

    An action made with a button (an answer, Back, Skip, consent, or a form a button
    opened) carries what its button was made for: the `conversation`, the session
    `revision` and the `question_id`. `step()` refuses it unless all three are the
    conversation's own right now, so a press on an old message, a second tap on the same
    button or a button of another survey changes nothing. Typed text and commands carry
    none of them and act on whatever is asked. `LANGUAGE` carries the code in `text`.
    """

    kind: EventKind
    text: str = ""
    question_id: str | None = None
    revision: int | None = None
    conversation: str | None = None

    @property
    def from_button(self) -> bool:
        """Made with a button: a `PRESS`, or any action that carries a button's binding."""
        return self.kind is EventKind.PRESS or any(
            bound is not None for bound in (self.question_id, self.revision, self.conversation)
        )


class ReplyKind(StrEnum):
    """What a reply is, so a channel can render it its own way."""

    QUESTION = "question"
    ANSWERED = "answered"
    INVALID = "invalid"
    NOTICE = "notice"
    COMPLETED = "completed"
    STOPPED = "stopped"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Option:
    """A button: the label a person reads and the value an answer carries."""

    value: str
    label: str


@dataclass(frozen=True)
class Reply:
    """One message to the respondent, already in their language.

    For a `QUESTION`, `options` are its buttons laid out in `rows` (counts per row); a
    channel without buttons numbers them. `conversation`, `question_id` and `revision` say
    which conversation, question and session revision the buttons belong to: a channel
    puts all three in every button it makes for the question (answers, Back, Skip) and
    hands them back in the `Event` of a press. `current` is the answer already given when
    the respondent went back, `skippable` whether it may be left out. An `ANSWERED`
    reply (with the same three) lets a channel edit the question message to show the
    answer that was recorded.
    """

    kind: ReplyKind
    text: str
    options: tuple[Option, ...] = ()
    rows: tuple[int, ...] = ()
    question_id: str | None = None
    revision: int | None = None
    hint: str = ""
    progress: tuple[int, int] | None = None
    numbered: bool = False
    skippable: bool = False
    current: str = ""
    conversation: str | None = None
