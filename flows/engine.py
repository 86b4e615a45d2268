"""The survey engine: a pure state machine from (survey, session, event, now) to the next step.

Like a conversation handler that returns its next state, `step()` returns the next session
and the replies to send; it does no I/O and reads no clock, so every path can be tested
and drawn. The service stores the session and sends the replies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flows.answers import Invalid, parse_pressed, parse_typed
from flows.events import Event, EventKind, Option, Reply, ReplyKind
from flows.questions import CONSENT_ANONYMOUS, CONSENT_NAMED, Choice, Kind, Question
from flows.session import CONSENT_STEP, Answer, Session, Status
from flows.survey import Survey
from flows.text import N_, Text, Translator

DEFAULT_EXPIRY = timedelta(days=14)

CONSENT_QUESTION = Question(
    id=CONSENT_STEP,
    kind=Kind.CONSENT,
    text=Text(
        N_(
            "Before we start: do you want to answer with your name, or anonymously? "
            "Named answers let us follow up with you personally. Anonymous answers are "
            "kept apart until they join the results together with those of several "
            "others; from then on nothing links them to you."
        )
    ),
    choices=(
        Choice(CONSENT_NAMED, Text(N_("Named"))),
        Choice(CONSENT_ANONYMOUS, Text(N_("Anonymous"))),
    ),
)


@dataclass(frozen=True)
class Outcome:
    """The result of a step: the next session, what to send, and whether anything changed."""

    session: Session
    replies: tuple[Reply, ...]
    changed: bool


def start(
    survey: Survey, *, language: str, now: datetime, translator: Translator, conversation: str
) -> Outcome:
    """Open a conversation: consent first, except for employee surveys (always anonymous).

    `conversation` is the new conversation's id (the caller makes it: the engine draws no
    random numbers); every button made for it carries it, and only its buttons act in it.
    """
    if survey.always_anonymous:
        first = _next_question(survey, None, {})
        assert first is not None, "a validated survey has an unconditional first question"
        session = Session(
            survey.id,
            survey.version,
            language,
            now,
            now,
            anonymous=True,
            path=(first.id,),
            conversation=conversation,
        )
    else:
        session = Session(
            survey.id,
            survey.version,
            language,
            now,
            now,
            path=(CONSENT_STEP,),
            conversation=conversation,
        )
    intro = Reply(ReplyKind.NOTICE, survey.title.render(language, translator))
    return Outcome(session, (intro, _ask(survey, session, translator)), True)


def step(
    survey: Survey,
    session: Session,
    event: Event,
    *,
    now: datetime,
    translator: Translator,
    expire_after: timedelta = DEFAULT_EXPIRY,
) -> Outcome:
    """Apply one respondent action and return what follows.

    An action made with a button acts only if the button was made for this conversation,
    at this revision, for the question now asked; any other is refused and changes
    nothing. The service runs this inside the transaction that stores the result (with a
    revision check), so of two taps on one button only the first acts.
    """
    tr = translator
    if event.from_button and not _made_for(session, event):
        return _unchanged(
            session,
            Reply(
                ReplyKind.INVALID,
                tr.gettext("That button is no longer active. Please answer the latest question."),
            ),
        )
    if session.status is not Status.ACTIVE or session.current is None:
        return _unchanged(
            session,
            Reply(ReplyKind.NOTICE, tr.gettext("This survey is already finished. Thank you!")),
        )
    if now - session.updated_at > expire_after:
        expired = session.advanced(now, status=Status.EXPIRED)
        return Outcome(
            expired,
            (
                Reply(
                    ReplyKind.EXPIRED,
                    tr.gettext("This survey has expired, so your earlier answers were not kept."),
                ),
            ),
            True,
        )
    question = _question(survey, session.current)
    match event.kind:
        case EventKind.PRESS:
            return _answer(survey, session, question, parse_pressed(question, event.text), now, tr)
        case EventKind.TEXT:
            if question.optional and not event.text.strip():
                return _skip(survey, session, question, now, tr)
            answer = parse_typed(question, event.text, session.language, tr)
            return _answer(survey, session, question, answer, now, tr)
        case EventKind.SKIP:
            if not question.optional:
                return _unchanged(
                    session,
                    Reply(ReplyKind.INVALID, tr.gettext("This question cannot be skipped.")),
                )
            return _skip(survey, session, question, now, tr)
        case EventKind.BACK:
            if len(session.path) < 2:
                return _unchanged(
                    session,
                    Reply(
                        ReplyKind.NOTICE,
                        tr.gettext("This is the first question; there is nothing to go back to."),
                    ),
                )
            back = session.advanced(now, path=session.path[:-1])
            return Outcome(back, (_ask(survey, back, tr),), True)
        case EventKind.STOP:
            stopped = session.advanced(now, status=Status.STOPPED)
            return Outcome(
                stopped,
                (
                    Reply(
                        ReplyKind.STOPPED,
                        tr.gettext(
                            "You stopped the survey. Nothing of this conversation was kept."
                        ),
                    ),
                ),
                True,
            )
        case EventKind.LANGUAGE:
            switched = session.advanced(now, language=event.text)
            return Outcome(switched, (_ask(survey, switched, tr),), True)
        case EventKind.REPEAT:
            return _unchanged(session, _ask(survey, session, tr))


def _made_for(session: Session, event: Event) -> bool:
    """Whether a button's event was made for this conversation as it stands now."""
    return (
        event.conversation == session.conversation
        and event.revision == session.revision
        and event.question_id is not None
        and event.question_id == session.current
    )


def completed_answers(survey: Survey, session: Session) -> dict[str, Answer]:
    """The answers to keep: those to questions the respondent would see given their answers."""
    return {
        q.id: session.answers[q.id]
        for q in survey.questions
        if q.id in session.answers and _visible(q, session.answers)
    }


def _answer(
    survey: Survey,
    session: Session,
    question: Question,
    answer: Answer | Invalid,
    now: datetime,
    tr: Translator,
) -> Outcome:
    if isinstance(answer, Invalid):
        return _unchanged(
            session, Reply(ReplyKind.INVALID, answer.render(tr), question_id=question.id)
        )
    acked = Reply(
        ReplyKind.ANSWERED,
        _answer_label(question, answer, session.language, tr),
        question_id=question.id,
        revision=session.revision,
        conversation=session.conversation,
    )
    if question.kind is Kind.CONSENT:
        answered = session.advanced(now, anonymous=answer == CONSENT_ANONYMOUS)
    else:
        answered = session.advanced(
            now,
            answers={**session.answers, question.id: answer},
            skipped=session.skipped - {question.id},
        )
    return _move_on(survey, answered, question, acked, tr)


def _skip(
    survey: Survey, session: Session, question: Question, now: datetime, tr: Translator
) -> Outcome:
    answers = {k: v for k, v in session.answers.items() if k != question.id}
    skipped = session.advanced(now, answers=answers, skipped=session.skipped | {question.id})
    acked = Reply(
        ReplyKind.ANSWERED,
        tr.gettext("(skipped)"),
        question_id=question.id,
        revision=session.revision,
        conversation=session.conversation,
    )
    return _move_on(survey, skipped, question, acked, tr)


def thanks(tr: Translator) -> Reply:
    """The thank-you that ends a completed conversation."""
    return Reply(ReplyKind.COMPLETED, tr.gettext("Thank you! Your answers have been saved."))


def _move_on(
    survey: Survey, session: Session, after: Question, acked: Reply, tr: Translator
) -> Outcome:
    nxt = _next_question(survey, None if after.kind is Kind.CONSENT else after.id, session.answers)
    if nxt is None:
        done = replace(session, status=Status.COMPLETED)
        return Outcome(done, (acked, thanks(tr)), True)
    moved = replace(session, path=(*session.path, nxt.id))
    return Outcome(moved, (acked, _ask(survey, moved, tr)), True)


def _next_question(
    survey: Survey, after: str | None, answers: dict[str, Answer]
) -> Question | None:
    ids = [q.id for q in survey.questions]
    begin = 0 if after is None else ids.index(after) + 1
    return next((q for q in survey.questions[begin:] if _visible(q, answers)), None)


def _visible(question: Question, answers: dict[str, Answer]) -> bool:
    cond = question.show_if
    if cond is None:
        return True
    given = answers.get(cond.question)
    return isinstance(given, int) and given <= cond.at_most


def _question(survey: Survey, question_id: str) -> Question:
    return CONSENT_QUESTION if question_id == CONSENT_STEP else survey.question(question_id)


def _ask(survey: Survey, session: Session, tr: Translator) -> Reply:
    question = _question(survey, session.current or "")
    lang = session.language
    options: tuple[Option, ...] = ()
    rows: tuple[int, ...] = ()
    hint = ""
    if question.kind is Kind.SCALE:
        options = tuple(Option(str(v), str(v)) for v in range(question.low, question.high + 1))
        rows = _rows(len(options))
        if question.low_label and question.high_label:
            hint = (
                f"{question.low} = {question.low_label.render(lang, tr)}, "
                f"{question.high} = {question.high_label.render(lang, tr)}"
            )
    elif question.kind in (Kind.CHOICE, Kind.CONSENT):
        options = tuple(Option(c.id, c.label.render(lang, tr)) for c in question.choices)
        rows = tuple(1 for _ in options)
    current = session.answers.get(question.id)
    return Reply(
        ReplyKind.QUESTION,
        question.text.render(lang, tr),
        options=options,
        rows=rows,
        question_id=question.id,
        revision=session.revision,
        hint=hint,
        progress=_progress(survey, session) if question.kind is not Kind.CONSENT else None,
        numbered=question.kind in (Kind.CHOICE, Kind.CONSENT),
        skippable=question.optional,
        current="" if current is None else _answer_label(question, current, lang, tr),
        conversation=session.conversation,
    )


def _rows(count: int) -> tuple[int, ...]:
    """Buttons per row: one row up to seven, else two (0-10 becomes 6 + 5)."""
    if count <= 7:
        return (count,)
    first = (count + 1) // 2
    return (first, count - first)


def _progress(survey: Survey, session: Session) -> tuple[int, int]:
    visible = [q.id for q in survey.questions if _visible(q, session.answers)]
    current = session.current or ""
    position = visible.index(current) + 1 if current in visible else len(visible)
    return position, len(visible)


def _answer_label(question: Question, answer: Answer, language: str, tr: Translator) -> str:
    if isinstance(answer, str) and question.kind in (Kind.CHOICE, Kind.CONSENT):
        choice = question.choice(answer)
        return choice.label.render(language, tr) if choice else answer
    return str(answer)


def _unchanged(session: Session, reply: Reply) -> Outcome:
    return Outcome(session, (reply,), False)
