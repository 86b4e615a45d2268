from hypothesis import given
from hypothesis import strategies as st

from scoring.breakdown import breakdown, trend
from scoring.cvs import wave_cvs
from scoring.nps import net_promoter_score, nps_margin_of_error
from scoring.stats import merge, summarize
from scoring.suppression import guard


def histograms(low: int, high: int) -> st.SearchStrategy[dict[int, int]]:
    return st.dictionaries(st.integers(low, high), st.integers(1, 10_000), max_size=high - low + 1)


min_groups = st.integers(3, 12)
labels = st.text(min_size=1, max_size=8)


@given(histograms(0, 10))
def test_nps_stays_within_plus_minus_100(h: dict[int, int]) -> None:
    result = net_promoter_score(h)
    assert result.promoters + result.passives + result.detractors == result.n
    if result.n == 0:
        assert result.nps is None
    else:
        assert result.nps is not None and -100 <= result.nps <= 100
    margin = nps_margin_of_error(result)
    assert margin is None or margin >= 0


@given(histograms(0, 10))
def test_mean_stays_within_the_scale_and_the_answers(h: dict[int, int]) -> None:
    summary = summarize(h)
    if h:
        assert summary.mean is not None
        assert 0 <= min(h) <= summary.mean <= max(h) <= 10
    if summary.sd is not None:
        assert summary.sd >= 0


@given(histograms(0, 30))
def test_wave_cvs_stays_within_0_to_10(h: dict[int, int]) -> None:
    mean = wave_cvs(h).mean
    assert mean is None or 0 <= mean <= 10


@given(histograms(0, 10), histograms(0, 10))
def test_merging_keeps_every_respondent(a: dict[int, int], b: dict[int, int]) -> None:
    assert summarize(merge(a, b)).n == summarize(a).n + summarize(b).n


@given(st.integers(0, 50), st.integers(0, 50), min_groups)
def test_guard_never_computes_figures_of_a_small_group(n: int, part: int, min_group: int) -> None:
    computed: list[int] = []
    anonymous = min(part, n)

    def compute() -> int:
        computed.append(n)
        return n

    group = guard("g", n, compute, min_group, anonymous=anonymous)
    assert group.n == n
    if n < min_group or 0 < anonymous < min_group:
        assert group.suppressed and group.figures is None and not computed
    else:
        assert group.figures == n


@given(
    st.dictionaries(labels, histograms(0, 10), max_size=6),
    st.dictionaries(labels, st.floats(0, 1)),
    min_groups,
)
def test_breakdowns_never_expose_a_small_group(
    groups: dict[str, dict[int, int]], shares: dict[str, float], min_group: int
) -> None:
    anonymous = {k: int(sum(h.values()) * shares.get(k, 0.0)) for k, h in groups.items()}
    rows = breakdown(groups, anonymous=anonymous, min_group=min_group)
    assert [row.label for row in rows] == sorted(groups)
    for row in rows:
        if row.n < min_group or 0 < row.anonymous < min_group:
            assert row.suppressed and row.figures is None
        assert (row.figures is None) == row.suppressed
    hidden = sum(row.n for row in rows if row.suppressed)
    hidden_anonymous = sum(row.anonymous for row in rows if row.suppressed)
    total_anonymous = sum(anonymous.values())
    shown = [row for row in rows if not row.suppressed]
    # the total minus the shown groups only ever reveals min_group or more respondents,
    # and no or min_group or more anonymous ones (unless the total itself is hidden)
    assert hidden == 0 or hidden >= min_group or not shown
    assert hidden_anonymous == 0 or hidden_anonymous >= min_group or total_anonymous < min_group


@given(st.lists(st.tuples(labels, histograms(0, 10)), max_size=6), min_groups)
def test_trends_never_expose_a_small_wave(
    waves: list[tuple[str, dict[int, int]]], min_group: int
) -> None:
    rows = trend(waves, anonymous={}, min_group=min_group)
    for row, previous in zip(rows, [None, *rows], strict=False):
        if row.n < min_group:
            assert row.figures is None
        if row.figures is not None and (previous is None or previous.figures is None):
            assert row.figures.passing.previous is None
