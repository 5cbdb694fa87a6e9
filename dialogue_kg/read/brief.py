"""A resource in brief, for the explorer's side panel: label, class, dates, summary (with the
language it is in), topics, sources and the path of its page, in one language."""

from __future__ import annotations

from dialogue_kg.core.archive import Archive
from dialogue_kg.labels import labels, pick
from dialogue_kg.namespaces import RDFS_IRI as RDFS
from dialogue_kg.read.explorer import DKG, is_iri, node_classes, page_path, valid_from

_SUMMARY = (DKG + "abstract", RDFS + "comment")
_DATES = {DKG + n: n for n in ("date", "yearMonth", "year", "endDate")}
_LINKED = {DKG + "source": "sources", DKG + "topic": "topics", DKG + "nature": "nature"}

_ABOUT = "SELECT ?p ?o WHERE { <%s> ?p ?o }"


def brief(archive: Archive, iri: str, lang: str) -> dict | None:
    """What the panel shows about ``iri``, or None when the archive says nothing of it."""
    if not is_iri(iri):
        return None
    dates: dict[str, list[str]] = {}
    summaries: dict[str, list[tuple[str, str]]] = {p: [] for p in _SUMMARY}
    linked: dict[str, list[str]] = {k: [] for k in _LINKED.values()}
    found = False
    for row in archive.query(_ABOUT % iri):
        found = True
        p, o = row["p"].value, row["o"]
        if p in _DATES:
            dates.setdefault(_DATES[p], []).append(o.value)
        elif p in summaries:
            summaries[p].append((o.value, getattr(o, "language", None) or ""))
        elif p in _LINKED:
            linked[_LINKED[p]].append(o.value)
    if not found:
        return None
    names = labels(archive, [iri, *(i for v in linked.values() for i in v)], lang)
    summary, summary_language = next(
        (s for p in _SUMMARY if (s := pick(summaries[p], lang))), (None, "")
    )

    def items(key: str) -> list[dict]:
        return [
            {"iri": i, "label": names.get(i, i), "page": page_path(i)} for i in sorted(linked[key])
        ]

    return {
        "iri": iri,
        "label": names.get(iri, iri),
        "class": node_classes(archive, [iri]).get(iri),
        "date": valid_from(dates),
        "dates": {k: sorted(v) for k, v in dates.items()},
        "summary": summary,
        "summaryLanguage": summary_language,
        "topics": items("topics"),
        "nature": next((x["label"] for x in items("nature")), None),
        "sources": items("sources"),
        "page": page_path(iri),
    }
