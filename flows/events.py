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

    A `PRESS` carries the question id and session revision its button was made for, so a
    press on an old message is recognised and refused. `LANGUAGE` carries the code in `text`.
    """

    kind: EventKind
    text: str = ""
    question_id: str | None = None
    revision: int | None = None


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
    channel without buttons numbers them. `question_id` and `revision` say which question
    and session revision the buttons belong to; `current` is the answer already given when
    the respondent went back, `skippable` whether it may be left out. An `ANSWERED`
    reply lets a channel edit the question message to show the answer that was recorded.
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
