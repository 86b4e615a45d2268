"""The HTTP server: the API, webhooks of Telegram and Slack, health and metrics.

Lives here: `server` (uvicorn and the routes, a bounded graceful stop), `component` (the
app component that runs it).
May import: `bot.api`, `bot.config`, `bot.app` (for types), `bot.delivery`.
"""
