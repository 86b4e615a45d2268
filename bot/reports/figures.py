"""Figures of one report: storage histograms in, scored and suppressed groups out.

All arithmetic is `scoring`'s; this module decides which histograms feed which figure,
and wraps every group of respondents in `scoring.suppression.guard`, with the number of
its respondents who answered anonymously (`Anonymous`): a group shows figures only when
that part is 0 or at least the minimum group size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from bot.reports.model import (
    BreakdownColumn,
    Csat,
    Nps,
    Point,
    QuestionFigures,
    QuestionResult,
    Score,
    TrendSeries,
)
from flows import CVS_METRICS, Kind, Metric, Question, Survey
from scoring.breakdown import WaveResult, breakdown_by, trend, trend_of
from scoring.cvs import SCALE_HIGH, SCALE_LOW, complete_wave_cvs, wave_cvs
from scoring.margin import margin_of_error
from scoring.nps import net_promoter_score, nps_margin_of_error
from scoring.passmark import PassResult, assess
from scoring.pulses import csat, csat_margin_of_error
from scoring.stats import Histogram, Summary, count, summarize
from scoring.suppression import Group, guard

NPS_METRICS = (Metric.NPS, Metric.RECOMMENDATION)
Histograms = Mapping[str, Histogram]
T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """Which questions of a survey feed which figure."""

    cvs_ids: tuple[str, ...]
    nps_id: str | None
    csat_id: str | None
    ces_id: str | None
    scale: tuple[Question, ...]
    grades: tuple[Question, ...]
    pass_mark: bool

    @classmethod
    def of(cls, survey: Survey) -> Plan:
        """The plan of a survey; pass marks apply except to predictions (mirror surveys)."""
        scale = tuple(q for q in survey.questions if q.kind is Kind.SCALE)
        by_metric = {m: [q.id for q in scale if q.metric is m] for m in Metric}
        cvs_ids = tuple(by_metric[m][0] for m in CVS_METRICS if by_metric[m])
        nps = next((q.id for m in NPS_METRICS for q in scale if q.metric is m), None)
        return cls(
            cvs_ids=cvs_ids if len(cvs_ids) == len(CVS_METRICS) else (),
            nps_id=nps,
            csat_id=next(iter(by_metric[Metric.CSAT]), None),
            ces_id=next(iter(by_metric[Metric.CES]), None),
            scale=scale,
            grades=tuple(q for q in scale if q.metric is Metric.GRADE),
            pass_mark=survey.mirrors is None,
        )

    def column_questions(self, keys: Sequence[str] | None = None) -> list[str]:
        """The questions behind breakdown columns (the CVS comes from its own sums)."""
        question_of = {"nps": self.nps_id, "csat": self.csat_id, "ces": self.ces_id}
        chosen = self.column_keys() if keys is None else keys
        return [question_of.get(k) or k for k in chosen if k != "cvs"]

    def column_keys(self, *, with_nps: bool = True) -> list[str]:
        """Breakdown columns: CVS, NPS, CSAT, CES and every grade, those the survey has."""
        keys = ["cvs"] if self.cvs_ids else []
        keys += ["nps"] if self.nps_id and with_nps else []
        keys += [k for k, q in (("csat", self.csat_id), ("ces", self.ces_id)) if q]
        return keys + [q.id for q in self.grades]


@dataclass(frozen=True)
class Anonymous:
    """How many respondents behind each figure answered anonymously, per group label (a
    wave, period, attribute value, choice or NPS group; one label for a total): per
    question, and for the CVS those who answered all three of its questions."""

    answers: Mapping[str, Mapping[str, int]]
    sums: Mapping[str, int]

    @classmethod
    def of(
        cls,
        histograms: Mapping[str, Histograms],
        sums: Mapping[str, Histogram],
        summed: Iterable[str],
    ) -> Anonymous:
        """From the histograms of the anonymous responses only (`Slice.anonymous()`); `sums`
        holds the CVS sums of the anonymous responses of the labels in `summed` (those
        whose sums were read; a label without anonymous sums has none)."""
        return cls(
            {label: {q: count(h) for q, h in hs.items()} for label, hs in histograms.items()},
            {label: count(sums.get(label, {})) for label in summed},
        )

    def answered(self, label: str, question_id: str) -> int:
        """Anonymous respondents of a group who answered a question."""
        return self.answers.get(label, {}).get(question_id, 0)

    def by_label(self, question_id: str) -> dict[str, int]:
        """label -> anonymous respondents who answered a question."""
        return {label: qs.get(question_id, 0) for label, qs in self.answers.items()}

    def cvs(self, label: str, plan: Plan) -> int:
        """Anonymous respondents of a group behind its CVS: from its sums when read, else
        (everyone answered all three) from its CVS questions."""
        if label in self.sums:
            return self.sums[label]
        return max((self.answered(label, q) for q in plan.cvs_ids), default=0)


TOTAL = ""
"""The one label of a total's Anonymous."""


def _mean(h: Histogram) -> float | None:
    return summarize(h).mean


def _cvs_mean(h: Histogram) -> float | None:
    return wave_cvs(h).mean


def _nps(h: Histogram) -> float | None:
    return net_promoter_score(h).nps


def _csat(h: Histogram) -> float | None:
    return csat(h).csat


def cvs_score(
    sums: Histogram,
    population: int | None,
    passing: PassResult | None,
    min_group: int,
    anonymous: int,
) -> Group[Score]:
    """The CVS of respondents who answered all three questions."""

    def compute() -> Score:
        summary = wave_cvs(sums)
        return Score(summary, margin_of_error(summary, population), passing)

    return guard("cvs", count(sums), compute, min_group, anonymous=anonymous)


def nps_figure(h: Histogram, population: int | None, min_group: int, anonymous: int) -> Group[Nps]:
    """NPS with its margin of error."""

    def compute() -> Nps:
        result = net_promoter_score(h)
        return Nps(result, nps_margin_of_error(result, population))

    return guard("nps", count(h), compute, min_group, anonymous=anonymous)


def csat_figure(
    h: Histogram, population: int | None, min_group: int, anonymous: int
) -> Group[Csat]:
    """CSAT with its margin of error."""

    def compute() -> Csat:
        result = csat(h)
        return Csat(result, csat_margin_of_error(result, population))

    return guard("csat", count(h), compute, min_group, anonymous=anonymous)


def question_result(
    question: Question,
    h: Histogram,
    population: int | None,
    passing: PassResult | None,
    min_group: int,
    anonymous: int,
) -> QuestionResult:
    """A scale question's mean, margin, pass mark and spread."""

    def compute() -> QuestionFigures:
        summary = summarize(h)
        score = Score(summary, margin_of_error(summary, population), passing)
        return QuestionFigures(score, dict(sorted(h.items())))

    return QuestionResult(
        question.id,
        question.metric.value if question.metric else None,
        question.dimension,
        question.low,
        question.high,
        guard(question.id, count(h), compute, min_group, anonymous=anonymous),
    )


def _points(rows: Sequence[Group[T]], values: Sequence[Point | None]) -> list[Group[Point]]:
    return [
        Group(r.label, r.n, v, r.suppressed, r.min_group, r.anonymous)
        for r, v in zip(rows, values, strict=True)
    ]


def judged_series(
    key: str, rows: Sequence[Group[WaveResult]], low: float, high: float, pass_mark: bool
) -> TrendSeries:
    """Trend rows as a series of points, with their pass-mark verdicts where the rule applies."""
    values = [
        None
        if r.figures is None
        else Point(
            r.figures.summary.mean,
            r.figures.passing.change,
            r.figures.passing if pass_mark else None,
        )
        for r in rows
    ]
    return TrendSeries(key, low, high, _points(rows, values))


def mean_series(
    key: str,
    labelled: Sequence[tuple[str, Histogram]],
    *,
    anonymous: Mapping[str, int],
    figures: Callable[[Histogram], Summary] = summarize,
    low: float,
    high: float,
    pass_mark: bool,
    min_group: int,
) -> TrendSeries:
    """A mean over waves or periods, each judged against the previous shown one;
    `anonymous` gives each label's anonymous respondents."""
    rows = trend(
        labelled, anonymous=anonymous, figures=figures, low=low, high=high, min_group=min_group
    )
    return judged_series(key, rows, low, high, pass_mark)


def cvs_source(
    plan: Plan, histograms: Histograms, sums: Histogram | None, respondents: int
) -> tuple[int, Callable[[], Summary]]:
    """How to get one wave's CVS: from its per-respondent sums when they were read, else
    from its three questions (valid only when every respondent answered all three)."""
    if sums is not None:
        return count(sums), partial(wave_cvs, sums)
    complete = _from_questions(plan, histograms, respondents)
    if complete is None:
        raise ValueError("a wave where some respondents skipped a CVS question needs its sums")
    return complete.n, lambda: complete


def needs_sums(plan: Plan, histograms: Histograms, respondents: int) -> bool:
    """Whether a wave's CVS needs its per-respondent sums (someone skipped a CVS question)."""
    return bool(plan.cvs_ids) and _from_questions(plan, histograms, respondents) is None


def _from_questions(plan: Plan, histograms: Histograms, respondents: int) -> Summary | None:
    satisfaction, loyalty, recommendation = (histograms.get(q, {}) for q in plan.cvs_ids)
    return complete_wave_cvs(satisfaction, loyalty, recommendation, respondents)


def value_series(
    key: str,
    labelled: Sequence[tuple[str, Histogram]],
    value: Callable[[Histogram], float | None],
    *,
    anonymous: Mapping[str, int],
    low: float,
    high: float,
    min_group: int,
) -> TrendSeries:
    """A figure without a pass mark (NPS, CSAT) over waves or periods, with its change."""
    points: list[Group[Point]] = []
    previous: float | None = None
    for label, h in labelled:
        row = guard(
            label, count(h), partial(value, h), min_group, anonymous=anonymous.get(label, 0)
        )
        current = row.figures
        change = None if current is None or previous is None else current - previous
        point = None if row.suppressed else Point(current, change)
        points.append(Group(label, row.n, point, row.suppressed, min_group, row.anonymous))
        previous = current
    return TrendSeries(key, low, high, points)


def trend_series(
    plan: Plan,
    labels: Sequence[str],
    histograms: Mapping[str, Histograms],
    sums: Mapping[str, Histogram],
    min_group: int,
    anonymous: Anonymous,
    respondents: Mapping[str, int] | None = None,
) -> list[TrendSeries]:
    """CVS, NPS, CSAT, CES and every grade over the given waves or periods. A CVS without
    its sums in `sums` comes from its three questions and its `respondents` count."""

    def of(qid: str) -> list[tuple[str, Histogram]]:
        return [(label, histograms.get(label, {}).get(qid, {})) for label in labels]

    def value(
        key: str, qid: str, f: Callable[[Histogram], float | None], low: float, high: float
    ) -> TrendSeries:
        parts = anonymous.by_label(qid)
        return value_series(
            key, of(qid), f, anonymous=parts, low=low, high=high, min_group=min_group
        )

    series = []
    if plan.cvs_ids:
        counted = [
            (
                label,
                *_with_anonymous(
                    anonymous.cvs(label, plan),
                    cvs_source(
                        plan,
                        histograms.get(label, {}),
                        sums.get(label) if respondents is not None else sums.get(label, {}),
                        (respondents or {}).get(label, 0),
                    ),
                ),
            )
            for label in labels
        ]
        rows = trend_of(counted, low=SCALE_LOW, high=SCALE_HIGH, min_group=min_group)
        series.append(judged_series("cvs", rows, SCALE_LOW, SCALE_HIGH, plan.pass_mark))
    if plan.nps_id:
        series.append(value("nps", plan.nps_id, _nps, -100, 100))
    if plan.csat_id:
        series.append(value("csat", plan.csat_id, _csat, 0, 100))
    if plan.ces_id:
        series.append(value("ces", plan.ces_id, _mean, 1, 7))
    for q in plan.grades:
        series.append(
            mean_series(
                q.id,
                of(q.id),
                anonymous=anonymous.by_label(q.id),
                low=q.low,
                high=q.high,
                pass_mark=plan.pass_mark,
                min_group=min_group,
            )
        )
    return series


def _with_anonymous(
    anonymous: int, source: tuple[int, Callable[[], Summary]]
) -> tuple[int, int, Callable[[], Summary]]:
    n, compute = source
    return n, anonymous, compute


def current_passing(
    series: TrendSeries | None, label: str | None, value: float | None, low: float, high: float
) -> PassResult | None:
    """The pass-mark verdict of the reported wave or period from its trend point; without
    one (all responses, no waves) the figure is judged on its level alone."""
    if series is not None and label is not None:
        for point in series.points:
            if point.label == label and point.figures is not None:
                return point.figures.passing
    return None if value is None else assess(value, None, low=low, high=high)


def breakdown_columns(
    plan: Plan,
    keys: Sequence[str],
    histograms: Mapping[str, Histograms],
    sums: Mapping[str, Histogram],
    min_group: int,
    anonymous: Anonymous,
) -> list[BreakdownColumn]:
    """Each figure per group, with hidden groups (and what would reveal them) suppressed."""
    question_of = {"nps": plan.nps_id, "csat": plan.csat_id, "ces": plan.ces_id}
    value_of: dict[str, Callable[[Histogram], float | None]] = {
        "nps": _nps,
        "csat": _csat,
        "ces": _mean,
    }
    columns = []
    for key in keys:
        value: Callable[[Histogram], float | None]
        if key == "cvs":
            source, value = dict(sums), _cvs_mean
            parts = {label: anonymous.cvs(label, plan) for label in source}
        else:
            qid = question_of.get(key) or key
            source = {label: hs.get(qid, {}) for label, hs in histograms.items()}
            value = value_of.get(key, _mean)
            parts = anonymous.by_label(qid)
        source = {label: h for label, h in source.items() if h}
        groups = breakdown_by(source, value, anonymous=parts, min_group=min_group)
        columns.append(BreakdownColumn(key, {g.label: _as_float(g) for g in groups}))
    return columns


def _as_float(group: Group[float | None]) -> Group[float]:
    if group.figures is None and not group.suppressed:
        return Group(group.label, group.n, None, True, group.min_group, group.anonymous)
    return Group(
        group.label, group.n, group.figures, group.suppressed, group.min_group, group.anonymous
    )
