"""Coarsening of quasi-identifiers, so every released anonymous response hides among k.

A batch of anonymous responses is released with the imported attributes of the people who
gave them (segment, region, ...). Anyone who knows those people's attributes could pick a
response out by a rare combination ("the only retail customer in the south"). `coarsen`
generalises values to `OTHER` until every combination of attribute values occurs at least
`k` times in the batch. Every group a report can form from attributes is then a union of
whole classes of at least k responses, and so is the difference of any two such groups.

Missing attributes count as a value of their own (None). Rare values are merged into
`OTHER` per attribute first (the smallest first, and more until `OTHER` holds k); then,
while a combination is rarer than k, the rarest combination's least common value is merged.
Each step removes one distinct value, so the loop ends; at worst every attribute is `OTHER`
and the batch is one class of all its responses.
"""

from collections import Counter
from collections.abc import Mapping, Sequence

OTHER = "(other)"
"""The value that stands for every value too rare to show."""

Record = Mapping[str, str]


def coarsen(records: Sequence[Record], k: int) -> list[dict[str, str]]:
    """The records generalised so each combination of values occurs at least k times.

    Raises ValueError when the batch itself is smaller than k: such a batch cannot be
    released at all (the caller withholds it).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if len(records) < k:
        raise ValueError(f"a batch of {len(records)} cannot hide each response among {k}")
    keys = sorted({key for record in records for key in record})
    rows: list[list[str | None]] = [[record.get(key) for key in keys] for record in records]
    for column in range(len(keys)):
        _merge_rare(rows, column, k)
    while True:
        combos = Counter(tuple(row) for row in rows)
        rarest = min(combos.items(), key=lambda item: (item[1], _order(item[0])))
        if rarest[1] >= k:
            break
        column, value = _least_common(rows, rarest[0], keys)
        _merge(rows, column, value)
        _merge_rare(rows, column, k)
    return [
        {key: value for key, value in zip(keys, row, strict=True) if value is not None}
        for row in rows
    ]


def _order(combo: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple("" if value is None else value for value in combo)


def _merge(rows: list[list[str | None]], column: int, value: str | None) -> None:
    for row in rows:
        if row[column] == value:
            row[column] = OTHER


def _merge_rare(rows: list[list[str | None]], column: int, k: int) -> None:
    """Merge values rarer than k into OTHER, then the next smallest until OTHER holds k."""
    counts = Counter(row[column] for row in rows)
    for value, n in counts.items():
        if value != OTHER and n < k:
            _merge(rows, column, value)
    while True:
        counts = Counter(row[column] for row in rows)
        if not 0 < counts.get(OTHER, 0) < k:
            return
        smallest = min(
            (v for v in counts if v != OTHER), key=lambda v: (counts[v], "" if v is None else v)
        )
        _merge(rows, column, smallest)


def _least_common(
    rows: list[list[str | None]], combo: tuple[str | None, ...], keys: Sequence[str]
) -> tuple[int, str | None]:
    """The column and value of `combo` to generalise: its least common specific value."""
    candidates = []
    for column, value in enumerate(combo):
        if value == OTHER:
            continue
        n = sum(1 for row in rows if row[column] == value)
        candidates.append((n, keys[column], column, value))
    if not candidates:  # every value of the rarest combination is OTHER already
        for column in range(len(keys)):
            values = Counter(row[column] for row in rows if row[column] != OTHER)
            if values:
                value, n = min(values.items(), key=lambda item: (item[1], item[0] or ""))
                candidates.append((n, keys[column], column, value))
    _, _, column, value = min(candidates, key=lambda c: (c[0], c[1]))
    return column, value
