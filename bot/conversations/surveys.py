"""The surveys this installation offers: the built-ins plus custom files from config."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from bot.i18n import LANGUAGES
from flows import Survey, SurveyError, builtin_surveys, load_survey_file, missing_translations

log = logging.getLogger(__name__)


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
        for lang, fields in missing_translations(survey, LANGUAGES).items():
            log.warning(
                "survey %r (%s) has no %s text for %s; respondents in that language see the "
                "%s text",
                survey.id,
                path,
                lang,
                ", ".join(fields),
                default_language,
            )
    return surveys
