"""What the seeded fault-injection tests share: the seed and who answers anonymously."""

from __future__ import annotations

import csv
import io
import json
import os
import random
from collections.abc import Sequence

SEED = int(os.environ.get("KLANTSTEM_FAULT_SEED", "20261204"))
"""`KLANTSTEM_FAULT_SEED` replays another sequence; the default keeps CI repeatable."""
BATCH = 3
"""The minimum group size the tests run with: anonymous answers are released in batches
of at least this many, so this many people answer anonymously."""


def consents(rng: random.Random, people: int) -> list[str]:
    """Each person's consent: `BATCH` anonymous, the rest named, in a seeded order."""
    chosen = ["Anonymous"] * BATCH + ["Named"] * (people - BATCH)
    rng.shuffle(chosen)
    return chosen


CVS = ("satisfaction", "loyalty", "recommendation")


def assert_stored_as_given(
    given: Sequence[dict[str, str]], refs: Sequence[str], exported: str, named: dict[str, str]
) -> None:
    """The answers stored are exactly the last ones each person gave: the anonymous ones
    in `responses export` (CSV), each named one once in `klantstem export REF` (JSON)."""
    anonymous = sorted(tuple(r[q] for q in CVS) for r in csv.DictReader(io.StringIO(exported)))
    assert anonymous == sorted(
        tuple(g[q] for q in CVS) for g in given if g["consent"] == "Anonymous"
    )
    for ref, g in zip(refs, given, strict=True):
        if g["consent"] == "Named":
            (response,) = json.loads(named[ref])["responses"]  # stored once
            stored = {a["question_id"]: str(a["score"]) for a in response["answers"]}
            assert stored == {q: g[q] for q in CVS}
