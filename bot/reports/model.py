"""The report model: every figure of one report, already judged and already suppressed.

Renderers (text, JSON, CSV, HTML, chat) only format what is here; none computes a figure.
Every group of respondents is a `scoring.suppression.Group`, so a figure of a group below
the minimum size cannot be in the model at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.storage.report_sql import EvidenceRow
from flows import Survey
from scoring.certificate import Check, Level
from scoring.followup import Compliance
from scoring.mirror import MirrorGap
from scoring.nps import NpsResult
from scoring.passmark import PassResult
from scoring.pulses import CsatResult
from scoring.stats import Summary
from scoring.suppression import Group

ScopeKind = Literal["wave", "period", "all"]
TrendUnit = Literal["wave", "month", "quarter"]


@dataclass(frozen=True)
class Scope:
    """What the report covers: one wave, one period (month or quarter), or all responses."""

    kind: ScopeKind
    label: str
    wave_id: str | None = None
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    first_response: datetime | None = None
    last_response: datetime | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Respondents:
    """How many answered, how many were invited, and the response rate (0..1).

    n counts the stored responses, the only ones behind any figure. `held` anonymous
    answers wait for release in a batch of at least the minimum group size; `withheld`
    ones were never stored because the wave closed with fewer than that. `answered`
    counts every answer given in scope (for a period: without those waiting, which
    belong to no period until released); the rate is answered over invited.
    """

    n: int
    named: int
    anonymous: int
    invited: int | None
    rate: float | None
    held: int
    withheld: int
    answered: int


@dataclass(frozen=True)
class Score:
    """A mean with its margin of error (95 %) and, where the rule applies, its pass mark."""

    summary: Summary
    margin: float | None
    passing: PassResult | None = None


@dataclass(frozen=True)
class Nps:
    """The NPS groups, the score and its margin of error in points."""

    result: NpsResult
    margin: float | None


@dataclass(frozen=True)
class Csat:
    """CSAT (share satisfied, in %) and its margin of error in percentage points."""

    result: CsatResult
    margin: float | None


@dataclass(frozen=True)
class QuestionFigures:
    """One scale question at total level: its mean and how the answers spread."""

    score: Score
    distribution: Mapping[int, int]


@dataclass(frozen=True)
class QuestionResult:
    """A scale question of the survey and its (possibly suppressed) figures."""

    question_id: str
    metric: str | None
    dimension: str | None
    low: int
    high: int
    group: Group[QuestionFigures]


@dataclass(frozen=True)
class Point:
    """One wave or period of a trend: the figure, its change on the previous shown one,
    and the pass-mark verdict where the rule applies."""

    value: float | None
    change: float | None = None
    passing: PassResult | None = None


@dataclass(frozen=True)
class TrendSeries:
    """A figure over waves or periods; key is 'cvs', 'nps', 'csat' or a question id."""

    key: str
    low: float
    high: float
    points: list[Group[Point]]


@dataclass(frozen=True)
class Trend:
    """Every trend series over the same waves or periods, oldest first."""

    unit: TrendUnit
    labels: list[str]
    series: list[TrendSeries]

    def get(self, key: str) -> TrendSeries | None:
        """The series of one figure, if the report has it."""
        return next((s for s in self.series if s.key == key), None)


@dataclass(frozen=True)
class BreakdownColumn:
    """One figure across the groups of a breakdown: 'cvs', 'nps', 'csat' or a question id."""

    key: str
    groups: Mapping[str, Group[float]]


@dataclass(frozen=True)
class Breakdown:
    """Figures per group of respondents (G-R2, G-R3).

    kind 'attribute' groups by an imported attribute (key: its name), 'classification' by
    the answer to a classification question, 'nps_group' by promoter / passive /
    detractor. Label '' holds respondents without the attribute or the answer.
    """

    kind: Literal["attribute", "classification", "nps_group"]
    key: str
    labels: list[str]
    columns: list[BreakdownColumn]

    def size(self, label: str) -> int:
        """Respondents in a group (the largest count over the columns)."""
        return max((c.groups[label].n for c in self.columns if label in c.groups), default=0)


@dataclass(frozen=True)
class Mirror:
    """Staff predictions (mirror wave) against customer grades (KTO wave), per dimension."""

    customer_survey: str
    staff_survey: str
    customer_label: str
    staff_label: str
    rows: list[Group[MirrorGap]]
    threshold: float
    discrepancies: list[str]


@dataclass(frozen=True)
class FollowUp:
    """How flags raised in the assessed year were forwarded and followed up."""

    compliance: Compliance
    by_status: Mapping[str, int]
    forward_days: int
    close_days: int


@dataclass(frozen=True)
class Certificate:
    """The bronze / silver / gold checklist, the level reached and the recorded evidence."""

    checks: list[Check]
    level: Level | None
    evidence: list[EvidenceRow]


ParamKind = Literal[
    "score", "points", "share", "nps", "count", "label", "labels", "level", "criteria", "text"
]


@dataclass(frozen=True)
class Param:
    """A value in a finding, formatted per report language when rendered.

    score: a figure with one decimal; points: a signed change with one decimal; share: a
    0..1 share as a percentage; nps: a signed whole number; count: a whole number; label:
    a figure, question or dimension key shown by its translated name; labels: several such
    keys, comma-separated; level: a certificate level (1-3); criteria: comma-separated
    certificate criterion ids; text: shown as it is.
    """

    kind: ParamKind
    value: float | int | str


@dataclass(frozen=True)
class Finding:
    """A conclusion or recommendation: a stable code and the values its sentence needs."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """Everything one research report shows (G-R1)."""

    survey: Survey
    versions: list[int]
    scope: Scope
    generated_at: datetime
    min_group: int
    respondents: Respondents
    cvs: Group[Score] | None
    nps: Group[Nps] | None
    nps_question: str | None
    csat: Group[Csat] | None
    ces: Group[Score] | None
    questions: list[QuestionResult]
    trend: Trend
    breakdowns: list[Breakdown]
    mirror: Mirror | None
    follow_up: FollowUp | None
    certificate: Certificate
    conclusions: list[Finding]
    recommendations: list[Finding]

    def question(self, question_id: str) -> QuestionResult | None:
        """The figures of one scale question, if the survey has it."""
        return next((q for q in self.questions if q.question_id == question_id), None)
