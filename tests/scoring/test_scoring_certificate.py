from dataclasses import replace

import pytest

from scoring.certificate import (
    CRITERIA,
    CertificateFacts,
    Level,
    Status,
    SurveyFacts,
    checklist,
    highest_level,
)
from scoring.passmark import assess

GOOD_SURVEY = SurveyFacts(periodic=True, anonymity_offered=True, results_fed_back=True)

BRONZE_FACTS = CertificateFacts(
    cvs_survey=GOOD_SURVEY,
    cvs=7.2,
    cvs_previous=6.8,
    flags_all_raised=True,
    evidence=frozenset({"management_presentation"}),
)

GOLD_FACTS = replace(
    BRONZE_FACTS,
    kto_survey=GOOD_SURVEY,
    kto_covers_all_dimensions=True,
    dimension_results={"service": assess(7.5), "crm": assess(6.5, 5.5, low=1)},
    mto_survey=GOOD_SURVEY,
    mto_covers_internal_communication=True,
    mirror_survey=GOOD_SURVEY,
    mirror_discrepancies=2,
    action_plan_present=True,
    flags_forwarded_within_week=1.0,
    flags_closed_within_month=1.0,
    breakdown_by_attributes=True,
    breakdown_by_wave_and_answers=True,
    evidence=frozenset({"management_presentation", "ways_of_working"}),
)


def _statuses(facts: CertificateFacts) -> dict[str, Status]:
    return {check.criterion.id: check.status for check in checklist(facts)}


def test_the_checklist_has_every_criterion_of_the_guideline_once() -> None:
    ids = [criterion.id for criterion in CRITERIA]
    assert len(ids) == len(set(ids)) == 14
    levels = [criterion.level for criterion in CRITERIA]
    assert levels == sorted(levels)
    assert [levels.count(level) for level in Level] == [4, 6, 4]
    assert all(criterion.description for criterion in CRITERIA)


def test_everything_in_place_earns_gold() -> None:
    checks = checklist(GOLD_FACTS)
    assert all(check.status is Status.MET for check in checks)
    assert highest_level(checks) is Level.GOLD


def test_bronze_facts_earn_bronze() -> None:
    checks = checklist(BRONZE_FACTS)
    assert highest_level(checks) is Level.BRONZE
    assert _statuses(BRONZE_FACTS)["kto_periodic"] is Status.NO_DATA


def test_a_management_presentation_is_never_assumed() -> None:
    facts = replace(BRONZE_FACTS, evidence=frozenset())
    assert _statuses(facts)["management_presentation"] is Status.NEEDS_EVIDENCE
    assert highest_level(checklist(facts)) is None


def test_cvs_passes_by_improvement() -> None:
    # 6.5 after 5.5 is +1.0
    assert _statuses(replace(BRONZE_FACTS, cvs=6.5, cvs_previous=5.5))["cvs_passes"] is Status.MET


def test_a_failing_cvs_blocks_every_level() -> None:
    facts = replace(GOLD_FACTS, cvs=6.5, cvs_previous=6.0)
    assert _statuses(facts)["cvs_passes"] is Status.NOT_MET
    assert highest_level(checklist(facts)) is None


def test_cvs_without_anonymity_is_not_met() -> None:
    survey = SurveyFacts(periodic=False, anonymity_offered=False, results_fed_back=True)
    assert _statuses(replace(BRONZE_FACTS, cvs_survey=survey))["cvs_measured"] is Status.NOT_MET


def test_one_late_flag_costs_silver() -> None:
    facts = replace(GOLD_FACTS, flags_forwarded_within_week=0.95)
    assert _statuses(facts)["flags_forwarded"] is Status.NOT_MET
    assert highest_level(checklist(facts)) is Level.BRONZE


def test_a_failing_dimension_costs_silver() -> None:
    results = {"service": assess(7.5), "crm": assess(6.0, 5.5, low=1)}
    facts = replace(GOLD_FACTS, dimension_results=results)
    assert _statuses(facts)["kto_dimensions_pass"] is Status.NOT_MET
    assert highest_level(checklist(facts)) is Level.BRONZE


def test_discrepancies_without_an_action_plan_cost_gold() -> None:
    facts = replace(GOLD_FACTS, action_plan_present=False)
    assert _statuses(facts)["mirror_action_plan"] is Status.NOT_MET
    assert highest_level(checklist(facts)) is Level.SILVER


def test_no_discrepancies_need_no_action_plan() -> None:
    facts = replace(GOLD_FACTS, mirror_discrepancies=0, action_plan_present=False)
    assert _statuses(facts)["mirror_action_plan"] is Status.MET


def test_a_mirror_without_a_kto_is_not_met() -> None:
    facts = replace(GOLD_FACTS, kto_survey=None)
    assert _statuses(facts)["mirror_survey"] is Status.NOT_MET


def test_evidence_fills_missing_data() -> None:
    facts = replace(BRONZE_FACTS, flags_all_raised=None)
    assert _statuses(facts)["flags_raised"] is Status.NO_DATA
    evidenced = replace(facts, evidence=facts.evidence | {"flags_raised"})
    assert _statuses(evidenced)["flags_raised"] is Status.MET


def test_evidence_never_overrides_what_the_data_shows() -> None:
    facts = replace(
        GOLD_FACTS,
        flags_closed_within_month=0.5,
        evidence=GOLD_FACTS.evidence | {"flags_followed_up"},
    )
    assert _statuses(facts)["flags_followed_up"] is Status.NOT_MET


def test_evidence_for_an_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown criteria: presentation"):
        checklist(replace(BRONZE_FACTS, evidence=frozenset({"presentation"})))
