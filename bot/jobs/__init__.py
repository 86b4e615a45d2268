"""Work done later: the scheduler's one sweep of the outbox (`bot.outbox`), failures told to admins.

Lives here: `scheduler` (the sweep and the cron and interval triggers that run it;
registers every feature's handlers), `failure_notices` (admins told once of a row given up).
May import: every feature folder (the scheduler wires them), `bot.storage`, `bot.delivery`.
"""
