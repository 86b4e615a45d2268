"""Evidence for certificate criteria that the data cannot show (a management presentation,
written ways of working), recorded by an admin with a note and kept in the audit log."""

from __future__ import annotations

from datetime import datetime

from bot.reports.scope import ReportError
from bot.storage import Storage, new_id
from bot.storage.report_sql import EvidenceRow
from bot.timeutil import to_text
from flows import N_
from scoring.certificate import CRITERIA


class EvidenceError(ReportError):
    """Evidence that cannot be recorded; nothing was written."""


async def add_evidence(
    storage: Storage, criterion: str, note: str, actor: str, now: datetime
) -> EvidenceRow:
    """Record evidence for a known criterion; EvidenceError for an unknown one or no note."""
    known = [c.id for c in CRITERIA]
    if criterion not in known:
        raise EvidenceError(
            N_("Unknown criterion {criterion!r}; choose one of: {criteria}."),
            criterion=criterion,
            criteria=", ".join(known),
        )
    if not note.strip():
        raise EvidenceError(N_("Say in a note what shows that the criterion is met."))
    row = EvidenceRow(new_id(), criterion, note.strip(), actor, to_text(now))
    async with storage.transaction() as tx:
        await tx.add_evidence(row)
        await tx.audit(actor, "evidence.add", {"criterion": criterion, "note": row.note}, now)
    return row
