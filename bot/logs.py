"""Logging: Klantstem's own loggers follow KLANTSTEM_LOG_LEVEL; the libraries stay at WARNING.

At DEBUG the libraries log what would tie people to their answers: aiosqlite every statement
with its values (identities, session JSON, answers), python-telegram-bot every Bot API call
with its parameters and result (chat ids, question texts, "Your answer: 8"), slack_sdk every
Web API request and response body and every Socket Mode payload (user ids, typed answers),
httpx/httpcore every request, apscheduler the moment of each sweep (kicked right after a
press). So whatever the setting, they log only warnings and errors; the `bot` and
`klantstem` loggers (this code) follow the setting, and name no respondent during a
conversation and nothing of an anonymous answer, at any level.
"""

from __future__ import annotations

import logging

OWN = ("bot", "klantstem")
"""The loggers that follow KLANTSTEM_LOG_LEVEL."""

LIBRARIES = (
    "aiosqlite",
    "asyncpg",
    "telegram",
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "apscheduler",
    "aiohttp",
    "uvicorn",
)
"""Loggers that never go below WARNING (their children, e.g. `telegram.ext`, follow them)."""

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Keep the libraries' loggers at `level`, and never below WARNING."""
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def configure(level_name: str) -> None:
    """Set up logging for the `klantstem` command: a handler on stderr, the own loggers at
    `level_name` (DEBUG, INFO, WARNING, ...), everything else at WARNING or above."""
    level = logging.getLevelName(level_name.upper())
    if not isinstance(level, int):
        raise ValueError(f"Unknown level: {level_name!r}")
    logging.basicConfig(format=FORMAT)
    floor = max(level, logging.WARNING)
    logging.getLogger().setLevel(floor)  # libraries not listed above, too
    for name in OWN:  # below WARNING only these; otherwise they follow the root
        logging.getLogger(name).setLevel(level if level < floor else logging.NOTSET)
    quiet_libraries(floor)
