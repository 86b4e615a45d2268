"""The one parser of numeric settings: finite decimals, whole numbers and durations.

`nan`, `inf`, `-inf`, values that overflow (`1e400`, a whole number of thousands of
digits) and durations too long for a `timedelta` are refused with a `ValueError` whose
reason `Config.from_env` prints next to the variable's name.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

LARGEST = 10**15
"""No setting means anything this large; above it a number is refused as an overflow."""

_TOO_LARGE = f"must be a finite number no larger than {LARGEST:.0e}"

Unit = Literal["days", "hours", "minutes", "seconds"]


def number(raw: str) -> float:
    """A finite decimal number such as `30`, `1.5` or `1e3`."""
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("is not a valid number") from None
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise ValueError(_TOO_LARGE)
    return value


def whole(raw: str) -> int:
    """A whole number such as `8`."""
    text = raw.strip()
    digits = text.lstrip("+-").replace("_", "")
    if digits.isdigit() and len(digits) > len(str(LARGEST)):
        raise ValueError(_TOO_LARGE)
    try:
        value = int(text)
    except ValueError:
        raise ValueError("is not a valid number") from None
    if abs(value) > LARGEST:
        raise ValueError(_TOO_LARGE)
    return value


def duration(value: float, unit: Unit) -> timedelta:
    """`value` of `unit` as a `timedelta`, refused when it is longer than one can hold."""
    try:
        return timedelta(**{unit: value})
    except OverflowError:
        raise ValueError(f"is more {unit} than a duration can hold") from None
