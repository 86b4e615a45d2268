"""The outbox: the one queue of everything sent later (invitations, reminders, alerts,
results, notices), each row with a due time, a unique key and a lease.

Lives here: `queue` (claim, act, finish; at most once per key where a platform can tell).
May import: `bot.delivery`, `bot.storage`; no feature (features register their handlers).
"""
