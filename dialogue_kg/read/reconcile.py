"""Claims versus records: each count a source claims, beside what the archive itemises for it.

The counting is done by the saved query ``queries/claims-versus-records.rq`` (whose header states
the inclusion criteria), so the CLI report and a scholar running the query get the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows

QUERY = "claims-versus-records"


@dataclass(frozen=True)
class Reconciliation:
    """One claim and the archive's itemised records for it."""

    claim: str
    source: str
    source_title: str
    category: str
    claimed: int
    counted_class: str | None
    in_archive: int
    citing: int

    @property
    def gap(self) -> int | None:
        """Claimed minus itemised (records citing the source); None if nothing is itemisable."""
        return None if self.counted_class is None else self.claimed - self.citing


def claims_versus_records(archive: Archive) -> list[Reconciliation]:
    """Every claim with a count, beside the itemised counts."""
    out = []
    for row in rows(archive.query(queries.load(QUERY).text)):
        out.append(
            Reconciliation(
                claim=row["claim"] or "",
                source=row["source"] or "",
                source_title=row["source_title"] or row["source"] or "",
                category=row["category"] or "",
                claimed=int(row["claimed"] or 0),
                counted_class=row["class"],
                in_archive=int(row["in_archive"] or 0),
                citing=int(row["citing"] or 0),
            )
        )
    return out


def criteria() -> str:
    """The inclusion criteria, as the saved query's header states them."""
    return queries.load(QUERY).description
