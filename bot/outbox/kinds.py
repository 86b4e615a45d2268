"""Outbox kinds that one area schedules and another handles, so neither imports the other."""

WAVE_CLOSED = "wave.closed"
"""Scheduled by `bot.waves` when a wave closes; the action plan (`bot.flags`) handles it."""
