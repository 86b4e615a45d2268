"""Builds the Slack channel for `klantstem run` when SLACK_BOT_TOKEN is configured.

Kept apart from `bot.channels.slack.channel` so the command line does not load slack-bolt and
aiohttp unless Slack is enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config.settings import ConfigError

if TYPE_CHECKING:
    from bot.app import App
    from bot.channels.slack.channel import SlackChannel


def slack_component(app: App) -> SlackChannel | None:
    """The Slack channel, attached to the service with its admins, or None if not configured."""
    config = app.config
    if config.slack_bot_token is None:
        return None
    if config.slack_signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN: "
            "find it under Basic Information in the Slack app's settings"
        )
    from bot.channels.slack.channel import SlackChannel

    app.admin.admin_ids["slack"] = config.slack_admin_ids
    channel = SlackChannel(
        config, app.service, app.admin, app.handle_action, api_url=config.slack_api_url
    )
    app.service.attach(channel)
    return channel
