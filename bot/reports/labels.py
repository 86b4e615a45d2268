"""Names a reader sees for figures, questions, dimensions and groups, in the report language.

Built-in dimensions and metrics have translated names; a custom survey's question falls
back to its dimension or id, as the survey author wrote it.
"""

from __future__ import annotations

from bot.storage.report_sql import NOT_SET
from flows import N_, Survey, Translator
from flows.builtin import DIMENSIONS

FIGURES: dict[str, str] = {
    "cvs": N_("CVS"),
    "nps": N_("NPS"),
    "csat": N_("CSAT"),
    "ces": N_("CES"),
}

_EXTRA_DIMENSIONS: dict[str, str] = {
    "job_satisfaction": N_("work overall"),
    "internal_communication": N_("internal communication"),
    "collaboration": N_("collaboration between teams"),
    "leadership": N_("leadership"),
    "customer_focus": N_("customers first"),
}

_METRICS: dict[str, str] = {
    "satisfaction": N_("satisfaction"),
    "loyalty": N_("loyalty"),
    "recommendation": N_("recommendation"),
    "csat": N_("contact satisfaction"),
    "ces": N_("customer effort"),
    "nps": N_("recommendation"),
}

NPS_GROUPS: dict[str, str] = {
    "promoter": N_("promoters"),
    "passive": N_("passives"),
    "detractor": N_("detractors"),
}

STATUSES: dict[str, str] = {
    "met": N_("met"),
    "not_met": N_("not met"),
    "no_data": N_("no data"),
    "needs_evidence": N_("needs evidence"),
}


def dimension(key: str, tr: Translator) -> str:
    """A dimension's name: built-in ones translated, others as their id reads."""
    name = DIMENSIONS.get(key) or _EXTRA_DIMENSIONS.get(key)
    return tr.gettext(name) if name else key.replace("_", " ")


def figure(survey: Survey, key: str, tr: Translator) -> str:
    """The short name of a figure or a scale question ('CVS', 'service', 'loyalty')."""
    if key in FIGURES:
        return tr.gettext(FIGURES[key])
    try:
        question = survey.question(key)
    except KeyError:
        return dimension(key, tr)
    if question.dimension:
        return dimension(question.dimension, tr)
    if question.metric and question.metric.value in _METRICS:
        return tr.gettext(_METRICS[question.metric.value])
    return key.replace("_", " ")


def group(survey: Survey, kind: str, key: str, label: str, tr: Translator, language: str) -> str:
    """A breakdown group's name: an NPS group, a classification answer or an attribute value."""
    if label == NOT_SET:
        return tr.gettext("(not set)") if kind == "attribute" else tr.gettext("(not answered)")
    if kind == "nps_group":
        return tr.gettext(NPS_GROUPS.get(label, label))
    if kind == "classification":
        try:
            choice = survey.question(key).choice(label)
        except KeyError:
            choice = None
        if choice is not None:
            return choice.label.render(language, tr)
    return label


def survey_title(survey: Survey, tr: Translator, language: str) -> str:
    """The survey's title in the report language."""
    return survey.title.render(language, tr)


def held_note(n: int, min_group: int, tr: Translator) -> str:
    """Why anonymous answers given in scope are not in the figures yet."""
    return tr.ngettext(
        "{n} anonymous answer waits for release: it is counted once at least {min} can be "
        "released together.",
        "{n} anonymous answers wait for release: they are counted once at least {min} can be "
        "released together.",
        n,
    ).format(n=n, min=min_group)


def withheld_note(n: int, min_group: int, tr: Translator) -> str:
    """Why anonymous answers of a closed wave are in no figure, ever."""
    return tr.ngettext(
        "{n} anonymous answer was withheld: fewer than {min} answered anonymously.",
        "{n} anonymous answers were withheld: fewer than {min} answered anonymously.",
        n,
    ).format(n=n, min=min_group)
