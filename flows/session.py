"""A respondent's conversation with one survey, stored as JSON with a revision number.

Each conversation has a short id of its own (`conversation`), set when it starts and put
in every button made for it, so a button of another conversation (an earlier survey, an
earlier invitation) is recognised and refused even where the question and revision match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

Answer = int | str
"""A scale score, a choice id or an open text."""

CONSENT_STEP = "_consent"
"""The pseudo question id of the consent question, asked before question 1."""


class Status(StrEnum):
    """Where a conversation stands."""

    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Session:
    """Immutable conversation state; `step()` returns a new one with `revision` + 1."""

    survey_id: str
    survey_version: int
    language: str
    started_at: datetime
    updated_at: datetime
    status: Status = Status.ACTIVE
    anonymous: bool | None = None
    path: tuple[str, ...] = ()
    answers: dict[str, Answer] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()
    revision: int = 0
    conversation: str = ""
    """The conversation's id, made by whoever starts it (see `flows.engine.start`). A
    session stored before conversations had ids has the empty one: buttons made for it
    from now on carry that, buttons made before carry none and are refused."""

    @property
    def current(self) -> str | None:
        """The question id being asked, or None once the conversation is over."""
        return self.path[-1] if self.path and self.status is Status.ACTIVE else None

    def advanced(self, now: datetime, **changes: Any) -> Session:
        """A copy with `changes`, a fresh `updated_at` and the next revision."""
        return replace(self, updated_at=now, revision=self.revision + 1, **changes)

    def to_json(self) -> str:
        """Serialise for storage."""
        return json.dumps(
            {
                "survey_id": self.survey_id,
                "survey_version": self.survey_version,
                "language": self.language,
                "started_at": self.started_at.isoformat(),
                "updated_at": self.updated_at.isoformat(),
                "status": self.status.value,
                "anonymous": self.anonymous,
                "path": list(self.path),
                "answers": self.answers,
                "skipped": sorted(self.skipped),
                "revision": self.revision,
                "conversation": self.conversation,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> Session:
        """Rebuild a session stored with `to_json`."""
        d = json.loads(raw)
        return cls(
            survey_id=d["survey_id"],
            survey_version=d["survey_version"],
            language=d["language"],
            started_at=datetime.fromisoformat(d["started_at"]),
            updated_at=datetime.fromisoformat(d["updated_at"]),
            status=Status(d["status"]),
            anonymous=d["anonymous"],
            path=tuple(d["path"]),
            answers=dict(d["answers"]),
            skipped=frozenset(d["skipped"]),
            revision=d["revision"],
            conversation=d.get("conversation", ""),
        )
