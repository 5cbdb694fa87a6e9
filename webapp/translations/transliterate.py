"""Regenerate the Serbian Cyrillic catalogue from the Serbian Latin one.

The ``sr_Latn`` catalogue is the one translators edit; ``sr_Cyrl`` is derived from it
by transliteration, so the two scripts never drift apart.  Run it after
``pybabel update`` (the Makefile's ``translations`` target does)::

    python webapp/translations/transliterate.py

Only Serbian prose is transliterated, by the archive's one transliteration
(:func:`dialogue_kg.serbian.to_cyrillic`, which lists what it leaves as written: placeholders,
HTML, URLs and paths, formats, acronyms other than Serbian abbreviations such as ``EU``, and
foreign names).  Serbian prose is therefore never to be written in capitals in ``sr_Latn``.  A
Latin suffix after such a term is transliterated: ``IRI-ju`` → ``IRI-ју``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dialogue_kg.serbian import to_cyrillic

HERE = Path(__file__).resolve().parent
LATIN = HERE / "sr_Latn" / "LC_MESSAGES" / "messages.po"
CYRILLIC = HERE / "sr_Cyrl" / "LC_MESSAGES" / "messages.po"

__all__ = ["main", "regenerate", "to_cyrillic"]


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
