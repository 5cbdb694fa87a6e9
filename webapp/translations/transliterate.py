"""Regenerate the Serbian Cyrillic catalogue from the Serbian Latin one.

The ``sr_Latn`` catalogue is the one translators edit; ``sr_Cyrl`` is derived from it
by transliteration, so the two scripts never drift apart.  Run it after
``pybabel update`` (the Makefile's ``translations`` target does)::

    python webapp/translations/transliterate.py

Only Serbian prose is transliterated.  Left as they are: placeholders (``%(name)s``,
``%s``, ``{name}``), HTML tags and entities, URLs, paths and query strings
(``/sparql``, ``?revision=N``), date formats (``YYYY-MM-DD``), names of formats and
standards (``SPARQL``, ``JSON-LD``, ``TriG``, ``Turtle`` …), and any Latin word with
two or more capitals (an acronym or a code name) other than Serbian abbreviations such
as ``EU``, and a lone capital that is not a Serbian word (``revision N``).  Serbian prose
is therefore never to be written in capitals in ``sr_Latn``.  A Latin suffix after such
a term is transliterated: ``IRI-ju`` → ``IRI-ју``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dialogue_kg.serbian import LATIN_DIGRAPHS, LATIN_LETTERS

HERE = Path(__file__).resolve().parent
LATIN = HERE / "sr_Latn" / "LC_MESSAGES" / "messages.po"
CYRILLIC = HERE / "sr_Cyrl" / "LC_MESSAGES" / "messages.po"

# The letter tables are the archive's own (dialogue_kg.serbian), shared with search.
_DIGRAPHS = LATIN_DIGRAPHS
_LETTERS = LATIN_LETTERS
# Words in which "nj" or "dž" is two letters (a prefix meets a root): the stem and
# its Cyrillic spelling.
_EXCEPTIONS = {
    "injekc": "ињекц",
    "konjunkc": "коњункц",
    "nadživ": "наджив",
    "odžal": "оджал",
    "podžanr": "поджанр",
}
# Serbian abbreviations written in capitals that are transliterated all the same.
_SERBIAN_CAPITALS = frozenset({"EU", "UN", "SAD", "NATO", "OEBS"})
# Names of formats, standards and tools kept in Latin script whatever their case.
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
)
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
            r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in _TERMS) + r")(?![\w])",
            r"\b[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b",  # SPARQL, IRI, VoID …
            r"\b[BCDEFGHJLMNPQRTWXYZ]\b",  # a lone capital that is not a word: "revision N"
        )
    )
)
_LATIN_RUN = re.compile(r"[A-Za-zĐđŽžĆćČčŠš]+")


def _word(word: str) -> str:
    """Transliterate one run of Latin letters."""
    lower = word.lower()
    for stem, cyrillic in _EXCEPTIONS.items():
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
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
        else:
            out.append(_LETTERS.get(word[i], word[i]))
            i += 1
    return "".join(out)


def _prose(text: str) -> str:
    """Transliterate text that holds no protected span."""
    return _LATIN_RUN.sub(lambda m: _word(m.group()), text)


def to_cyrillic(text: str) -> str:
    """Serbian Latin ``text`` in Cyrillic, protected spans left as they are."""
    out: list[str] = []
    pos = 0
    for match in _KEEP.finditer(text):
        kept = match.group()
        if kept in _SERBIAN_CAPITALS:
            continue
        out.append(_prose(text[pos : match.start()]))
        out.append(kept)
        pos = match.end()
    out.append(_prose(text[pos:]))
    return "".join(out)


def regenerate(latin: Path = LATIN, cyrillic: Path = CYRILLIC) -> int:
    """Rewrite ``cyrillic`` from ``latin``; return how many messages were translated."""
    with latin.open("rb") as f:
        source: Catalog = read_po(f)
    with cyrillic.open("rb") as f:
        target: Catalog = read_po(f)
    translated = 0
    for message in target:
        if not message.id:
            continue
        original = source.get(message.id, message.context)
        if original is None:
            continue
        if isinstance(original.string, tuple | list):
            message.string = tuple(to_cyrillic(s) for s in original.string)
        else:
            message.string = to_cyrillic(original.string or "")
        if original.fuzzy:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
        if message.string and all(message.string if message.pluralizable else [message.string]):
            translated += 1
    with cyrillic.open("wb") as f:
        write_po(f, target, width=100, omit_header=False, no_location=True)
    return translated


def main() -> None:
    """Command line: regenerate the Cyrillic catalogue from the Latin one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latin", type=Path, default=LATIN, help="the sr_Latn messages.po")
    parser.add_argument("--cyrillic", type=Path, default=CYRILLIC, help="the sr_Cyrl messages.po")
    args = parser.parse_args()
    count = regenerate(args.latin, args.cyrillic)
    print(f"{args.cyrillic}: {count} messages transliterated")


if __name__ == "__main__":
    main()
