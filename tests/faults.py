"""What the seeded fault-injection tests share: the seed and who answers anonymously."""

from __future__ import annotations

import os
import random

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
