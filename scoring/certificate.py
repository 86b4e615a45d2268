"""The bronze / silver / gold checklist of the customer-orientation guideline (G-C).

Each criterion is judged from facts the bot knows. The statuses:
- met / not_met: the data decides;
- no_data: the bot has nothing to judge by (a survey never ran here, no flag was due);
  evidence recorded by an admin turns it into met, e.g. for a survey run on paper;
- needs_evidence: the criterion lies outside the data (a management presentation,
  written ways of working) and is met only once an admin recorded evidence.
Recorded evidence never overrides a not_met that the data shows. Flag deadlines
count as met only when every due flag made it (share 1.0).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TypeAlias

from scoring.passmark import PassResult, assess
from scoring.stats import at_least
from scoring.texts import N_

REQUIRED_FLAG_SHARE = 1.0


class Level(IntEnum):
    """Certificate levels, ordered so that a higher level includes the lower ones."""

    BRONZE = 1
    SILVER = 2
    GOLD = 3


LEVEL_NAMES: Mapping[Level, str] = {
    Level.BRONZE: N_("bronze"),
    Level.SILVER: N_("silver"),
    Level.GOLD: N_("gold"),
}


class Status(StrEnum):
    """Outcome of one criterion."""

    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    NEEDS_EVIDENCE = "needs_evidence"


@dataclass(frozen=True)
class SurveyFacts:
    """How a kind of survey ran in the assessed period (None in CertificateFacts: never ran)."""

    periodic: bool
    anonymity_offered: bool
    results_fed_back: bool


@dataclass(frozen=True)
class CertificateFacts:
    """What the bot knows about the assessed period; shares are 0..1, None when nothing was due.

    mirror_discrepancies is the number of dimensions where mirror and KTO disagree
    (None without mirror results); evidence holds criterion ids an admin vouched for.
    """

    cvs_survey: SurveyFacts | None = None
    cvs: float | None = None
    cvs_previous: float | None = None
    kto_survey: SurveyFacts | None = None
    kto_covers_all_dimensions: bool = False
    dimension_results: Mapping[str, PassResult] = field(default_factory=dict)
    mto_survey: SurveyFacts | None = None
    mto_covers_internal_communication: bool = False
    mirror_survey: SurveyFacts | None = None
    mirror_discrepancies: int | None = None
    action_plan_present: bool = False
    flags_all_raised: bool | None = None
    flags_forwarded_within_week: float | None = None
    flags_closed_within_month: float | None = None
    breakdown_by_attributes: bool = False
    breakdown_by_wave_and_answers: bool = False
    evidence: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Criterion:
    """One line of the checklist; description is English, marked for translation."""

    id: str
    level: Level
    description: str


@dataclass(frozen=True)
class Check:
    """A criterion and its status for one set of facts."""

    criterion: Criterion
    status: Status


def _survey_ok(
    survey: SurveyFacts | None, *conditions: bool, require_periodic: bool = True
) -> bool | None:
    if survey is None:
        return None
    periodic_enough = survey.periodic or not require_periodic
    return (
        periodic_enough and survey.anonymity_offered and survey.results_fed_back and all(conditions)
    )


def _share_ok(share: float | None) -> bool | None:
    return None if share is None else at_least(share, REQUIRED_FLAG_SHARE)


def _cvs_passes(f: CertificateFacts) -> bool | None:
    return None if f.cvs is None else assess(f.cvs, f.cvs_previous).passed


def _dimensions_pass(f: CertificateFacts) -> bool | None:
    if not f.dimension_results:
        return None
    return all(result.passed for result in f.dimension_results.values())


def _mirror_fed_back(f: CertificateFacts) -> bool | None:
    if f.mirror_survey is None:
        return None
    return f.mirror_survey.results_fed_back and f.kto_survey is not None


def _action_plan(f: CertificateFacts) -> bool | None:
    if f.mirror_discrepancies is None:
        return None
    return f.mirror_discrepancies == 0 or f.action_plan_present


# None as judge: the criterion lies outside the data and needs recorded evidence.
Judge: TypeAlias = Callable[[CertificateFacts], bool | None] | None

_CHECKLIST: tuple[tuple[Criterion, Judge], ...] = (
    (
        Criterion(
            "cvs_measured",
            Level.BRONZE,
            N_("CVS measured on 0-10, anonymity offered, aggregated results fed back"),
        ),
        lambda f: _survey_ok(f.cvs_survey, require_periodic=False),
    ),
    (
        Criterion(
            "cvs_passes",
            Level.BRONZE,
            N_("CVS at least 7 or up 10 percentage points on the previous wave"),
        ),
        _cvs_passes,
    ),
    (
        Criterion(
            "flags_raised",
            Level.BRONZE,
            N_("Named promoters and detractors flagged right after answering"),
        ),
        lambda f: f.flags_all_raised,
    ),
    (
        Criterion("management_presentation", Level.BRONZE, N_("Results presented to management")),
        None,
    ),
    (
        Criterion(
            "kto_periodic",
            Level.SILVER,
            N_("Periodic KTO on all dimensions, anonymity offered, results fed back"),
        ),
        lambda f: _survey_ok(f.kto_survey, f.kto_covers_all_dimensions),
    ),
    (
        Criterion(
            "kto_dimensions_pass",
            Level.SILVER,
            N_("Each dimension grade at least 7 or up 10 percentage points"),
        ),
        _dimensions_pass,
    ),
    (
        Criterion(
            "mto_internal_communication",
            Level.SILVER,
            N_("Periodic anonymous MTO covering internal communication, results fed back"),
        ),
        lambda f: _survey_ok(f.mto_survey, f.mto_covers_internal_communication),
    ),
    (
        Criterion(
            "flags_forwarded",
            Level.SILVER,
            N_("Flags forwarded to the contact person within one week"),
        ),
        lambda f: _share_ok(f.flags_forwarded_within_week),
    ),
    (
        Criterion(
            "breakdown_attributes", Level.SILVER, N_("Report broken down by imported attributes")
        ),
        lambda f: f.breakdown_by_attributes,
    ),
    (
        Criterion(
            "ways_of_working", Level.SILVER, N_("Ways of working per dimension written down")
        ),
        None,
    ),
    (
        Criterion(
            "mirror_survey",
            Level.GOLD,
            N_("Mirror survey beside the KTO, results fed back to staff"),
        ),
        _mirror_fed_back,
    ),
    (
        Criterion(
            "flags_followed_up", Level.GOLD, N_("Flags followed up within one month, tracked")
        ),
        lambda f: _share_ok(f.flags_closed_within_month),
    ),
    (
        Criterion("mirror_action_plan", Level.GOLD, N_("Action plan on KTO-mirror discrepancies")),
        _action_plan,
    ),
    (
        Criterion(
            "breakdown_waves_answers", Level.GOLD, N_("Report broken down by wave and by answers")
        ),
        lambda f: f.breakdown_by_wave_and_answers,
    ),
)

CRITERIA: tuple[Criterion, ...] = tuple(criterion for criterion, _ in _CHECKLIST)
"""Every criterion, bronze first, in checklist order."""


def _status(judge: Judge, facts: CertificateFacts, evidenced: bool) -> Status:
    if judge is None:
        return Status.MET if evidenced else Status.NEEDS_EVIDENCE
    verdict = judge(facts)
    if verdict is None:
        return Status.MET if evidenced else Status.NO_DATA
    return Status.MET if verdict else Status.NOT_MET


def checklist(facts: CertificateFacts) -> list[Check]:
    """Every criterion with its status; ValueError for evidence naming an unknown criterion."""
    unknown = facts.evidence - {criterion.id for criterion in CRITERIA}
    if unknown:
        raise ValueError(f"evidence for unknown criteria: {', '.join(sorted(unknown))}")
    return [
        Check(criterion, _status(judge, facts, criterion.id in facts.evidence))
        for criterion, judge in _CHECKLIST
    ]


def highest_level(checks: Sequence[Check]) -> Level | None:
    """The highest level whose criteria, and those of all lower levels, are all met."""
    achieved = None
    for level in Level:
        if not all(c.status is Status.MET for c in checks if c.criterion.level is level):
            break
        achieved = level
    return achieved
