"""Serbian's two scripts: the letter tables between Gaj's Latin alphabet and Vuk's Cyrillic, one
letter for one letter (``lj``, ``nj`` and ``dž`` are one letter each), Latin to Cyrillic with its
exceptions, and Cyrillic to Latin.

The UI catalogues derive their Cyrillic from the Latin (webapp/translations/transliterate.py), the
label picker shows sr-Latn data in Cyrillic to a Cyrillic reader (dialogue_kg.labels), and
search folds Cyrillic to Latin so that ``Приштина`` finds ``Priština``.

What :func:`to_cyrillic` leaves as written: placeholders (``%(name)s``, ``{name}``), HTML tags and
entities, URLs and paths, prefixed names (``dkg:source``), names with an underscore
(``without_source``), language tags (``sr-Latn``), media types, names of
formats and standards, any word with two or more capitals (an acronym or code name) other than
Serbian abbreviations such as ``EU``, a lone capital that is not a Serbian word, and any word
holding a letter Serbian's Latin alphabet lacks (``q``, ``w``, ``x``, ``y``, ``ç``, ``ë``, ``á`` …)
together with a capitalised word either side of it: a foreign name such as ``Hashim Thaçi`` or
``Miroslav Lajčák`` keeps its own spelling. A foreign name written only with letters Serbian has
(``Radio Free Europe``) cannot be told from Serbian and is transliterated: write it in Serbian.
"""

from __future__ import annotations

import re

# Digraphs first, so that "lj", "nj" and "dž" become one letter each.
LATIN_DIGRAPHS: dict[str, str] = {
    "Lj": "Љ", "LJ": "Љ", "lj": "љ",
    "Nj": "Њ", "NJ": "Њ", "nj": "њ",
    "Dž": "Џ", "DŽ": "Џ", "dž": "џ",
}  # fmt: skip
LATIN_LETTERS: dict[str, str] = dict(
    zip(
        "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠabvgdđežzijklmnoprstćufhcčš",
        "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШабвгдђежзијклмнопрстћуфхцчш",
        strict=True,
    )
)
# Cyrillic to Latin: every letter has exactly one Latin spelling (capital digraphs as "Lj").
_TO_LATIN = str.maketrans(
    {
        **{cyr: lat for lat, cyr in LATIN_LETTERS.items()},
        **{cyr: lat for lat, cyr in LATIN_DIGRAPHS.items() if not lat.isupper()},
    }
)


def to_latin(text: str) -> str:
    """``text`` with every Serbian Cyrillic letter in Latin script (other characters kept)."""
    return text.translate(_TO_LATIN)


# Words in which "nj" or "dž" is two letters (a prefix meets a root): the stem and its Cyrillic.
CYRILLIC_EXCEPTIONS: dict[str, str] = {
    "injekc": "инјекц",
    "konjunkc": "конјункц",
    "nadživ": "наджив",
    "odžal": "оджал",
    "podžanr": "поджанр",
}
# Serbian abbreviations written in capitals that are transliterated all the same.
SERBIAN_CAPITALS = frozenset({"EU", "UN", "SAD", "NATO", "OEBS"})
# Names of formats, standards, tools and language tags kept in Latin script whatever their case.
_TERMS = (
    "dialogue-kg",
    "GraphML",
    "JavaScript",
    "JSON-LD",
    "N-Quads",
    "N-Triples",
    "RDF/XML",
    "TriG",
    "Turtle",
    "Accept",
    "YYYY-MM-DD",
    "YYYY-MM",
    "Page Down",
    "Page Up",
    "sr-Latn",
    "sr-Cyrl",
    "sq",
)
_FOREIGN_LETTER = r"[^\W\d_A-Za-zĐđŽžĆćČčŠš]|[QWXYqwxy]"
_KEEP = re.compile(
    "|".join(
        (
            r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]",  # %(name)s
            r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]",  # %s, %d, %%
            r"\{[^{}\s]*\}",  # {name}
            r"<[^<>]+>",  # HTML tags
            r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);",  # HTML entities
            r"[a-z][a-z0-9+.-]*://\S+",  # URLs
            r"(?<![\w/])/[\w./?=&%…-]+",  # paths such as /record/edit?iri=…
            r"\?\w+=\w*",  # query strings such as ?revision=N
            r"\b[a-z][a-z0-9]*:[A-Za-z_][\w.-]*\w",  # prefixed names such as dkg:countsClass
            r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b",  # names of variables such as without_source
            r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in _TERMS) + r")(?![\w])",
            # a foreign word, with a capitalised word either side: "Hashim Thaçi", "Wikidata"
            r"(?:\b[A-ZĐŽĆČŠ][^\W\d_]*\s)?(?!\b[A-Z0-9]+\b)\w*(?:"
            + _FOREIGN_LETTER
            + r")\w*(?:\s[A-ZĐŽĆČŠ][^\W\d_]*)?",
            r"\b(?:application|text|image)/[\w.+-]+",  # media types
            r"\b[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b",  # SPARQL, IRI, VoID …
            r"\b[BCDEFGHJLMNPQRTWXYZ]\b",  # a lone capital that is not a word: "revision N"
        )
    )
)
_LATIN_RUN = re.compile(r"[A-Za-zĐđŽžĆćČčŠš]+")


def _word(word: str) -> str:
    """One run of Serbian Latin letters in Cyrillic (an exception's stem first)."""
    lower = word.lower()
    for stem, cyrillic in CYRILLIC_EXCEPTIONS.items():
        if lower.startswith(stem):
            if word.isupper() and len(word) > 1:
                head = cyrillic.upper()
            elif word[:1].isupper():
                head = cyrillic[:1].upper() + cyrillic[1:]
            else:
                head = cyrillic
            return head + _word(word[len(stem) :])
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in LATIN_DIGRAPHS:
            out.append(LATIN_DIGRAPHS[pair])
            i += 2
        else:
            out.append(LATIN_LETTERS.get(word[i], word[i]))
            i += 1
    return "".join(out)


def _prose(text: str) -> str:
    return _LATIN_RUN.sub(lambda m: _word(m.group()), text)


def to_cyrillic(text: str) -> str:
    """Serbian Latin ``text`` in Cyrillic; the spans listed in the module's doc are left as
    written."""
    out: list[str] = []
    pos = 0
    for match in _KEEP.finditer(text):
        kept = match.group()
        if kept in SERBIAN_CAPITALS:
            continue
        out.append(_prose(text[pos : match.start()]))
        out.append(kept)
        pos = match.end()
    out.append(_prose(text[pos:]))
    return "".join(out)
