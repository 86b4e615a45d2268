import pytest

from scoring.passmark import PassResult, assess, required_improvement


def test_seven_passes_by_level() -> None:
    assert assess(7.0) == PassResult(
        value=7.0, previous=None, passed=True, by_level=True, by_improvement=False, change=None
    )


def test_just_below_seven_without_history_fails() -> None:
    result = assess(6.9)
    assert not result.passed
    assert not result.by_level


def test_a_rise_of_one_point_passes_by_improvement() -> None:
    result = assess(6.0, 5.0)
    assert (result.passed, result.by_level, result.by_improvement) == (True, False, True)
    assert result.change == 1.0


def test_a_rise_of_one_point_survives_float_error() -> None:
    # 4.6 - 3.6 is 0.9999999999999996 in floating point
    assert assess(4.6, 3.6).by_improvement


def test_a_rise_below_one_point_fails() -> None:
    result = assess(6.4, 5.5)
    assert not result.passed
    assert result.change == pytest.approx(0.9)


def test_both_reasons_are_reported() -> None:
    result = assess(8.0, 6.5)
    assert result.by_level and result.by_improvement


def test_a_decline_above_the_mark_still_passes() -> None:
    result = assess(7.5, 8.5)
    assert result.passed and not result.by_improvement
    assert result.change == -1.0


def test_grades_from_1_to_10_need_a_rise_of_one_point() -> None:
    # 10 pp of a grade whose top is 10 is 1.0; 6.2 - 5.2 is 1.0000000000000009 in floating point.
    assert required_improvement(10) == pytest.approx(1.0)
    assert assess(6.2, 5.2, low=1, high=10).by_improvement
    assert not assess(6.1, 5.2, low=1, high=10).by_improvement  # 0.9 is short of 1.0


def test_no_figure_never_passes() -> None:
    result = assess(None, 8.0)
    assert not result.passed
    assert result.change is None


def test_figures_off_the_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the scale"):
        assess(75.0)  # a percentage passed where a 0-10 figure belongs
    with pytest.raises(ValueError, match="outside the scale"):
        assess(5.0, 0.5, low=1, high=10)


def test_an_empty_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        assess(5.0, low=10, high=10)
