"""Figures for `/metrics`, in the Prometheus text format.

Two sources. Counters of this process, incremented where the thing happens
(`metrics.ANSWERS_STORED.inc()`), start at zero with the process. Figures that describe
the database (invitations sent and failed, open and overdue flags) are read from it when
`/metrics` is asked for, so every instance reports the same values and a restart loses
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Kind = Literal["counter", "gauge"]


@dataclass(frozen=True)
class Sample:
    """One figure as scraped: name, meaning, type and value."""

    name: str
    help: str
    kind: Kind
    value: float


class Counter:
    """A number of this process that only goes up; made once, at import, by the module
    that counts it, and listed on `/metrics` from then on."""

    def __init__(self, name: str, help: str) -> None:
        if not name.endswith("_total"):
            raise ValueError(f"counter {name!r} must end in _total")
        if any(c.name == name for c in _COUNTERS):
            raise ValueError(f"counter {name!r} exists already")
        self.name: str = name
        self.help: str = help
        self.value = 0
        _COUNTERS.append(self)

    def inc(self, amount: int = 1) -> None:
        """Add `amount` (never negative)."""
        if amount < 0:
            raise ValueError("a counter only goes up")
        self.value += amount

    def sample(self) -> Sample:
        """The counter as scraped now."""
        return Sample(self.name, self.help, "counter", self.value)


_COUNTERS: list[Counter] = []

UPDATES_HANDLED = Counter(
    "klantstem_updates_handled_total",
    "Respondents' updates (answers, button presses) handled by this process.",
)
ANSWERS_STORED = Counter(
    "klantstem_answers_stored_total",
    "Completed questionnaires stored by this process: named ones as they come in,"
    " anonymous ones when their batch is released.",
)


def counters() -> list[Counter]:
    """Every counter of this process, by name."""
    return sorted(_COUNTERS, key=lambda c: c.name)


def render(samples: Iterable[Sample]) -> str:
    """The Prometheus text exposition of the samples."""
    lines: list[str] = []
    for s in samples:
        lines += [
            f"# HELP {s.name} {s.help.replace(chr(92), chr(92) * 2).replace(chr(10), ' ')}",
            f"# TYPE {s.name} {s.kind}",
            f"{s.name} {_number(s.value)}",
        ]
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
