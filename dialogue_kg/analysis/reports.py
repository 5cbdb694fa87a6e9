"""The figures of the report pages: each is rows computed from the graph, plus the SPARQL query or
analysis call that produced them, so that a scholar can reproduce it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogue_kg.analysis import measures
from dialogue_kg.analysis.projections import co_participation
from dialogue_kg.analysis.view import PREFIXES, open_view
from dialogue_kg.core.archive import Archive
from dialogue_kg.errors import UsageError
from dialogue_kg.labels import labels, local_name
from dialogue_kg.namespaces import DKG_IRI as DKG
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows as plain_rows
from dialogue_kg.read.reconcile import QUERY as CLAIMS_QUERY
from dialogue_kg.read.reconcile import claims_versus_records

KSPAG_REPORT = "id/source/kspag-report"
# The name of the category of resources that record none (no nature, no level): a name, never
# a dash, so that every bar and row says what it counts (the web app translates it).
UNSPECIFIED = "Not classified"
STATUS_ORDER = (
    "Implemented",
    "PartiallyImplemented",
    "InProgress",
    "Stalled",
    "NotImplemented",
    "Disputed",
)


@dataclass
class Report:
    """One report: its rows, and how to reproduce them (SPARQL texts, CLI command lines)."""

    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    queries: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _select(archive: Archive, sparql: str) -> list[dict[str, str | None]]:
    return plain_rows(archive.query(sparql))


def _names(archive: Archive, iris: list[str | None], lang: str) -> dict[str, str]:
    wanted = [i for i in iris if i]
    found = labels(archive, wanted, lang)
    return {i: found.get(i, local_name(i)) for i in wanted}


AGREEMENTS_PER_YEAR = (
    PREFIXES
    + """SELECT ?year ?nature (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?agreement a dkg:Agreement ; dkg:year ?y .
  OPTIONAL { ?agreement dkg:nature ?n }
  BIND(STR(?y) AS ?year)
  BIND(COALESCE(?n, dkg:unspecified) AS ?nature)
} GROUP BY ?year ?nature ORDER BY ?year ?nature"""
)


def agreements_per_year(archive: Archive, lang: str = "en") -> Report:
    """Agreements and sub-agreements reached each year, by nature (political or technical)."""
    return _per_year(
        archive, "agreements-per-year", AGREEMENTS_PER_YEAR, ("nature", "type"), "agreements", lang
    )


MEETINGS_PER_YEAR = (
    PREFIXES
    + """SELECT ?year ?level (COUNT(DISTINCT ?meeting) AS ?meetings) WHERE {
  ?meeting a dkg:Meeting ; dkg:year ?y .
  OPTIONAL { ?meeting dkg:meetingLevel ?l }
  BIND(STR(?y) AS ?year)
  BIND(COALESCE(?l, dkg:unspecified) AS ?level)
} GROUP BY ?year ?level ORDER BY ?year ?level"""
)


def meetings_per_year(archive: Archive, lang: str = "en") -> Report:
    """Meetings each year, by level (technical round, high level, working group)."""
    return _per_year(
        archive, "meetings-per-year", MEETINGS_PER_YEAR, ("level", "level"), "meetings", lang
    )


def _per_year(
    archive: Archive, name: str, query: str, category: tuple[str, str], count: str, lang: str
) -> Report:
    """A count per year and category: ``category`` is (query variable, report column); the
    category IRIs are shown by label, a missing one as :data:`UNSPECIFIED`."""
    variable, column = category
    found = _select(archive, query)
    names = _names(archive, [r[variable] for r in found], lang)
    names[DKG + "unspecified"] = UNSPECIFIED
    rows = [
        {
            "year": r["year"],
            column: names.get(r[variable] or "", ""),
            count: int(r[count] or 0),
        }
        for r in found
    ]
    return Report(name, TITLES[name], ["year", column, count], rows, queries=[query])


IMPLEMENTATION = (
    PREFIXES
    + """SELECT ?agreement ?event ?when ?status ?asserted_by ?asserted_by_party WHERE {
  ?event a dkg:ImplementationEvent ; dkg:agreement ?agreement ;
         dkg:reportedStatus ?status ; dkg:assertedBy ?asserted_by .
  OPTIONAL { ?event dkg:date ?d } OPTIONAL { ?event dkg:yearMonth ?ym }
  OPTIONAL { ?event dkg:year ?y }
  BIND(COALESCE(STR(?d), STR(?ym), STR(?y)) AS ?when)
  BIND(EXISTS { ?agreement dkg:party ?asserted_by } AS ?asserted_by_party)
} ORDER BY ?agreement ?when ?event"""
)


def implementation_status(archive: Archive, lang: str = "en") -> Report:
    """Each agreement's implementation events over time, with who asserts each status; a party's
    own assessments get a column of their own, beside everyone else's."""
    found = _select(archive, IMPLEMENTATION)
    names = _names(
        archive,
        [r[k] for r in found for k in ("agreement", "event", "status", "asserted_by")],
        lang,
    )
    rows = []
    parties: dict[str, str] = {}
    for r in found:
        party = r["asserted_by_party"] == "true"
        if party:
            parties[r["asserted_by"] or ""] = names[r["asserted_by"] or ""]
        rows.append(
            {
                "agreement": names[r["agreement"] or ""],
                "agreement_iri": r["agreement"],
                "date": r["when"],
                "status": names[r["status"] or ""],
                "status_key": local_name(r["status"] or ""),
                "asserted_by": names[r["asserted_by"] or ""],
                "asserted_by_iri": r["asserted_by"],
                "party": party,
                "event": r["event"],
            }
        )
    rows.sort(key=lambda r: (r["agreement"], r["date"] or "", r["asserted_by"]))
    return Report(
        "implementation",
        TITLES["implementation"],
        ["agreement", "date", "asserted_by", "status"],
        rows,
        queries=[IMPLEMENTATION],
        notes=[
            "A party's own assessments (an asserter that is a dkg:party of the agreement) are "
            "shown in a column of their own; nothing here decides between competing assessments."
        ],
        extra={"parties": [parties[k] for k in sorted(parties, key=parties.get)]},  # type: ignore[arg-type]
    )


OUTREACH_PER_TYPE = (
    PREFIXES
    + """SELECT ?type (COUNT(DISTINCT ?activity) AS ?activities) WHERE {
  ?activity a ?type . ?type rdfs:subClassOf+ dkg:OutreachActivity .
} GROUP BY ?type ORDER BY DESC(?activities) ?type"""
)


CLAIM_LOCATORS = (
    PREFIXES + "SELECT ?claim ?locator WHERE { ?claim a dkg:Claim ; dkg:sourceLocator ?locator }"
)


def outreach(archive: Archive, lang: str = "en", source: str | None = None) -> Report:
    """Outreach activities per type in the archive, and a source's overview (the KSPAG report by
    default) reproduced: each count it claims beside the activities itemised for it."""
    source = source or archive.minter.base + KSPAG_REPORT
    per_type = _select(archive, OUTREACH_PER_TYPE)
    names = _names(archive, [r["type"] for r in per_type], lang)
    claims = [c for c in claims_versus_records(archive) if c.source == source]
    places = {r["claim"]: r["locator"] for r in _select(archive, CLAIM_LOCATORS)}
    # A source may state one count in several places (its overview table and a section): one
    # row per category and count, with every place the source states it.
    rows: list[dict[str, Any]] = []
    for c in claims:
        row = next(
            (r for r in rows if r["category"] == c.category and r["claimed"] == c.claimed), None
        )
        where = places.get(c.claim)
        if row is None:
            rows.append(
                {
                    "category": c.category,
                    "claimed": c.claimed,
                    "itemised": c.citing if c.counted_class else None,
                    "gap": c.gap,
                    "where": [where] if where else [],
                }
            )
        elif where and where not in row["where"]:
            row["where"].append(where)
    return Report(
        "outreach",
        TITLES["outreach"],
        ["category", "claimed", "itemised", "gap", "where"],
        rows,
        queries=[queries.load(CLAIMS_QUERY).text, OUTREACH_PER_TYPE],
        commands=["dialogue-kg report claims"],
        notes=[queries.load(CLAIMS_QUERY).description],
        extra={
            "source": source,
            "source_title": claims[0].source_title if claims else source,
            "per_type": [
                {"type": names[r["type"] or ""], "activities": int(r["activities"] or 0)}
                for r in per_type
            ],
        },
    )


def periods(first: int, last: int, years: int) -> list[tuple[int, int]]:
    """Consecutive periods of ``years`` years covering ``first``..``last``."""
    years = max(1, years)
    return [(y, min(y + years - 1, last)) for y in range(first, last + 1, years)]


MEETING_YEARS = PREFIXES + (
    "SELECT (MIN(STR(?y)) AS ?first) (MAX(STR(?y)) AS ?last) WHERE { ?m a dkg:Meeting ; "
    "dkg:year ?y }"
)


def central_actors(archive: Archive, lang: str = "en", years: int = 4, top: int = 5) -> Report:
    """The most central actors of the co-participation graph in each period of ``years``
    years: by strength (shared meetings) and by betweenness."""
    span = _select(archive, MEETING_YEARS)
    rows: list[dict[str, Any]] = []
    commands = []
    if span and span[0]["first"]:
        first, last = int(span[0]["first"][:4]), int(span[0]["last"][:4])  # type: ignore[index]
        view = open_view(archive)
        for lo, hi in periods(first, last, years):
            graph = co_participation(view, start=date(lo, 1, 1), end=date(hi, 12, 31), lang=lang)
            between = {s.node: s.score for s in measures.centrality(graph, "betweenness")}
            strength = measures.centrality(graph, "degree", weighted=True, top=top)
            for rank, s in enumerate(strength, start=1):
                rows.append(
                    {
                        "period": f"{lo}–{hi}" if hi != lo else str(lo),
                        "rank": rank,
                        "actor": s.label,
                        "actor_iri": s.node,
                        "meetings": graph.nodes[s.node].get("meetings", 0),
                        "strength": int(s.score),
                        "betweenness": round(between.get(s.node, 0.0), 4),
                    }
                )
            window = f"--from {lo}-01-01 --to {hi}-12-31"
            commands.append(
                f"dialogue-kg analyse centrality --projection co-participation {window} "
                f"--measure degree --weighted --top {top}"
            )
    return Report(
        "central-actors",
        TITLES["central-actors"],
        ["period", "rank", "actor", "meetings", "strength", "betweenness"],
        rows,
        commands=commands,
        notes=[
            "Co-participation graph: actors linked by the meetings they attended together "
            "(dkg:participant). Strength: shared meetings summed over an actor's links; "
            "betweenness: unweighted, normalised."
        ],
        extra={"years": years, "top": top},
    )


REPORTS: dict[str, Callable[..., Report]] = {
    "agreements-per-year": agreements_per_year,
    "implementation": implementation_status,
    "meetings-per-year": meetings_per_year,
    "outreach": outreach,
    "central-actors": central_actors,
}


TITLES: dict[str, str] = {
    "agreements-per-year": "Agreements per year by type",
    "implementation": "Implementation status over time, per agreement",
    "meetings-per-year": "Meetings per year by level",
    "outreach": "Outreach activities per type: claimed versus itemised",
    "central-actors": "Most central actors by period",
}


def build_report(archive: Archive, name: str, lang: str = "en", **options: Any) -> Report:
    """The report called ``name`` (one of :data:`REPORTS`)."""
    if name not in REPORTS:
        raise UsageError(f"no report {name!r}: choose one of {', '.join(REPORTS)}")
    return REPORTS[name](archive, lang, **options)
