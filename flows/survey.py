"""Surveys as validated data, built from plain mappings (built-ins, TOML or JSON files)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from flows.questions import Choice, Condition, Kind, Metric, Question
from flows.text import Text

_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class Audience(StrEnum):
    """Who answers: customers choose anonymity, employees are always anonymous (G-M2)."""

    CUSTOMER = "customer"
    EMPLOYEE = "employee"


class SurveyError(ValueError):
    """A survey definition that cannot be used; the message names source, field and reason."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(f"{source}: {path}: {reason}")
        self.source = source
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Survey:
    """A questionnaire with a stable id and a version; answers are stored against both."""

    id: str
    version: int
    title: Text
    audience: Audience
    questions: tuple[Question, ...]
    kind: str = "custom"
    mirrors: str | None = None

    @property
    def always_anonymous(self) -> bool:
        """Employee surveys (MTO, mirror) never ask for consent and are never named."""
        return self.audience is Audience.EMPLOYEE

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError when the survey has none."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def missing_translations(survey: Survey, languages: Sequence[str]) -> dict[str, list[str]]:
    """For a survey that carries its own texts: language -> the fields without a text in it.

    Texts from the catalog (built-in surveys, plain strings) are the catalog's business.
    """
    fields: list[tuple[str, Text]] = [("title", survey.title)]
    for i, q in enumerate(survey.questions):
        fields.append((f"questions[{i}].text", q.text))
        fields += [
            (f"questions[{i}].{name}", label)
            for name, label in (("low_label", q.low_label), ("high_label", q.high_label))
            if label
        ]
        fields += [(f"questions[{i}].choices[{j}].label", c.label) for j, c in enumerate(q.choices)]
    missing: dict[str, list[str]] = {}
    for lang in languages:
        gaps = [path for path, text in fields if text.by_lang and lang not in text.by_lang]
        if gaps:
            missing[lang] = gaps
    return missing


def survey_from_mapping(
    data: Mapping[str, Any], *, source: str, default_language: str = "en"
) -> Survey:
    """Validate `data` and build a `Survey`; raises `SurveyError` naming the bad field."""
    p = _Parser(source, default_language)
    survey_id = p.ident(data, "id", "id")
    version = p.integer(data, "version", "version", default=1)
    if version < 1:
        raise SurveyError(source, "version", "must be 1 or more")
    audience_raw = p.string(data, "audience", "audience", default=Audience.CUSTOMER.value)
    try:
        audience = Audience(audience_raw)
    except ValueError:
        raise SurveyError(source, "audience", "must be 'customer' or 'employee'") from None
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, Sequence) or isinstance(raw_questions, str | bytes):
        raise SurveyError(source, "questions", "must be a list of questions")
    if not raw_questions:
        raise SurveyError(source, "questions", "a survey needs at least one question")
    questions: list[Question] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_questions):
        q = p.question(raw, f"questions[{i}]", {q.id: q for q in questions})
        if q.id in seen:
            raise SurveyError(source, f"questions[{i}].id", f"duplicate question id {q.id!r}")
        seen.add(q.id)
        questions.append(q)
    mirrors = data.get("mirrors")
    if mirrors is not None and not isinstance(mirrors, str):
        raise SurveyError(source, "mirrors", "must be the id of the survey this one mirrors")
    return Survey(
        id=survey_id,
        version=version,
        title=p.text(data, "title", "title", default=survey_id),
        audience=audience,
        questions=tuple(questions),
        kind=p.string(data, "kind", "kind", default="custom"),
        mirrors=mirrors,
    )


def load_survey_file(path: Path, *, default_language: str = "en") -> Survey:
    """Read a survey from a `.toml` or `.json` file; raises `SurveyError` on any problem."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SurveyError(source, "file", f"cannot be read ({exc.strerror})") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        elif path.suffix == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            raise SurveyError(source, "file", "must end in .toml or .json")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SurveyError(
            source, "file", f"is not valid {path.suffix[1:].upper()}: {exc}"
        ) from None
    if not isinstance(data, Mapping):
        raise SurveyError(source, "file", "must hold one survey (a table / an object)")
    return survey_from_mapping(data, source=source, default_language=default_language)


class _Parser:
    """Field readers that raise `SurveyError` with the path of the offending field."""

    def __init__(self, source: str, default_language: str) -> None:
        self.source = source
        self.default_language = default_language

    def fail(self, path: str, reason: str) -> SurveyError:
        return SurveyError(self.source, path, reason)

    def string(
        self, data: Mapping[str, Any], key: str, path: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "must be a non-empty text")
        return value

    def ident(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = self.string(data, key, path)
        if not _ID.match(value):
            raise self.fail(path, "must be lower-case letters, digits or _, starting with a letter")
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "must be a whole number")
        return value

    def boolean(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(path, "must be true or false")
        return value

    def text(
        self, data: Mapping[str, Any], key: str, path: str, default: str | None = None
    ) -> Text:
        value = data.get(key, default)
        if isinstance(value, str) and value.strip():
            return Text(value)
        if isinstance(value, Mapping) and value:
            by_lang: dict[str, str] = {}
            for lang, wording in value.items():
                if not isinstance(lang, str) or not re.match(r"^[a-z]{2}$", lang):
                    raise self.fail(f"{path}.{lang}", "language must be a two-letter code")
                if not isinstance(wording, str) or not wording.strip():
                    raise self.fail(f"{path}.{lang}", "must be a non-empty text")
                by_lang[lang] = wording
            default_text = by_lang.get(self.default_language, next(iter(by_lang.values())))
            return Text(default_text, by_lang)
        raise self.fail(path, "must be a text or a table of texts per language")

    def optional_text(self, data: Mapping[str, Any], key: str, path: str) -> Text | None:
        return self.text(data, key, path) if key in data else None

    def question(self, raw: object, path: str, earlier: Mapping[str, Question]) -> Question:
        if not isinstance(raw, Mapping):
            raise self.fail(path, "must be a table / an object")
        qid = self.ident(raw, "id", f"{path}.id")
        kind_raw = self.string(raw, "kind", f"{path}.kind")
        try:
            kind = Kind(kind_raw)
        except ValueError:
            raise self.fail(f"{path}.kind", "must be one of scale, choice, text") from None
        if kind is Kind.CONSENT:
            raise self.fail(f"{path}.kind", "consent is asked by the engine, before question 1")
        low = self.integer(raw, "low", f"{path}.low", default=0)
        high = self.integer(raw, "high", f"{path}.high", default=10)
        if kind is Kind.SCALE and not (0 <= low < high <= 100):
            raise self.fail(f"{path}.high", "the scale needs 0 <= low < high <= 100")
        choices = self.choices(raw, path) if kind is Kind.CHOICE else ()
        metric_raw = raw.get("metric")
        metric: Metric | None = None
        if metric_raw is not None:
            try:
                metric = Metric(metric_raw)
            except ValueError:
                names = ", ".join(m.value for m in Metric)
                raise self.fail(f"{path}.metric", f"must be one of {names}") from None
            if kind is not Kind.SCALE:
                raise self.fail(f"{path}.metric", "only a scale question can feed a metric")
        dimension = raw.get("dimension")
        if dimension is not None and not (isinstance(dimension, str) and _ID.match(dimension)):
            raise self.fail(f"{path}.dimension", "must be an id such as 'service'")
        return Question(
            id=qid,
            kind=kind,
            text=self.text(raw, "text", f"{path}.text"),
            low=low,
            high=high,
            low_label=self.optional_text(raw, "low_label", f"{path}.low_label"),
            high_label=self.optional_text(raw, "high_label", f"{path}.high_label"),
            choices=choices,
            optional=self.boolean(raw, "optional", f"{path}.optional"),
            show_if=self.condition(raw, path, earlier),
            metric=metric,
            dimension=dimension,
            classification=self.boolean(raw, "classification", f"{path}.classification"),
        )

    def choices(self, raw: Mapping[str, Any], path: str) -> tuple[Choice, ...]:
        items = raw.get("choices")
        if not isinstance(items, Sequence) or isinstance(items, str) or len(items) < 2:
            raise self.fail(f"{path}.choices", "a choice question needs at least two choices")
        out: list[Choice] = []
        for j, item in enumerate(items):
            cpath = f"{path}.choices[{j}]"
            if not isinstance(item, Mapping):
                raise self.fail(cpath, "must be a table with id and label")
            cid = self.ident(item, "id", f"{cpath}.id")
            if any(c.id == cid for c in out):
                raise self.fail(f"{cpath}.id", f"duplicate choice id {cid!r}")
            out.append(Choice(cid, self.text(item, "label", f"{cpath}.label")))
        return tuple(out)

    def condition(
        self, raw: Mapping[str, Any], path: str, earlier: Mapping[str, Question]
    ) -> Condition | None:
        cond = raw.get("show_if")
        if cond is None:
            return None
        cpath = f"{path}.show_if"
        if not isinstance(cond, Mapping):
            raise self.fail(cpath, "must be a table with question and at_most")
        target = self.string(cond, "question", f"{cpath}.question")
        ref = earlier.get(target)
        if ref is None or ref.kind is not Kind.SCALE:
            raise self.fail(f"{cpath}.question", f"{target!r} is not an earlier scale question")
        at_most = self.integer(cond, "at_most", f"{cpath}.at_most", default=ref.low - 1)
        if not ref.low <= at_most <= ref.high:
            raise self.fail(f"{cpath}.at_most", f"must be on the scale {ref.low}-{ref.high}")
        return Condition(target, at_most)
