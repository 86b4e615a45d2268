"""What every subcommand shares: opening the database and surveys, exit codes, output helpers."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.config.settings import Config
from bot.conversations.surveys import load_surveys
from bot.imports.csvfile import CsvRejected
from bot.storage import Storage, Transaction, open_storage, sqlite_path
from flows import Survey, Translator

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


async def read_input(path: Path, tr: Translator) -> bytes | None:
    """The bytes of an input file; None (after saying why on stderr) when it cannot be read."""
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(
            tr.gettext("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror),
            file=sys.stderr,
        )
        return None


def print_rejected(path: Path, exc: CsvRejected, tr: Translator) -> None:
    """Say on stderr that a file was refused as a whole, with every bad line and why."""
    print(
        tr.gettext("{path} was not imported; nothing was changed. Fix these lines:").format(
            path=path
        ),
        file=sys.stderr,
    )
    for line, reason in exc.problems:
        print(
            "  " + tr.gettext("line {line}: {reason}").format(line=line, reason=reason),
            file=sys.stderr,
        )


T = TypeVar("T")


async def read(config: Config, query: Callable[[Transaction], Awaitable[T]]) -> T:
    """Open the database, run one read-only query, close it again (for the list commands)."""
    storage, _surveys = await open_all(config)
    try:
        async with storage.transaction(write=False) as tx:
            return await query(tx)
    finally:
        await storage.close()
