"""Admin chat commands: the router every chat channel hands `/wave`, `/report`, `/flags` to.

Lives here: `commands` (who may run them, the registry each feature adds its handlers to).
May import: `bot.delivery`, `bot.storage`, the shared modules at the top of `bot`.
"""
