"""Turning what a respondent typed or pressed into an answer, or a reason it is not one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.questions import Kind, Question
from flows.session import Answer
from flows.text import N_, Translator

MAX_TEXT_LENGTH = 2000
# ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
_SCORE = re.compile(r"^\s*([0-9]{1,3})\s*(?:/\s*([0-9]{1,3})\s*)?$")
_NUMBER = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class Invalid:
    """Why an input is not an answer: a catalog message id and its named placeholders."""

    message: str
    params: dict[str, int | str]

    def render(self, translator: Translator) -> str:
        """The explanation in the respondent's language."""
        return translator.gettext(self.message).format(**self.params)


def parse_typed(question: Question, typed: str, language: str, tr: Translator) -> Answer | Invalid:
    """Read a typed answer: "8", " 8 ", "8/10" for a scale; number or label for a choice."""
    if question.kind is Kind.SCALE:
        return _parse_score(question, typed)
    if question.kind in (Kind.CHOICE, Kind.CONSENT):
        return _parse_choice(question, typed, language, tr)
    text = typed.strip()
    if not text:
        return Invalid(N_("Please type your answer."), {})
    if len(text) > MAX_TEXT_LENGTH:
        return Invalid(
            N_("Please keep your answer under {limit} characters."), {"limit": MAX_TEXT_LENGTH}
        )
    return text


def parse_pressed(question: Question, value: str) -> Answer | Invalid:
    """Read a button's value; a value the question never offered is refused."""
    if question.kind is Kind.SCALE:
        number = _small_number(value)
        if number is not None and question.accepts_score(number):
            return number
    elif question.kind in (Kind.CHOICE, Kind.CONSENT) and question.choice(value) is not None:
        return value
    return Invalid(N_("That button does not belong to this question."), {})


def _parse_score(question: Question, typed: str) -> Answer | Invalid:
    match = _SCORE.match(typed)
    if match:
        score = int(match.group(1))
        out_of = match.group(2)
        if (out_of is None or int(out_of) == question.high) and question.accepts_score(score):
            return score
    return Invalid(
        N_("Please answer with a whole number from {low} to {high}, for example {example}."),
        {
            "low": question.low,
            "high": question.high,
            "example": (question.low + question.high + 1) // 2,
        },
    )


def _parse_choice(
    question: Question, typed: str, language: str, tr: Translator
) -> Answer | Invalid:
    wanted = typed.strip()
    number = _small_number(wanted)
    if number is not None and 1 <= number <= len(question.choices):
        return question.choices[number - 1].id
    for choice in question.choices:
        if choice.id == wanted.casefold() or choice.label.matches(wanted, language, tr):
            return choice.id
    return Invalid(
        N_("Please answer with the number (1 to {count}) or the name of one of the choices."),
        {"count": len(question.choices)},
    )


def _small_number(text: str) -> int | None:
    """A plain number of up to three ASCII digits, else None."""
    return int(text) if _NUMBER.fullmatch(text) else None
