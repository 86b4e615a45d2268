"""The surveys this installation offers: the built-ins plus custom files from config."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flows import Survey, SurveyError, builtin_surveys, load_survey_file


def load_surveys(files: Iterable[Path], default_language: str) -> dict[str, Survey]:
    """Built-in surveys and the custom ones; a bad file stops the start with its reason."""
    surveys = dict(builtin_surveys())
    for path in files:
        survey = load_survey_file(path, default_language=default_language)
        if survey.id in surveys:
            raise SurveyError(
                str(path), "id", f"{survey.id!r} is already a survey; pick another id"
            )
        surveys[survey.id] = survey
    return surveys
