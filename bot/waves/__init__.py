"""Survey waves: starting, inviting and reminding, schedules and interactions, the chat command.

Lives here: `waves` (start, close, schedule, release at close), `invitations` (the
outbox handlers that invite and remind), `chat` (`/wave ...` in chat).
May import: `bot.conversations`, `bot.people`, `bot.outbox.queue`, `bot.storage`,
`bot.config`, `bot.admin`, `bot.delivery`, the shared modules at the top of `bot`.
"""
