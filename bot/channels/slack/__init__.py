"""Slack through slack-bolt: HTTP or Socket Mode, Block Kit buttons, Web API pacing.

Lives here: `channel` (the Bolt app, its listeners, send and notify), `blocks` (replies
as Block Kit and back), `http` (the ASGI endpoint), `pace` (per-channel pacing),
`people` (finding and caching Slack users), `component` (building it for the app).
May import: `bot.delivery`, `bot.conversations`, `bot.admin`, `bot.config`,
`bot.storage`, `flows`, the shared modules at the top of `bot`; not the Telegram channel.
"""
