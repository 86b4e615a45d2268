"""Survey definitions: the built-ins are valid, and a bad custom file names file, field, reason."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from bot.conversations.surveys import load_surveys
from flows import Audience, Kind, Metric, SurveyError, builtin_surveys, load_survey_file
from flows.builtin import DIMENSIONS

GOOD = """
id = "onboarding"
version = 2
title = { en = "Onboarding", nl = "Kennismaking" }

[[questions]]
id = "ease"
kind = "scale"
text = { en = "How easy was it?", nl = "Hoe makkelijk was het?" }
low = 1
high = 10
metric = "grade"
"""


def test_builtins_cover_the_guideline() -> None:
    surveys = builtin_surveys()
    assert set(surveys) == {"cvs", "kto", "mto", "mirror", "nps", "csat", "ces"}
    cvs = surveys["cvs"]
    assert [(q.id, q.low, q.high) for q in cvs.questions[:3]] == [
        ("satisfaction", 0, 10),
        ("loyalty", 0, 10),
        ("recommendation", 0, 10),
    ]
    kto = surveys["kto"]
    grades = {q.dimension for q in kto.questions if q.metric is Metric.GRADE}
    assert grades == set(DIMENSIONS)
    assert all(q.low == 1 and q.high == 10 for q in kto.questions if q.metric is Metric.GRADE)
    assert any(q.kind is Kind.TEXT for q in kto.questions)
    mirror = surveys["mirror"]
    assert mirror.mirrors == "kto" and mirror.audience is Audience.EMPLOYEE
    assert {q.dimension for q in mirror.questions if q.dimension} == grades
    mto = surveys["mto"]
    assert mto.always_anonymous
    assert "internal_communication" in {q.id for q in mto.questions}
    assert surveys["csat"].question("csat").high == 5
    assert surveys["ces"].question("ces").high == 7


def test_custom_file_loads_with_its_own_texts(tmp_path: Path) -> None:
    path = tmp_path / "onboarding.toml"
    path.write_text(GOOD)
    survey = load_survey_file(path)
    assert survey.version == 2
    assert survey.question("ease").text.by_lang["nl"] == "Hoe makkelijk was het?"
    assert "onboarding" in load_surveys([path], "en")


@pytest.mark.parametrize(
    ("content", "field", "reason"),
    [
        (GOOD.replace('kind = "scale"', 'kind = "slider"'), "questions[0].kind", "must be one of"),
        (GOOD.replace("low = 1", "low = 11"), "questions[0].high", "low < high"),
        (GOOD.replace('id = "ease"', 'id = "Ease!"'), "questions[0].id", "lower-case"),
        (
            GOOD.replace('metric = "grade"', 'metric = "happiness"'),
            "questions[0].metric",
            "must be one of",
        ),
        (
            GOOD + '\n[[questions]]\nid = "ease"\nkind = "text"\ntext = "Again?"\n',
            "questions[1].id",
            "duplicate",
        ),
        (
            GOOD + '\n[[questions]]\nid = "why"\nkind = "text"\ntext = "Why?"\n'
            'show_if = { question = "nope", at_most = 3 }\n',
            "questions[1].show_if.question",
            "not an earlier scale question",
        ),
        (
            GOOD + '\n[[questions]]\nid = "pick"\nkind = "choice"\ntext = "Pick"\n'
            'choices = [{ id = "a", label = "A" }]\n',
            "questions[1].choices",
            "at least two",
        ),
        ('id = "x"\nquestions = []\n', "questions", "at least one question"),
        ("id = [unclosed", "file", "not valid TOML"),
    ],
)
def test_malformed_file_is_refused_with_file_field_and_reason(
    tmp_path: Path, content: str, field: str, reason: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(SurveyError) as excinfo:
        load_survey_file(path)
    message = str(excinfo.value)
    assert message.startswith(str(path)) and f": {field}: " in message and reason in message


def test_custom_survey_cannot_take_a_builtin_id(tmp_path: Path) -> None:
    path = tmp_path / "cvs.toml"
    path.write_text(GOOD.replace('id = "onboarding"', 'id = "cvs"'))
    with pytest.raises(SurveyError, match="already a survey"):
        load_surveys([path], "en")


def test_missing_translations_fall_back_and_are_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "onboarding.toml"
    path.write_text(GOOD)
    with caplog.at_level("WARNING", logger="bot.conversations.surveys"):
        surveys = load_surveys([path], "nl")
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2  # one line each for fr and de
    assert all("title, questions[0].text" in w for w in warnings)
    assert any("no fr text" in w for w in warnings) and any("no de text" in w for w in warnings)
    question = surveys["onboarding"].question("ease")
    assert question.text.render("fr", gettext.NullTranslations()) == "Hoe makkelijk was het?"
