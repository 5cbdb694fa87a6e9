"""A seed layout for the explorer: time runs left to right, each class keeps a band.

A dated node sits at its date; an undated one (most actors, some sources) at the mean date of its
dated neighbours, else spread over the whole span. Small graphs relax from here with a few physics
iterations; large ones are drawn as laid out, so a 5,000-node graph is placed at once.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import date

# Vertical order of the class bands, top to bottom.
BANDS = ("meeting", "agreement", "subagreement", "event", "outreach", "actor", "source")


def _unit(text: str) -> float:
    """A stable pseudo-random number in [0, 1) from ``text``."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest()) / 2**32


def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def seed_layout(
    classes: dict[str, str],
    starts: dict[str, str | None],
    links: Iterable[tuple[str, str, str]],
) -> dict[str, tuple[float, float]]:
    """Canvas positions ``(x, y)`` of the nodes ``classes`` names."""
    if not classes:
        return {}
    width = 180.0 * math.sqrt(len(classes)) + 600.0
    band = width / (1.6 * len(BANDS))
    days = {i: _day(d) for i, d in starts.items() if d and i in classes}
    first, last = (min(days.values()), max(days.values())) if days else (0, 1)
    span = max(last - first, 1)
    neighbours: dict[str, list[int]] = {}
    for s, _p, o in links:
        if o in days:
            neighbours.setdefault(s, []).append(days[o])
        if s in days:
            neighbours.setdefault(o, []).append(days[s])
    positions: dict[str, tuple[float, float]] = {}
    for iri, key in classes.items():
        if iri in days:
            t = (days[iri] - first) / span
        elif neighbours.get(iri):
            t = (sum(neighbours[iri]) / len(neighbours[iri]) - first) / span
        else:
            t = _unit(iri + "#t")
        row = BANDS.index(key) if key in BANDS else len(BANDS)
        jitter = _unit(iri + "#y") - 0.5
        x = (t - 0.5) * width + (_unit(iri + "#x") - 0.5) * band * 0.3
        y = (row - len(BANDS) / 2 + jitter * 0.9) * band
        positions[iri] = (round(x, 1), round(y, 1))
    return positions
