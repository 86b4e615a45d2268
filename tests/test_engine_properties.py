"""Whatever a respondent sends, the engine neither crashes nor keeps an impossible answer."""

from __future__ import annotations

import gettext
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import (
    Event,
    EventKind,
    Kind,
    Status,
    builtin_surveys,
    completed_answers,
    start,
    step,
)

TR = gettext.NullTranslations()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SURVEYS = builtin_surveys()

texts = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-5, max_value=120).map(str),
    st.sampled_from(["8/10", " 3 ", "anonymous", "Named", "2", "", "x" * 3000]),
)
events = st.one_of(
    st.builds(Event, st.just(EventKind.TEXT), texts),
    st.builds(
        Event,
        st.just(EventKind.PRESS),
        texts,
        st.one_of(st.none(), st.sampled_from(["satisfaction", "_consent", "csat", "x"])),
        st.one_of(st.none(), st.integers(min_value=-1, max_value=30)),
    ),
    st.sampled_from([Event(EventKind.BACK), Event(EventKind.SKIP), Event(EventKind.REPEAT)]),
    st.builds(Event, st.just(EventKind.LANGUAGE), st.sampled_from(["nl", "en", "de", "fr"])),
)


@settings(max_examples=300, deadline=None)
@given(
    survey_id=st.sampled_from(sorted(SURVEYS)),
    script=st.lists(events, max_size=40),
    minutes=st.lists(st.integers(min_value=0, max_value=60 * 24 * 20), max_size=40),
)
def test_no_event_sequence_crashes_or_stores_out_of_range(
    survey_id: str, script: list[Event], minutes: list[int]
) -> None:
    survey = SURVEYS[survey_id]
    now = T0
    session = start(survey, language="en", now=now, translator=TR).session
    for i, event in enumerate(script):
        now += timedelta(minutes=minutes[i] if i < len(minutes) else 1)
        outcome = step(survey, session, event, now=now, translator=TR)
        assert outcome.replies, "every action gets an answer"
        assert outcome.session.revision >= session.revision
        session = outcome.session
        for qid, answer in session.answers.items():
            question = survey.question(qid)
            if question.kind is Kind.SCALE:
                assert isinstance(answer, int) and question.low <= answer <= question.high
            elif question.kind is Kind.CHOICE:
                assert question.choice(str(answer)) is not None
            else:
                assert isinstance(answer, str) and 0 < len(answer) <= 2000
    if session.status is Status.COMPLETED:
        kept = completed_answers(survey, session)
        required = [q.id for q in survey.questions if not q.optional and q.show_if is None]
        assert all(qid in kept for qid in required)
