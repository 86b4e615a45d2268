"""People: contacts and staff, their import from CSV, who a wave goes to, how staff are reached.

Lives here: `contacts` (reading and importing contacts and staff), `population` (the
`segment=retail` filters of a wave); where staff notices go is `bot.flags.staff_reach`.
May import: `bot.imports.csvfile`, `bot.storage`, `bot.conversations`, `bot.outbox.queue`,
`bot.delivery`, the shared modules at the top of `bot`.
"""
