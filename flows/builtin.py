"""The built-in surveys: CVS, KTO, MTO, mirror, and the NPS, CSAT and CES pulses.

They are written as the same plain data a custom survey file holds and go through the
same validation, so there is one way a survey comes to exist. Texts are English message
ids marked with `N_` for the catalog.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flows.survey import Survey, survey_from_mapping
from flows.text import N_

DIMENSIONS: dict[str, str] = {
    "service": N_("service"),
    "quality": N_("quality"),
    "appearance": N_("appearance"),
    "reliability": N_("reliability"),
    "competence": N_("competence"),
    "handling": N_("handling of delivery and invoicing"),
    "external_communication": N_("external communication"),
    "expectation_management": N_("understanding what you expected"),
    "crm": N_("knowing who you are"),
}

_NOT_AT_ALL = N_("not at all")
_COMPLETELY = N_("completely")
_VERY_BAD = N_("very bad")
_EXCELLENT = N_("excellent")


def _zero_to_ten(qid: str, text: str, metric: str, low: str, high: str) -> dict[str, Any]:
    return {
        "id": qid,
        "kind": "scale",
        "text": text,
        "low": 0,
        "high": 10,
        "low_label": low,
        "high_label": high,
        "metric": metric,
    }


def _cvs_questions(worded_for_staff: bool) -> list[dict[str, Any]]:
    if worded_for_staff:
        texts = (
            N_("How satisfied do you expect our customers are with us overall?"),
            N_("How likely do you expect our customers are to keep buying from us?"),
            N_("How likely do you expect our customers are to recommend us to others?"),
        )
    else:
        texts = (
            N_("How satisfied are you with us overall?"),
            N_("How likely are you to keep buying from us?"),
            N_("How likely are you to recommend us to a friend or colleague?"),
        )
    return [
        _zero_to_ten("satisfaction", texts[0], "satisfaction", _NOT_AT_ALL, _COMPLETELY),
        _zero_to_ten("loyalty", texts[1], "loyalty", N_("not likely"), N_("very likely")),
        _zero_to_ten(
            "recommendation", texts[2], "recommendation", N_("not likely"), N_("very likely")
        ),
    ]


def _improve_question(after: str, at_most: int) -> dict[str, Any]:
    return {
        "id": "improve",
        "kind": "text",
        "optional": True,
        "text": N_("What could we do better?"),
        "show_if": {"question": after, "at_most": at_most},
    }


# Whole sentences per dimension, so translators never see a sentence glued from parts.
_DIMENSION_TEXTS: dict[str, tuple[str, str]] = {
    "service": (
        N_("What grade do you give our service?"),
        N_("What grade do you expect our customers give our service?"),
    ),
    "quality": (
        N_("What grade do you give the quality of our products?"),
        N_("What grade do you expect our customers give the quality of our products?"),
    ),
    "appearance": (
        N_("What grade do you give our appearance?"),
        N_("What grade do you expect our customers give our appearance?"),
    ),
    "reliability": (
        N_("What grade do you give our reliability?"),
        N_("What grade do you expect our customers give our reliability?"),
    ),
    "competence": (
        N_("What grade do you give the competence of our people?"),
        N_("What grade do you expect our customers give the competence of our people?"),
    ),
    "handling": (
        N_("What grade do you give our delivery and invoicing?"),
        N_("What grade do you expect our customers give our delivery and invoicing?"),
    ),
    "external_communication": (
        N_("What grade do you give our communication with you?"),
        N_("What grade do you expect our customers give our communication with them?"),
    ),
    "expectation_management": (
        N_("What grade do you give us for understanding what you expected?"),
        N_("What grade do you expect our customers give us for understanding what they expected?"),
    ),
    "crm": (
        N_("What grade do you give us for knowing who you are?"),
        N_("What grade do you expect our customers give us for knowing who they are?"),
    ),
}


def _dimension_grades(worded_for_staff: bool) -> list[dict[str, Any]]:
    return [
        {
            "id": key,
            "kind": "scale",
            "low": 1,
            "high": 10,
            "text": texts[1] if worded_for_staff else texts[0],
            "low_label": _VERY_BAD,
            "high_label": _EXCELLENT,
            "metric": "grade",
            "dimension": key,
        }
        for key, texts in _DIMENSION_TEXTS.items()
    ]


_CUSTOMER_SINCE = {
    "id": "customer_since",
    "kind": "choice",
    "classification": True,
    "text": N_("How long have you been our customer?"),
    "choices": [
        {"id": "lt1", "label": N_("less than a year")},
        {"id": "y1to3", "label": N_("one to three years")},
        {"id": "gt3", "label": N_("more than three years")},
    ],
}

_DEFINITIONS: dict[str, dict[str, Any]] = {
    "cvs": {
        "id": "cvs",
        "version": 1,
        "kind": "cvs",
        "audience": "customer",
        "title": N_("Customer Value Score"),
        "questions": [*_cvs_questions(False), _improve_question("recommendation", 6)],
    },
    "kto": {
        "id": "kto",
        "version": 1,
        "kind": "kto",
        "audience": "customer",
        "title": N_("Customer satisfaction survey"),
        "questions": [
            *_cvs_questions(False),
            *_dimension_grades(False),
            _CUSTOMER_SINCE,
            {
                "id": "frustration",
                "kind": "text",
                "optional": True,
                "text": N_("What frustrated you most in working with us?"),
            },
        ],
    },
    "mirror": {
        "id": "mirror",
        "version": 1,
        "kind": "mirror",
        "audience": "employee",
        "mirrors": "kto",
        "title": N_("Mirror survey: how do our customers see us?"),
        "questions": [
            *_cvs_questions(True),
            *_dimension_grades(True),
            {
                "id": "frustration",
                "kind": "text",
                "optional": True,
                "text": N_("What do you expect frustrates our customers most?"),
            },
        ],
    },
    "mto": {
        "id": "mto",
        "version": 1,
        "kind": "mto",
        "audience": "employee",
        "title": N_("Employee satisfaction survey"),
        "questions": [
            {
                "id": "job_satisfaction",
                "kind": "scale",
                "low": 1,
                "high": 10,
                "metric": "grade",
                "dimension": "job_satisfaction",
                "low_label": _VERY_BAD,
                "high_label": _EXCELLENT,
                "text": N_("What grade do you give your work here overall?"),
            },
            {
                "id": "internal_communication",
                "kind": "scale",
                "low": 1,
                "high": 10,
                "metric": "grade",
                "dimension": "internal_communication",
                "low_label": _VERY_BAD,
                "high_label": _EXCELLENT,
                "text": N_("What grade do you give our internal communication?"),
            },
            {
                "id": "collaboration",
                "kind": "scale",
                "low": 1,
                "high": 10,
                "metric": "grade",
                "dimension": "collaboration",
                "low_label": _VERY_BAD,
                "high_label": _EXCELLENT,
                "text": N_("What grade do you give the collaboration between teams?"),
            },
            {
                "id": "leadership",
                "kind": "scale",
                "low": 1,
                "high": 10,
                "metric": "grade",
                "dimension": "leadership",
                "low_label": _VERY_BAD,
                "high_label": _EXCELLENT,
                "text": N_("What grade do you give the leadership you receive?"),
            },
            {
                "id": "customer_focus",
                "kind": "scale",
                "low": 1,
                "high": 10,
                "metric": "grade",
                "dimension": "customer_focus",
                "low_label": _VERY_BAD,
                "high_label": _EXCELLENT,
                "text": N_("What grade do you give how well we put customers first?"),
            },
            _zero_to_ten(
                "enps",
                N_("How likely are you to recommend us as an employer?"),
                "nps",
                N_("not likely"),
                N_("very likely"),
            ),
            {
                "id": "improve",
                "kind": "text",
                "optional": True,
                "text": N_("What one thing should change first?"),
            },
        ],
    },
    "nps": {
        "id": "nps",
        "version": 1,
        "kind": "nps",
        "audience": "customer",
        "title": N_("Net Promoter Score"),
        "questions": [
            _zero_to_ten(
                "recommendation",
                N_("How likely are you to recommend us to a friend or colleague?"),
                "nps",
                N_("not likely"),
                N_("very likely"),
            ),
            {
                "id": "reason",
                "kind": "text",
                "optional": True,
                "text": N_("What is the main reason for your score?"),
            },
        ],
    },
    "csat": {
        "id": "csat",
        "version": 1,
        "kind": "csat",
        "audience": "customer",
        "title": N_("Contact satisfaction"),
        "questions": [
            {
                "id": "csat",
                "kind": "scale",
                "low": 1,
                "high": 5,
                "metric": "csat",
                "low_label": N_("very dissatisfied"),
                "high_label": N_("very satisfied"),
                "text": N_("How satisfied are you with your recent contact with us?"),
            },
            _improve_question("csat", 3),
        ],
    },
    "ces": {
        "id": "ces",
        "version": 1,
        "kind": "ces",
        "audience": "customer",
        "title": N_("Customer effort"),
        "questions": [
            {
                "id": "ces",
                "kind": "scale",
                "low": 1,
                "high": 7,
                "metric": "ces",
                "low_label": N_("very difficult"),
                "high_label": N_("very easy"),
                "text": N_("How easy was it to get your question handled?"),
            },
            _improve_question("ces", 3),
        ],
    },
}

BUILTIN_IDS: tuple[str, ...] = tuple(_DEFINITIONS)


@cache
def builtin_surveys() -> dict[str, Survey]:
    """Every built-in survey by id, validated once."""
    return {
        sid: survey_from_mapping(d, source=f"built-in survey {sid!r}")
        for sid, d in _DEFINITIONS.items()
    }
