import pytest

from scoring.suppression import (
    ABSOLUTE_MIN_GROUP,
    DEFAULT_MIN_GROUP,
    Group,
    check_min_group,
    guard,
    withhold,
)


def _never() -> float:
    raise AssertionError("figures of a small group were computed")


def test_defaults_follow_the_guideline() -> None:
    assert (DEFAULT_MIN_GROUP, ABSOLUTE_MIN_GROUP) == (5, 3)


def test_a_small_group_shows_its_count_but_no_figures() -> None:
    group = guard("region north", 4, _never, anonymous=0)
    assert group == Group("region north", 4, None, suppressed=True)


def test_a_group_at_the_minimum_shows_its_figures() -> None:
    assert guard("region north", 5, lambda: 7.4, anonymous=0).figures == 7.4


def test_a_lower_configured_minimum_is_honoured_down_to_three() -> None:
    assert guard("team", 3, lambda: 6.0, min_group=3, anonymous=3).figures == 6.0
    assert guard("team", 3, _never, min_group=4, anonymous=0).suppressed


@pytest.mark.parametrize("min_group", [0, 1, 2])
def test_a_minimum_below_three_is_refused(min_group: int) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        check_min_group(min_group)
    with pytest.raises(ValueError, match="at least 3"):
        guard("team", 10, lambda: 6.0, min_group=min_group, anonymous=0)


def test_a_group_cannot_be_built_to_leak_a_small_group() -> None:
    with pytest.raises(ValueError, match="must be suppressed"):
        Group("team", 2, 6.0, suppressed=False)
    with pytest.raises(ValueError, match="cannot carry figures"):
        Group("team", 2, 6.0, suppressed=True)


def test_withholding_hides_figures_and_keeps_the_count() -> None:
    group = withhold(guard("team", 8, lambda: 6.0, anonymous=8))
    assert group == Group("team", 8, None, suppressed=True, anonymous=8)


@pytest.mark.parametrize("anonymous", [1, 2, 3, 4])
def test_a_few_anonymous_among_named_respondents_hide_the_group(anonymous: int) -> None:
    # 4 named and 1 anonymous: the named answers are known, so the figures minus them would
    # be the anonymous one's answers.
    group = guard("region north", 4 + anonymous, _never, anonymous=anonymous)
    assert group.suppressed and group.figures is None and group.n == 4 + anonymous


@pytest.mark.parametrize("anonymous", [0, 5, 9])
def test_no_or_enough_anonymous_respondents_show_the_group(anonymous: int) -> None:
    assert guard("region north", 9, lambda: 7.4, anonymous=anonymous).figures == 7.4


def test_a_group_cannot_be_built_to_leak_its_anonymous_part() -> None:
    with pytest.raises(ValueError, match="must be suppressed"):
        Group("team", 9, 6.0, suppressed=False, anonymous=2)
    with pytest.raises(ValueError, match="cannot have"):
        Group("team", 3, None, suppressed=True, anonymous=4)
