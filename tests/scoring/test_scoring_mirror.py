import pytest

from scoring.mirror import discrepancies, mirror_gaps, mirror_rows

# service: staff 8, 8, 8, 9, 9 -> 42 / 5 = 8.4; customers 6, 6, 6, 6, 7 -> 31 / 5 = 6.2; gap +2.2
# quality: staff 7 x 5 -> 7.0; customers 7, 7, 7, 8, 8 -> 37 / 5 = 7.4; gap -0.4
# reliability: staff 5 x 5 -> 5.0; customers 6 x 5 -> 6.0; gap -1.0
# crm: customers only, so no gap
STAFF = {"service": {8: 3, 9: 2}, "quality": {7: 5}, "reliability": {5: 5}}
CUSTOMERS = {
    "quality": {7: 3, 8: 2},
    "service": {6: 4, 7: 1},
    "reliability": {6: 5},
    "crm": {8: 5},
}


def test_gap_is_staff_minus_customers() -> None:
    gaps = {g.dimension: g for g in mirror_gaps(STAFF, CUSTOMERS)}
    assert gaps["service"].gap == pytest.approx(2.2)
    assert gaps["quality"].gap == pytest.approx(-0.4)
    assert gaps["reliability"].gap == -1.0
    assert gaps["crm"].gap is None
    assert gaps["service"].staff.mean == pytest.approx(8.4)
    assert gaps["service"].customers.mean == pytest.approx(6.2)


def test_dimensions_keep_the_questionnaire_order() -> None:
    staff = {**STAFF, "extra": {5: 5}}
    order = [g.dimension for g in mirror_gaps(staff, CUSTOMERS)]
    assert order == ["quality", "service", "reliability", "crm", "extra"]


def test_discrepancies_of_a_point_or_more_largest_first() -> None:
    found = discrepancies(mirror_gaps(STAFF, CUSTOMERS))
    assert [g.dimension for g in found] == ["service", "reliability"]


def test_discrepancy_threshold_can_be_lowered() -> None:
    found = discrepancies(mirror_gaps(STAFF, CUSTOMERS), threshold=0.4)
    assert [g.dimension for g in found] == ["service", "reliability", "quality"]


def test_negative_threshold_is_refused() -> None:
    with pytest.raises(ValueError):
        discrepancies([], threshold=-1.0)


def test_rows_hide_a_dimension_where_few_staff_answered() -> None:
    staff = {"service": {8: 3, 9: 2}, "quality": {7: 3}}
    staff_anonymous = {"service": 5, "quality": 3}
    rows = mirror_rows(staff, CUSTOMERS, staff_anonymous=staff_anonymous, customer_anonymous={})
    rows = {row.label: row for row in rows}
    assert rows["quality"].suppressed
    assert rows["quality"].figures is None
    assert rows["quality"].n == 3
    service = rows["service"].figures
    assert service is not None
    assert service.gap == pytest.approx(2.2)
    assert rows["crm"].suppressed  # no staff answers at all
