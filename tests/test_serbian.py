"""Serbian's two scripts: Latin to Cyrillic with its exceptions and what it leaves as written,
Cyrillic to Latin, and the round trips between them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue_kg.serbian import (
    CYRILLIC_EXCEPTIONS,
    LATIN_DIGRAPHS,
    LATIN_LETTERS,
    to_cyrillic,
    to_latin,
)

LOWER_LATIN = [c for c in LATIN_LETTERS if c.islower()] + ["lj", "nj", "dž"]
LOWER_CYRILLIC = sorted({c for c in (*LATIN_LETTERS.values(), *LATIN_DIGRAPHS.values())
                         if c.islower()})  # fmt: skip


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Briselski sporazum", "Бриселски споразум"),
        ("Ljubljana, Njegoš, Džaja, Đurić", "Љубљана, Његош, Џаја, Ђурић"),
        ("injekcija, Konjunkcija", "инјекција, Конјункција"),
        ("nadživeti, odžaliti, podžanr", "надживети, оджалити, поджанр"),
        ("EU i UN", "ЕУ и УН"),
        ("SPARQL upit na https://example.org/a?b=c", "SPARQL упит на https://example.org/a?b=c"),
        (
            "svojstvo dkg:countsClass, oznake sr-Latn i sq",
            "својство dkg:countsClass, ознаке sr-Latn и sq",
        ),
        (
            "Hashim Thaçi i Miroslav Lajčák su se sreli",
            "Hashim Thaçi и Miroslav Lajčák су се срели",
        ),
        ("stranica na Wikidata", "страница на Wikidata"),
        ("kao application/sparql-query", "као application/sparql-query"),
        ("%(n)s čvorova, revizija N", "%(n)s чворова, ревизија N"),
    ],
)
def test_latin_to_cyrillic_with_its_exceptions(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_every_exception_keeps_its_two_letters_apart() -> None:
    """Each exception spells the two letters the digraph would have joined (н+ј, д+ж)."""
    for stem, cyrillic in CYRILLIC_EXCEPTIONS.items():
        assert "њ" not in cyrillic and "џ" not in cyrillic
        assert to_latin(cyrillic) == stem
        assert to_cyrillic(stem) == cyrillic


def test_cyrillic_to_latin_spells_capital_digraphs_as_a_word_begins() -> None:
    """The lossy case: a capital Љ, Њ, Џ is "Lj", "Nj", "Dž" even in an all-capitals word."""
    assert to_latin("Љубљана") == "Ljubljana"
    assert to_latin("ЉУБЉАНА") == "LjUBLjANA"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(LOWER_LATIN), min_size=2, max_size=8), min_size=1, max_size=6
    ),
    st.booleans(),
)
def test_latin_round_trips_through_cyrillic(words: list[list[str]], capital: bool) -> None:
    """Serbian written in Latin letters comes back unchanged from Cyrillic, and the Cyrillic
    holds no Latin letter."""
    text = " ".join("".join(w) for w in words)
    if capital:
        text = text[:1].upper() + text[1:]
    cyrillic = to_cyrillic(text)
    assert not any("a" <= c.lower() <= "z" for c in cyrillic)
    assert to_latin(cyrillic) == text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(LOWER_CYRILLIC), min_size=2, max_size=8), min_size=1, max_size=6
    )
)
def test_cyrillic_round_trips_through_latin(words: list[list[str]]) -> None:
    """Cyrillic comes back unchanged from Latin, except where н+ј, л+ј or д+ж meet (Latin
    would read them as one letter) — those are the exception words."""
    text = " ".join("".join(w).capitalize() for w in words)
    joined = any(pair in text.lower() for pair in ("нј", "лј", "дж"))
    if not joined:
        assert to_cyrillic(to_latin(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="QWXYqwxyçëáéüößÇË", min_size=1, max_size=6), st.sampled_from(["", "Ab"]))
def test_a_word_with_a_letter_serbian_lacks_is_kept(foreign: str, prefix: str) -> None:
    """A word holding a letter outside Serbian's Latin alphabet is a foreign name: kept whole."""
    word = prefix + foreign
    assert to_cyrillic(f"reč {word} reč") == f"реч {word} реч"
