"""Telegram through python-telegram-bot: polling or webhook, signed buttons, flood limits.

Lives here: `channel` (the channel: send, edit, notify, start and stop), `updates`
(platform updates to `flows` events and admin requests), `callback` (signed callback
data), `render` (replies as messages and keyboards), `sender` (retries and pacing),
`component` (building it for the app).
May import: `bot.delivery`, `bot.conversations`, `bot.admin`, `bot.config`,
`bot.storage`, `flows`, the shared modules at the top of `bot`; not the Slack channel.
"""
