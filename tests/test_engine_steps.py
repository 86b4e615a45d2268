"""The survey engine, step by step: every question kind, consent, back, skip, stop, expiry."""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from flows import (
    CONSENT_STEP,
    Event,
    EventKind,
    ReplyKind,
    Session,
    Status,
    Survey,
    builtin_surveys,
    completed_answers,
    start,
    step,
    survey_from_mapping,
)

TR = gettext.NullTranslations()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONV = "Xy3_-q"
REFUSAL = "That button is no longer active. Please answer the latest question."

SAMPLE = survey_from_mapping(
    {
        "id": "sample",
        "title": "Sample",
        "questions": [
            {"id": "grade", "kind": "scale", "low": 1, "high": 10, "text": "Grade?"},
            {
                "id": "why",
                "kind": "text",
                "optional": True,
                "text": "Why so low?",
                "show_if": {"question": "grade", "at_most": 5},
            },
            {
                "id": "since",
                "kind": "choice",
                "text": "Customer since?",
                "choices": [
                    {"id": "new", "label": "Less than a year"},
                    {"id": "old", "label": "Longer"},
                ],
            },
            {"id": "remark", "kind": "text", "text": "Anything else?", "optional": True},
        ],
    },
    source="test",
)


def typed(text: str) -> Event:
    return Event(EventKind.TEXT, text)


def run(survey: Survey, events: list[Event], *, now: datetime = T0) -> tuple[Session, list]:
    outcome = start(survey, language="en", now=now, translator=TR, conversation=CONV)
    session, replies = outcome.session, list(outcome.replies)
    for event in events:
        outcome = step(survey, session, event, now=now, translator=TR)
        session = outcome.session
        replies = list(outcome.replies)
    return session, replies


@dataclass(frozen=True)
class Case:
    name: str
    events: list[Event]
    answers: dict[str, int | str]
    status: Status
    last: ReplyKind


CASES = [
    Case(
        "scale typed plainly",
        [typed("named"), typed("8"), typed("1"), typed("")],
        {"grade": 8, "since": "new"},
        Status.COMPLETED,
        ReplyKind.COMPLETED,
    ),
    Case(
        "scale with spaces and out-of",
        [typed("2"), typed(" 7 "), typed("2"), typed("")],
        {"grade": 7, "since": "old"},
        Status.COMPLETED,
        ReplyKind.COMPLETED,
    ),
    Case(
        "x/10 on a 1-10 scale",
        [typed("2"), typed("9/10")],
        {"grade": 9},
        Status.ACTIVE,
        ReplyKind.QUESTION,
    ),
    Case(
        "wrong denominator refused",
        [typed("2"), typed("9/5")],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "score above the scale refused",
        [typed("2"), typed("11")],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "zero below a 1-10 scale refused",
        [typed("2"), typed("0")],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "superscript digit refused as a choice", [typed("²")], {}, Status.ACTIVE, ReplyKind.INVALID
    ),
    Case(
        "arabic-indic digit refused as a score",
        [typed("2"), typed("٨")],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case("words refused", [typed("2"), typed("eleven")], {}, Status.ACTIVE, ReplyKind.INVALID),
    Case(
        "choice by label any case",
        [typed("2"), typed("8"), typed("LONGER")],
        {"grade": 8, "since": "old"},
        Status.ACTIVE,
        ReplyKind.QUESTION,
    ),
    Case(
        "choice number out of range",
        [typed("2"), typed("8"), typed("3")],
        {"grade": 8},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "low score opens the follow-up",
        [typed("2"), typed("4"), typed("Slow replies")],
        {"grade": 4, "why": "Slow replies"},
        Status.ACTIVE,
        ReplyKind.QUESTION,
    ),
    Case(
        "optional text skipped by empty line",
        [typed("2"), typed("4"), typed("")],
        {"grade": 4},
        Status.ACTIVE,
        ReplyKind.QUESTION,
    ),
    Case(
        "required question cannot be skipped",
        [typed("2"), Event(EventKind.SKIP)],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "empty line on a required question re-prompts",
        [typed("2"), typed("")],
        {},
        Status.ACTIVE,
        ReplyKind.INVALID,
    ),
    Case(
        "back changes the previous answer",
        [typed("2"), typed("8"), Event(EventKind.BACK), typed("6"), typed("1")],
        {"grade": 6, "since": "new"},
        Status.ACTIVE,
        ReplyKind.QUESTION,
    ),
    Case("back on the first step", [Event(EventKind.BACK)], {}, Status.ACTIVE, ReplyKind.NOTICE),
    Case(
        "stop ends without keeping answers",
        [typed("2"), typed("8"), Event(EventKind.STOP)],
        {"grade": 8},
        Status.STOPPED,
        ReplyKind.STOPPED,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_step(case: Case) -> None:
    session, replies = run(SAMPLE, case.events)
    assert session.answers == case.answers
    assert session.status is case.status
    assert replies[-1].kind is case.last


def test_consent_comes_first_and_decides_anonymity() -> None:
    outcome = start(SAMPLE, language="en", now=T0, translator=TR, conversation=CONV)
    question = outcome.replies[-1]
    assert question.question_id == CONSENT_STEP
    assert [o.value for o in question.options] == ["named", "anonymous"]
    assert run(SAMPLE, [typed("anonymous")])[0].anonymous is True
    assert run(SAMPLE, [typed("1")])[0].anonymous is False


def test_employee_surveys_skip_consent_and_are_anonymous() -> None:
    mto = builtin_surveys()["mto"]
    outcome = start(mto, language="en", now=T0, translator=TR, conversation=CONV)
    assert outcome.session.anonymous is True
    assert outcome.replies[-1].question_id == mto.questions[0].id


def test_invalid_answer_changes_nothing_and_says_what_is_accepted() -> None:
    session, _ = run(SAMPLE, [typed("2")])
    outcome = step(SAMPLE, session, typed("eleven"), now=T0, translator=TR)
    assert outcome.session == session and not outcome.changed
    assert "from 1 to 10" in outcome.replies[0].text


def press(value: str, question: str, revision: int, conversation: str | None = CONV) -> Event:
    return Event(EventKind.PRESS, value, question, revision, conversation)


def test_pressed_button_must_match_conversation_question_and_revision() -> None:
    session, _ = run(SAMPLE, [typed("2")])
    rev = session.revision
    stale = press("8", "grade", rev - 1)
    wrong_question = press("8", "since", rev)
    other_conversation = press("8", "grade", rev, "0ther0")
    before_conversations = press("8", "grade", rev, None)
    forged_value = press("42", "grade", rev)
    for event in (stale, wrong_question, other_conversation, before_conversations, forged_value):
        outcome = step(SAMPLE, session, event, now=T0, translator=TR)
        assert not outcome.changed and outcome.replies[0].kind is ReplyKind.INVALID
        assert outcome.session == session
    good = press("8", "grade", rev)
    outcome = step(SAMPLE, session, good, now=T0, translator=TR)
    assert outcome.session.answers == {"grade": 8}
    assert outcome.replies[0].kind is ReplyKind.ANSWERED and outcome.replies[0].text == "8"


def test_session_expires_after_the_configured_time() -> None:
    session, _ = run(SAMPLE, [typed("2")])
    later = T0 + timedelta(hours=49)
    outcome = step(
        SAMPLE, session, typed("8"), now=later, translator=TR, expire_after=timedelta(hours=48)
    )
    assert outcome.session.status is Status.EXPIRED
    assert outcome.replies[0].kind is ReplyKind.EXPIRED
    fresh = step(
        SAMPLE,
        session,
        typed("8"),
        now=T0 + timedelta(hours=47),
        translator=TR,
        expire_after=timedelta(hours=48),
    )
    assert fresh.session.answers == {"grade": 8}


def test_finished_session_accepts_nothing() -> None:
    session, _ = run(SAMPLE, [typed("2"), Event(EventKind.STOP)])
    outcome = step(SAMPLE, session, typed("8"), now=T0, translator=TR)
    assert not outcome.changed and outcome.session.status is Status.STOPPED


def test_answers_to_questions_no_longer_shown_are_dropped_on_completion() -> None:
    # grade 4 opens "why"; going back and grading 9 closes it again.
    session, _ = run(
        SAMPLE,
        [
            typed("2"),
            typed("4"),
            typed("Slow"),
            Event(EventKind.BACK),
            Event(EventKind.BACK),
            typed("9"),
            typed("1"),
            typed(""),
        ],
    )
    assert session.status is Status.COMPLETED
    assert completed_answers(SAMPLE, session) == {"grade": 9, "since": "new"}


def test_progress_counts_only_questions_the_respondent_will_see() -> None:
    _, replies = run(SAMPLE, [typed("2")])
    assert replies[-1].progress == (1, 3)
    _, replies = run(SAMPLE, [typed("2"), typed("3")])
    assert replies[-1].progress == (2, 4)


def test_zero_to_ten_buttons_come_in_two_rows() -> None:
    cvs = builtin_surveys()["cvs"]
    _, replies = run(cvs, [typed("2")])
    question = replies[-1]
    assert [o.value for o in question.options] == [str(v) for v in range(11)]
    assert question.rows == (6, 5)


def test_language_switch_re_asks_in_the_new_language() -> None:
    session, _ = run(SAMPLE, [typed("2")])
    outcome = step(SAMPLE, session, Event(EventKind.LANGUAGE, "nl"), now=T0, translator=TR)
    assert outcome.session.language == "nl"
    assert outcome.replies[0].question_id == "grade"


def test_session_survives_json_round_trip() -> None:
    session, _ = run(SAMPLE, [typed("1"), typed("4"), Event(EventKind.SKIP)])
    assert Session.from_json(session.to_json()) == session
    assert session.conversation == CONV


def test_every_question_and_answer_names_its_conversation() -> None:
    session, replies = run(SAMPLE, [typed("2")])
    assert [(r.kind, r.conversation) for r in replies] == [
        (ReplyKind.ANSWERED, CONV),
        (ReplyKind.QUESTION, CONV),
    ]
    outcome = step(SAMPLE, session, press("8", "grade", session.revision), now=T0, translator=TR)
    assert {r.conversation for r in outcome.replies} == {CONV}


@pytest.mark.parametrize("kind", [EventKind.BACK, EventKind.SKIP, EventKind.STOP, EventKind.TEXT])
def test_back_skip_stop_and_a_forms_text_from_a_button_act_only_where_it_was_made(
    kind: EventKind,
) -> None:
    # At "remark" (optional, the fourth question): Back, Skip and Stop all would act.
    session, _ = run(SAMPLE, [typed("2"), typed("8"), typed("1")])
    assert session.current == "remark"
    rev = session.revision
    for wrong in (
        Event(kind, "fine", "remark", rev - 1, CONV),
        Event(kind, "fine", "remark", rev, "0ther0"),
        Event(kind, "fine", "remark", rev, None),
        Event(kind, "fine", "since", rev, CONV),
        Event(kind, "fine", None, rev, CONV),
    ):
        outcome = step(SAMPLE, session, wrong, now=T0, translator=TR)
        assert outcome.session == session and not outcome.changed
        assert [(r.kind, r.text) for r in outcome.replies] == [(ReplyKind.INVALID, REFUSAL)]
    outcome = step(SAMPLE, session, Event(kind, "fine", "remark", rev, CONV), now=T0, translator=TR)
    assert outcome.changed and outcome.session.revision == rev + 1


def test_a_second_tap_on_the_same_back_button_is_refused() -> None:
    session, _ = run(SAMPLE, [typed("2"), typed("8"), typed("1")])
    back = Event(EventKind.BACK, question_id="remark", revision=session.revision, conversation=CONV)
    once = step(SAMPLE, session, back, now=T0, translator=TR)
    assert once.session.current == "since"
    twice = step(SAMPLE, once.session, back, now=T0, translator=TR)
    assert twice.session == once.session and twice.replies[0].text == REFUSAL


def test_a_session_stored_before_conversations_had_ids_goes_on() -> None:
    session, _ = run(SAMPLE, [typed("2")])
    raw = json.loads(session.to_json())
    del raw["conversation"]
    old = Session.from_json(json.dumps(raw))
    assert old.conversation == "" and old.answers == session.answers
    # Its buttons made before carry no conversation: refused. Typing still answers, and
    # the buttons made for it from now on carry the empty id and work.
    refused = step(SAMPLE, old, press("8", "grade", old.revision, None), now=T0, translator=TR)
    assert refused.replies[0].text == REFUSAL and not refused.changed
    assert step(SAMPLE, old, typed("8"), now=T0, translator=TR).session.answers == {"grade": 8}
    asked = step(SAMPLE, old, Event(EventKind.REPEAT), now=T0, translator=TR).replies[0]
    assert asked.conversation == ""
    pressed = step(SAMPLE, old, press("8", "grade", old.revision, ""), now=T0, translator=TR)
    assert pressed.session.answers == {"grade": 8}
