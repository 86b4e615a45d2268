"""Flags, action items and wave progress as lines of text, shared by the CLI and chat commands."""

from __future__ import annotations

from datetime import datetime

from bot import i18n
from bot.conversations.service import Service
from bot.flags import notices as flag_notices
from bot.flags.flags import overdue
from bot.flags.notices import KIND_LABELS
from bot.storage import Transaction
from bot.storage.flags_sql import ActionItem, ActionStatus, CaseEvent, Flag, FlagStatus
from bot.storage.waves_sql import Wave, WaveProgress
from flows import N_

BAR_WIDTH = 30
_STATUS_LABELS: dict[str, str] = {
    FlagStatus.OPEN: N_("open"),
    FlagStatus.FORWARDED: N_("forwarded"),
    FlagStatus.CLOSED: N_("closed"),
}
"""The words for a flag's status, also used for an action item's (open, closed)."""


def progress_bar(progress: WaveProgress, width: int = BAR_WIDTH) -> str:
    """`[#########.....................]`: the share of invitations that went out."""
    handled = progress.invited - progress.pending
    filled = round(width * handled / progress.invited) if progress.invited else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


def wave_lines(
    wave: Wave, progress: WaveProgress, language: str, timezone: str, now: datetime
) -> list[str]:
    """A wave's state: when it closes, how far invitations got, who answered (counts only)."""
    _ = i18n.translator(language).gettext
    if wave.closed_at is not None:
        state = _("closed {date}").format(date=i18n.moment(wave.closed_at, language, timezone))
    elif wave.closes_at is not None:
        state = _("open until {date}").format(date=i18n.moment(wave.closes_at, language, timezone))
    else:
        state = _("open")
    rate = progress.response_rate
    sent = progress.invited - progress.pending
    return [
        _("Wave {id} ({label}), {state}").format(id=wave.id, label=wave.label, state=state),
        f"{progress_bar(progress)} "
        + _("{sent} of {invited} invitations handled").format(sent=sent, invited=progress.invited),
        _(
            "invited {invited}, delivered {delivered}, unreachable {unreachable}, "
            "waiting {pending}, started {started}, completed {completed}, response rate {rate}"
        ).format(
            invited=progress.invited,
            delivered=progress.delivered,
            unreachable=progress.unreachable,
            pending=progress.pending,
            started=progress.started,
            completed=progress.completed,
            rate=i18n.percent(rate, language) if rate is not None else "-",
        ),
    ]


async def who(tx: Transaction, flag: Flag) -> str:
    """The flagged respondent as a short label."""
    contact = await tx.contact_by_id(flag.contact_id) if flag.contact_id else None
    return f"{contact.name} ({contact.ref})" if contact else "-"


async def flag_line(
    tx: Transaction, flag: Flag, service: Service, language: str, now: datetime
) -> str:
    """One flag: reference, kind, who, status, owner, when raised, and a missed deadline."""
    tr = i18n.translator(language)
    _ = tr.gettext
    owner = next((m.name for m in await tx.staff() if m.id == flag.owner_staff_id), "-")
    line = _("{ref}  {kind}  {who}  {status}, owner {owner}, raised {date}").format(
        ref=flag.ref,
        kind=_(KIND_LABELS.get(flag.kind, flag.kind)),
        who=await who(tx, flag),
        status=_(_STATUS_LABELS.get(flag.status, flag.status)),
        owner=owner,
        date=i18n.moment(flag.raised_at, language, service.config.timezone),
    )
    missed = overdue(flag, now, service)
    if missed == "forward":
        line += "  " + _("OVERDUE: not forwarded")
    elif missed == "follow-up":
        line += "  " + _("OVERDUE: not followed up")
    return line


def item_line(item: ActionItem, owner: str, language: str, timezone: str, now: datetime) -> str:
    """One action item: reference, dimension, the two means, owner, due date."""
    _ = i18n.translator(language).gettext
    line = _(
        "{ref}  {dimension}: staff {staff}, customers {customers}  {status}, owner {owner}, "
        "due {date}"
    ).format(
        ref=item.ref,
        dimension=flag_notices.dimension_label(item.dimension, language),
        staff=i18n.score(item.staff_mean, language),
        customers=i18n.score(item.customer_mean, language),
        status=_(_STATUS_LABELS.get(item.status, item.status)),
        owner=owner,
        date=i18n.moment(item.due_at, language, timezone),
    )
    if item.status != ActionStatus.CLOSED and now >= item.due_at:
        line += "  " + _("OVERDUE")
    return line


def history_lines(events: list[CaseEvent], language: str, timezone: str) -> list[str]:
    """A case's history: when, who, what, note."""
    return [
        f"{i18n.moment(e.at, language, timezone)}  {e.actor}  {e.action}"
        + (f": {e.note}" if e.note else "")
        for e in events
    ]
