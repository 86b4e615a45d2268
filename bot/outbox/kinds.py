"""Outbox kinds that one area schedules and another handles, so neither imports the other.

A kind one area both schedules and handles is an enum of that area: `InvitationJob` and
`WaveJob` in `bot.waves`, `FlagJob` and `ActionJob` in `bot.flags`, `ResultJob` in
`bot.reports.publish`.
"""

from enum import StrEnum


class SharedJob(StrEnum):
    """Kinds scheduled in one area and handled in another; the values are what
    `outbox.kind` holds."""

    WAVE_CLOSED = "wave.closed"
    """Scheduled by `bot.waves` when a wave closes; the action plan (`bot.flags`) handles it."""
    ADMIN_NOTICE = "admin.notice"
    """Scheduled by the outbox when it gives a row up (the subject is that row's key);
    `bot.jobs.failure_notices` tells the admins."""
