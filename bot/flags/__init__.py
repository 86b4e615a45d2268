"""Flags: named promoters and detractors followed up within a week and closed within a month.

Lives here: `flags` (raising them when an answer completes), `deadlines` (alerts,
reminders, escalations, the digest), `action_plan` (improvement actions and their
notices), `notices` (how a flag alert reads, its buttons), `listing` (the open cases),
`chat` (`/flags` and the alert buttons in chat), `staff_reach` (who on the staff gets
them, and where).
May import: `bot.conversations`, `bot.people`, `bot.waves`, `bot.outbox.queue`,
`bot.storage`, `bot.admin`, `bot.delivery`, the shared modules at the top of `bot`.
"""
