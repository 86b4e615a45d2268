"""The survey engine: survey definitions, sessions, events, replies and the pure `step()`.

Imports only the standard library, so it can be tested and reasoned about without any
platform, database or event loop.
"""

from flows.builtin import BUILTIN_IDS, builtin_surveys
from flows.engine import (
    CONSENT_QUESTION,
    DEFAULT_EXPIRY,
    Outcome,
    completed_answers,
    start,
    step,
    thanks,
)
from flows.events import Event, EventKind, Option, Reply, ReplyKind
from flows.questions import CVS_METRICS, Choice, Condition, Kind, Metric, Question
from flows.session import CONSENT_STEP, Answer, Session, Status
from flows.survey import (
    Audience,
    Survey,
    SurveyError,
    load_survey_file,
    missing_translations,
    survey_from_mapping,
)
from flows.text import N_, Text, Translator

__all__ = [
    "BUILTIN_IDS",
    "CONSENT_QUESTION",
    "CONSENT_STEP",
    "CVS_METRICS",
    "DEFAULT_EXPIRY",
    "N_",
    "Answer",
    "Audience",
    "Choice",
    "Condition",
    "Event",
    "EventKind",
    "Kind",
    "Metric",
    "Option",
    "Outcome",
    "Question",
    "Reply",
    "ReplyKind",
    "Session",
    "Status",
    "Survey",
    "SurveyError",
    "Text",
    "Translator",
    "builtin_surveys",
    "completed_answers",
    "load_survey_file",
    "missing_translations",
    "start",
    "step",
    "survey_from_mapping",
    "thanks",
]
