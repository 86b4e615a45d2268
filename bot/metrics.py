"""Process-wide counters for `/metrics`, in the Prometheus text format.

Any module increments a counter where the thing happens (`metrics.ANSWERS_STORED.inc()`);
the web server renders them. Counters live in this process and start at zero; gauges that
describe the database (open flags) are read from it when `/metrics` is asked for, so
several instances report the same gauge values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Counter:
    """A number that only goes up."""

    name: str
    help: str
    value: int = field(default=0)

    def inc(self, amount: int = 1) -> None:
        """Add `amount` (never negative)."""
        if amount < 0:
            raise ValueError("a counter only goes up")
        self.value += amount


class Registry:
    """The counters one process exposes."""

    def __init__(self) -> None:
        self._counters: dict[str, Counter] = {}

    def counter(self, name: str, help: str) -> Counter:
        """The counter `name` (ending in `_total`), created on first use."""
        if not name.endswith("_total"):
            raise ValueError(f"counter {name!r} must end in _total")
        found = self._counters.get(name)
        if found is None:
            found = self._counters[name] = Counter(name, help)
        return found

    def counters(self) -> list[Counter]:
        """Every counter, by name."""
        return sorted(self._counters.values(), key=lambda c: c.name)


REGISTRY = Registry()

UPDATES_HANDLED = REGISTRY.counter(
    "klantstem_updates_handled_total", "Platform updates (answers, button presses) handled."
)
ANSWERS_STORED = REGISTRY.counter(
    "klantstem_answers_stored_total", "Completed questionnaires stored."
)
INVITATIONS_SENT = REGISTRY.counter(
    "klantstem_invitations_sent_total", "Survey invitations delivered to a chat."
)
INVITATIONS_FAILED = REGISTRY.counter(
    "klantstem_invitations_failed_total",
    "Survey invitations that could not be delivered (unreachable or failed).",
)


@dataclass(frozen=True)
class Gauge:
    """A value read at scrape time."""

    name: str
    help: str
    value: float


def render(counters: Iterable[Counter], gauges: Iterable[Gauge] = ()) -> str:
    """The Prometheus text exposition of counters and gauges."""
    lines: list[str] = []
    for kind, items in (("counter", counters), ("gauge", gauges)):
        for item in items:
            lines += [
                f"# HELP {item.name} {_escape(item.help)}",
                f"# TYPE {item.name} {kind}",
                f"{item.name} {_number(item.value)}",
            ]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
