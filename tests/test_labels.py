"""The label picker: the reader's language, the other Serbian script transliterated, English,
then any; only Serbian is ever transliterated."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue_kg.labels import best, in_script, pick
from dialogue_kg.serbian import LATIN_LETTERS, to_cyrillic

NAMES = [("First Agreement", "en"), ("Marrëveshja e parë", "sq"), ("Prvi sporazum", "sr-Latn")]


def test_the_language_asked_for_comes_first() -> None:
    assert pick(NAMES, "sq") == ("Marrëveshja e parë", "sq")
    assert pick([*NAMES, ("Први споразум", "sr-Cyrl")], "sr-Cyrl") == ("Први споразум", "sr-Cyrl")


def test_a_cyrillic_reader_gets_latin_serbian_in_cyrillic() -> None:
    assert pick(NAMES, "sr-Cyrl") == ("Први споразум", "sr-Cyrl")
    assert best(NAMES, "sr-cyrl") == "Први споразум"
    assert pick([("Prvi sporazum", "sr-latn")], "sr-Cyrl") == ("Први споразум", "sr-Cyrl")


def test_a_latin_reader_gets_cyrillic_serbian_in_latin() -> None:
    names = [("First Agreement", "en"), ("Први споразум", "sr-Cyrl")]
    assert pick(names, "sr-Latn") == ("Prvi sporazum", "sr-Latn")


def test_english_and_untagged_text_is_never_transliterated() -> None:
    """The rule for foreign names: only text tagged Serbian changes script."""
    assert pick([("Josep Borrell", "en")], "sr-Cyrl") == ("Josep Borrell", "en")
    assert pick([("Miroslav Lajčák", "")], "sr-Cyrl") == ("Miroslav Lajčák", "")
    assert pick([("Marrëveshja", "sq")], "sr-Cyrl") == ("Marrëveshja", "sq")
    assert in_script("Priština", "en", "sr-Cyrl") == ("Priština", "en")


def test_foreign_names_and_addresses_in_serbian_text_keep_their_spelling() -> None:
    text = "Sastanak Hashim Thaçi i EU, https://example.org/a"
    assert (
        best([(text, "sr-Latn")], "sr-Cyrl") == "Састанак Hashim Thaçi и ЕУ, https://example.org/a"
    )


def test_nothing_to_pick() -> None:
    assert pick([], "sr-Cyrl") is None
    assert best([], "en") is None


LATIN_WORDS = st.text(alphabet=[c for c in LATIN_LETTERS if c.islower()], min_size=2, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(LATIN_WORDS, min_size=1, max_size=5), st.sampled_from(["en", "sq", ""]))
def test_cyrillic_and_latin_readers_see_the_same_serbian(words: list[str], other: str) -> None:
    """With only sr-Latn Serbian, the Cyrillic reader sees its transliteration and the Latin
    reader the text itself; the other language is never chosen over Serbian."""
    text = " ".join(words)
    values = [("Other", other), (text, "sr-Latn")]
    assert pick(values, "sr-Cyrl") == (to_cyrillic(text), "sr-Cyrl")
    assert pick(values, "sr-Latn") == (text, "sr-Latn")
    assert pick([(to_cyrillic(text), "sr-Cyrl")], "sr-Latn") == (text, "sr-Latn")
