"""Work done later: the outbox (one queue), the scheduler's one sweep, failures told to admins.

Lives here: `outbox` (claim, act, finish with a lease and a key), `scheduler` (the sweep
and the cron and interval triggers that run it; registers every feature's handlers),
`failure_notices` (admins told once of a row given up).
May import: every feature folder (the scheduler wires them), `bot.storage`, `bot.delivery`.
"""
