"""Whatever a respondent sends, the engine neither crashes nor keeps an impossible answer,
and a button acts only in the conversation, at the revision and on the question it was
made for."""

from __future__ import annotations

import gettext
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import (
    Event,
    EventKind,
    Kind,
    ReplyKind,
    Status,
    builtin_surveys,
    completed_answers,
    start,
    step,
)

TR = gettext.NullTranslations()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SURVEYS = builtin_surveys()
CONV = "k9_Zq-"
REFUSAL = "That button is no longer active. Please answer the latest question."

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
        st.sampled_from([None, CONV, "other1"]),
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
    session = start(survey, language="en", now=now, translator=TR, conversation=CONV).session
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


BUTTON_KINDS = [
    EventKind.PRESS,
    EventKind.BACK,
    EventKind.SKIP,
    EventKind.STOP,
    EventKind.TEXT,
    EventKind.REPEAT,
    EventKind.LANGUAGE,
]


@settings(max_examples=300, deadline=None)
@given(
    survey_id=st.sampled_from(sorted(SURVEYS)),
    script=st.lists(events, max_size=25),
    kind=st.sampled_from(BUTTON_KINDS),
    text=texts,
    conversation=st.one_of(st.none(), st.sampled_from(["", CONV, "other1", CONV.upper()])),
    revision_off=st.integers(min_value=-3, max_value=3),
    own_question=st.booleans(),
    later=st.integers(min_value=0, max_value=60 * 24 * 20),
)
def test_a_button_acts_only_in_its_own_conversation_and_revision(
    survey_id: str,
    script: list[Event],
    kind: EventKind,
    text: str,
    conversation: str | None,
    revision_off: int,
    own_question: bool,
    later: int,
) -> None:
    survey = SURVEYS[survey_id]
    session = start(survey, language="en", now=T0, translator=TR, conversation=CONV).session
    for event in script:
        session = step(survey, session, event, now=T0, translator=TR).session
    question = session.current if own_question else "not_asked"
    event = Event(kind, text, question, session.revision + revision_off, conversation)
    now = T0 + timedelta(minutes=later)

    outcome = step(survey, session, event, now=now, translator=TR)

    if conversation == CONV and revision_off == 0 and own_question and question is not None:
        assert all(r.text != REFUSAL for r in outcome.replies)
    else:
        assert outcome.session == session and not outcome.changed
        assert [(r.kind, r.text) for r in outcome.replies] == [(ReplyKind.INVALID, REFUSAL)]
