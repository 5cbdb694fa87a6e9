"""Labels in the visitor's language: the languages the archive speaks and the fallback rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Queryable(Protocol):
    """Anything that answers SPARQL on the union default graph: the archive, or a store."""

    def query(self, sparql: str, **kwargs: Any) -> Any: ...  # noqa: D102


# Language tags of the data, in the order the switcher offers them.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "sq": "Shqip",
    "sr-Latn": "Srpski",
    "sr-Cyrl": "Српски",
}
DEFAULT_LANGUAGE = "en"


def fallbacks(lang: str) -> list[str]:
    """Tags to try for ``lang``, best first: itself, its script sibling for Serbian, English."""
    lang = canonical(lang)
    order = [lang]
    if lang == "sr-Cyrl":
        order.append("sr-Latn")
    elif lang == "sr-Latn":
        order.append("sr-Cyrl")
    if lang.startswith("sr"):
        order.append("sr")
    order.append(DEFAULT_LANGUAGE)
    order.append("")
    return order


def local_name(iri: str) -> str:
    """The last segment of an IRI: a readable stand-in when there is no label."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def canonical(tag: str) -> str:
    """A BCP 47 tag in the archive's spelling (Oxigraph lower-cases tags: ``sr-latn``)."""
    lowered = tag.replace("_", "-").lower()
    for known in LANGUAGES:
        if known.lower() == lowered:
            return known
    if lowered == "sr":
        return "sr-Latn"
    return lowered


def best(values: Iterable[tuple[str, str]], lang: str) -> str | None:
    """The text among ``(text, language tag)`` pairs that best suits ``lang``; English fallback,
    then any label at all."""
    by_lang: dict[str, str] = {}
    for text, tag in values:
        by_lang.setdefault(canonical(tag) if tag else "", text)
    for candidate in fallbacks(lang):
        if candidate in by_lang:
            return by_lang[candidate]
    return next(iter(by_lang.values()), None)


_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label }
}
"""


def labels(source: Queryable, iris: Iterable[str], lang: str) -> dict[str, str]:
    """The best label of each IRI in ``lang`` (IRIs without any label are left out)."""
    iris = sorted(set(iris))
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(iris), 500):
        chunk = " ".join(f"<{iri}>" for iri in iris[start : start + 500])
        for row in source.query(_LABELS % chunk):
            found.setdefault(row["s"].value, []).append(
                (row["label"].value, row["label"].language or "")
            )
    return {iri: text for iri, values in found.items() if (text := best(values, lang))}
