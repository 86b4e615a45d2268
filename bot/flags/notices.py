"""The texts staff read about flags and action items, in the reader's language.

A `FlagView` is everything an alert may show: who (a named respondent only: anonymous
responses are never flagged), their imported attributes and contact person, the answers
(flag questions marked) and their open comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import i18n
from bot.delivery import Action, Notice
from bot.storage.flags_sql import ActionItem, Flag, FlagKind
from bot.storage.records import StaffMember
from flows import N_
from flows.builtin import DIMENSIONS

KIND_LABELS = {FlagKind.PROMOTER: N_("promoter"), FlagKind.DETRACTOR: N_("detractor")}


@dataclass(frozen=True)
class AnswerLine:
    """One answer as staff read it; `flagged` marks the question that raised the flag."""

    question: str
    answer: str
    flagged: bool = False
    comment: bool = False


@dataclass(frozen=True)
class FlagView:
    """A flag with what staff need to act on it."""

    flag: Flag
    who: str
    attributes: Mapping[str, str]
    contact_person: StaffMember | None
    owner: StaffMember | None
    survey_title: str
    lines: tuple[AnswerLine, ...]


def _days(delta: timedelta) -> int:
    return round(delta.total_seconds() / 86400)


def action_value(verb: str, flag: Flag) -> str:
    """The value of a flag button: `flag:<verb>:<id>` (at most 48 characters)."""
    return f"flag:{verb}:{flag.id}"


def _body(view: FlagView, language: str, timezone: str) -> list[str]:
    _ = i18n.translator(language).gettext
    kind = _(KIND_LABELS.get(view.flag.kind, view.flag.kind))
    lines = [
        _("{kind}: {who}").format(kind=kind.capitalize(), who=view.who),
        _("Survey: {survey}").format(survey=view.survey_title),
    ]
    if view.attributes:
        attributes = ", ".join(f"{k}={v}" for k, v in sorted(view.attributes.items()))
        lines.append(_("Attributes: {attributes}").format(attributes=attributes))
    if view.contact_person:
        lines.append(_("Contact person: {name}").format(name=view.contact_person.name))
    else:
        lines.append(_("Contact person: none on record"))
    lines.append(_("Answers:"))
    lines += [
        f"{'* ' if a.flagged else '  '}{a.question}: {a.answer}"
        for a in view.lines
        if not a.comment
    ]
    comments = [a for a in view.lines if a.comment]
    if comments:
        lines.append(_("Comments:"))
        lines += [f"  {a.question}: \u201c{a.answer}\u201d" for a in comments]
    lines.append(
        _("Reference {ref}, raised {when}.").format(
            ref=view.flag.ref, when=i18n.moment(view.flag.raised_at, language, timezone)
        )
    )
    return lines


def _forward_actions(view: FlagView, language: str) -> list[Action]:
    _ = i18n.translator(language).gettext
    actions = []
    if view.contact_person:
        actions.append(
            Action(
                _("Forward to {name}").format(name=view.contact_person.name),
                action_value("fwd", view.flag),
            )
        )
    actions.append(Action(_("Take it myself"), action_value("take", view.flag)))
    return actions


def _done_action(view: FlagView, language: str) -> Action:
    return Action(
        i18n.translator(language).gettext("Mark followed up"), action_value("done", view.flag)
    )


def alert(view: FlagView, language: str, timezone: str) -> Notice:
    """The staff chat's alert right after a named promoter or detractor answered (G-F1)."""
    return Notice(
        "\n".join(_body(view, language, timezone)),
        (*_forward_actions(view, language), _done_action(view, language)),
    )


def forwarded(view: FlagView, language: str, timezone: str, close_by: datetime) -> Notice:
    """The contact person's copy of a flag (G-F2), with how to close it."""
    _ = i18n.translator(language).gettext
    lines = [_("A flag for you to follow up:"), *_body(view, language, timezone)]
    lines.append(
        _(
            "Please get in touch, then close it by {date} with: /flags done {ref} <what you did>"
        ).format(date=i18n.moment(close_by, language, timezone), ref=view.flag.ref)
    )
    return Notice("\n".join(lines), (_done_action(view, language),))


def forward_reminder(view: FlagView, language: str, timezone: str, due: datetime) -> Notice:
    """To the staff chat: a flag still waits to be forwarded."""
    _ = i18n.translator(language).gettext
    text = _(
        "Reminder: flag {ref} ({who}) has not been forwarded to a contact person yet. "
        "It should be by {date}."
    ).format(ref=view.flag.ref, who=view.who, date=i18n.moment(due, language, timezone))
    return Notice(text, tuple(_forward_actions(view, language)))


def forward_escalation(view: FlagView, language: str, within: timedelta) -> Notice:
    """To the admins: a flag was not forwarded in time."""
    tr = i18n.translator(language)
    days = _days(within)
    text = tr.ngettext(
        "Escalation: flag {ref} ({who}) was not forwarded within {days} day.",
        "Escalation: flag {ref} ({who}) was not forwarded within {days} days.",
        days,
    ).format(ref=view.flag.ref, who=view.who, days=days)
    return Notice(text, tuple(_forward_actions(view, language)))


def followup_reminder(view: FlagView, language: str, timezone: str, due: datetime) -> Notice:
    """To the flag's owner (or the staff chat): the follow-up is not closed yet."""
    _ = i18n.translator(language).gettext
    text = _(
        "Reminder: flag {ref} ({who}) is not followed up yet. "
        "Close it by {date} with: /flags done {ref} <what you did>"
    ).format(ref=view.flag.ref, who=view.who, date=i18n.moment(due, language, timezone))
    return Notice(text, (_done_action(view, language),))


def followup_escalation(view: FlagView, language: str, within: timedelta) -> Notice:
    """To the admins: a flag was not followed up in time."""
    tr = i18n.translator(language)
    days = _days(within)
    owner = view.owner.name if view.owner else tr.gettext("nobody")
    text = tr.ngettext(
        "Escalation: flag {ref} ({who}) was not followed up within {days} day. Owner: {owner}.",
        "Escalation: flag {ref} ({who}) was not followed up within {days} days. Owner: {owner}.",
        days,
    ).format(ref=view.flag.ref, who=view.who, days=days, owner=owner)
    return Notice(text, (_done_action(view, language),))


def digest(views: Sequence[FlagView], language: str, timezone: str) -> Notice:
    """The daily digest of new flags, instead of one alert each."""
    tr = i18n.translator(language)
    _ = tr.gettext
    lines = [
        tr.ngettext(
            "{n} new flag since the last digest:",
            "{n} new flags since the last digest:",
            len(views),
        ).format(n=len(views))
    ]
    actions: list[Action] = []
    for view in views:
        flagged = "; ".join(f"{a.question}: {a.answer}" for a in view.lines if a.flagged)
        kind = _(KIND_LABELS.get(view.flag.kind, view.flag.kind))
        lines.append(f"- {view.flag.ref} {kind}: {view.who} ({flagged})")
        if view.contact_person:
            actions.append(
                Action(_("Forward {ref}").format(ref=view.flag.ref), action_value("fwd", view.flag))
            )
        actions.append(
            Action(_("Take {ref}").format(ref=view.flag.ref), action_value("take", view.flag))
        )
    lines.append(_("Details of one flag: /flags show REF"))
    return Notice("\n".join(lines), tuple(actions))


def dimension_label(dimension: str, language: str) -> str:
    """A KTO dimension's name in `language` (the id for a custom dimension)."""
    label = DIMENSIONS.get(dimension)
    return i18n.translator(language).gettext(label) if label else dimension


def action_plan(
    items: Sequence[ActionItem],
    owners: Mapping[str, str],
    threshold: float,
    language: str,
    timezone: str,
) -> Notice:
    """To the staff chat: the action items made from a mirror wave and its KTO wave (G-F4)."""
    tr = i18n.translator(language)
    lines = [
        tr.ngettext(
            "Action plan: {n} dimension where staff expectations and customer grades differ "
            "by {gap} or more.",
            "Action plan: {n} dimensions where staff expectations and customer grades differ "
            "by {gap} or more.",
            len(items),
        ).format(n=len(items), gap=i18n.score(threshold, language))
    ]
    for item in items:
        lines.append(
            tr.gettext(
                "- {ref} {dimension}: staff expect {staff}, customers give {customers}; "
                "owner {owner}, due {date}"
            ).format(
                ref=item.ref,
                dimension=dimension_label(item.dimension, language),
                staff=i18n.score(item.staff_mean, language),
                customers=i18n.score(item.customer_mean, language),
                owner=owners.get(item.owner_staff_id or "", tr.gettext("nobody")),
                date=i18n.moment(item.due_at, language, timezone),
            )
        )
    lines.append(tr.gettext("Close an item with: /flags done REF <what was done>"))
    return Notice("\n".join(lines))


def action_escalation(item: ActionItem, language: str, timezone: str) -> Notice:
    """To the admins: an action item passed its due date open."""
    tr = i18n.translator(language)
    text = tr.gettext(
        "Escalation: action item {ref} ({dimension}) was due {date} and is still open."
    ).format(
        ref=item.ref,
        dimension=dimension_label(item.dimension, language),
        date=i18n.moment(item.due_at, language, timezone),
    )
    return Notice(text)
