"""Serbian's two scripts: the letter tables between Gaj's Latin alphabet and Vuk's Cyrillic, one
letter for one letter (``lj``, ``nj`` and ``dž`` are one letter each), and Cyrillic to Latin.

The UI catalogues derive their Cyrillic from the Latin (webapp/translations/transliterate.py);
search folds Cyrillic to Latin so that ``Приштина`` finds ``Priština``.
"""

from __future__ import annotations

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
