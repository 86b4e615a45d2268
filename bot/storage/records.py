"""Plain records that cross the storage boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flows import Session


@dataclass(frozen=True)
class Identity:
    """A person on one platform, linked to a contact or a staff member when known."""

    id: str
    channel: str
    external_id: str
    contact_id: str | None
    staff_id: str | None
    language: str | None
    unreachable_at: str | None


@dataclass(frozen=True)
class StoredSession:
    """An open conversation as stored: the engine's session plus where it came from."""

    identity_id: str
    survey_id: str
    address: str
    session: Session
    wave_id: str | None = None
    invitation_id: str | None = None


@dataclass(frozen=True)
class Contact:
    """A customer from the imported contact list."""

    ref: str
    name: str
    email: str | None = None
    language: str | None = None
    timezone: str | None = None
    contact_person: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    telegram: str | None = None
    slack: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class StaffMember:
    """A member of staff: receives alerts, may follow up flags, may be an admin."""

    ref: str
    name: str
    email: str | None = None
    language: str | None = None
    is_admin: bool = False
    telegram: str | None = None
    slack: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class StoredAnswer:
    """One answer in its column: a score, a choice id or an open text."""

    question_id: str
    score: int | None = None
    choice: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class NewResponse:
    """A completed questionnaire to store; anonymous ones carry no link to a person."""

    survey_id: str
    survey_version: int
    wave_id: str | None
    anonymous: bool
    contact_id: str | None
    identity_id: str | None
    language: str
    attributes: Mapping[str, str]
    completed_at: datetime
    answers: tuple[StoredAnswer, ...]

    def __post_init__(self) -> None:
        if self.anonymous and (self.contact_id or self.identity_id):
            raise ValueError("an anonymous response cannot point to a person")


@dataclass(frozen=True)
class SurveyCount:
    """How many responses a survey has, named and anonymous."""

    survey_id: str
    named: int
    anonymous: int

    @property
    def total(self) -> int:
        """Named plus anonymous."""
        return self.named + self.anonymous
