"""What every subcommand shares: opening the database and surveys, exit codes, output helpers."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any

from bot.config import Config
from bot.storage import Storage, open_storage, sqlite_path
from bot.surveys import load_surveys
from flows import Survey

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3

Command = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]
Registrar = Callable[
    ["argparse._SubParsersAction[argparse.ArgumentParser]", argparse.ArgumentParser], None
]


async def open_all(config: Config) -> tuple[Storage, dict[str, Survey]]:
    """The surveys (validated first, so a bad file stops before the database opens) and storage."""
    surveys = load_surveys(config.survey_files, config.default_language)
    return await open_storage(config.database_url), surveys


def where(storage: Storage) -> str:
    """Where the data went, as a person would look for it: the absolute file path for SQLite."""
    path = sqlite_path(storage.url)
    return str(path.resolve()) if path else storage.url
