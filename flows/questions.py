"""Question kinds: scale, choice, open text and the consent question."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flows.text import Text


class Kind(StrEnum):
    """What a question asks for."""

    SCALE = "scale"
    CHOICE = "choice"
    TEXT = "text"
    CONSENT = "consent"


class Metric(StrEnum):
    """What a scale question measures, so scoring knows which figure it feeds."""

    SATISFACTION = "satisfaction"
    LOYALTY = "loyalty"
    RECOMMENDATION = "recommendation"
    GRADE = "grade"
    CSAT = "csat"
    CES = "ces"
    NPS = "nps"


CVS_METRICS = (Metric.SATISFACTION, Metric.LOYALTY, Metric.RECOMMENDATION)


@dataclass(frozen=True)
class Choice:
    """One option of a choice question; `id` is stable, `label` is what a person reads."""

    id: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """Ask a question only when an earlier scale answer is at most `at_most`."""

    question: str
    at_most: int


@dataclass(frozen=True)
class Question:
    """One question of a survey, validated when its survey is built."""

    id: str
    kind: Kind
    text: Text
    low: int = 0
    high: int = 10
    low_label: Text | None = None
    high_label: Text | None = None
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    show_if: Condition | None = None
    metric: Metric | None = None
    dimension: str | None = None
    classification: bool = False

    def accepts_score(self, score: int) -> bool:
        """Whether `score` is on this scale question's scale."""
        return self.kind is Kind.SCALE and self.low <= score <= self.high

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id, if the question has one."""
        return next((c for c in self.choices if c.id == choice_id), None)


CONSENT_NAMED = "named"
CONSENT_ANONYMOUS = "anonymous"
