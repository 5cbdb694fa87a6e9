"""Labels in the visitor's language: the languages the archive speaks and the fallback rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import pyoxigraph as ox

from dialogue_kg.serbian import to_cyrillic, to_latin


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


def pick(values: Iterable[tuple[str, str]], lang: str) -> tuple[str, str] | None:
    """The ``(text, language tag)`` among ``values`` that best suits ``lang``, by
    :func:`fallbacks`, then any at all. Serbian in the other script is transliterated, so a
    Cyrillic reader never sees Latin-script Serbian (nor the reverse): only text tagged
    ``sr-Latn`` (or ``sr``) is made Cyrillic, and within it foreign names, acronyms and URLs
    keep their spelling (:func:`dialogue_kg.serbian.to_cyrillic`); English and untagged text is
    never transliterated. The tag returned is the script of the text returned."""
    by_lang: dict[str, str] = {}
    for text, tag in values:
        by_lang.setdefault(canonical(tag) if tag else "", text)
    for candidate in fallbacks(lang):
        if candidate in by_lang:
            return in_script(by_lang[candidate], candidate, lang)
    return next(((text, tag) for tag, text in by_lang.items()), None)


def in_script(text: str, tag: str, lang: str) -> tuple[str, str]:
    """``(text, tag)`` in the reader's Serbian script when ``text`` is Serbian in the other one
    (transliterated, with the reader's tag); any other text as it is."""
    tag, lang = canonical(tag), canonical(lang)
    if tag == "sr-Latn" and lang == "sr-Cyrl":
        return to_cyrillic(text), lang
    if tag == "sr-Cyrl" and lang == "sr-Latn":
        return to_latin(text), lang
    return text, tag


def best(values: Iterable[tuple[str, str]], lang: str) -> str | None:
    """The text among ``(text, language tag)`` pairs that best suits ``lang`` (:func:`pick`):
    the other Serbian script transliterated, then English, then any label at all."""
    found = pick(values, lang)
    return found[0] if found else None


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


def names_like(source: Queryable, iri: str, lang: str, limit: int = 500) -> list[str]:
    """The names (in ``lang``) of the resources of the same class as ``iri``, sorted: the
    choices offered where a resource of that kind is asked for."""
    query = (
        f"SELECT DISTINCT ?s WHERE {{ {ox.NamedNode(iri)} a ?c . ?s a ?c . FILTER(isIRI(?s)) }} "
        f"LIMIT {int(limit)}"
    )
    iris = [r["s"].value for r in source.query(query)]
    return sorted(set(labels(source, iris, lang).values()), key=str.casefold)
