"""Saved queries' headers in the archive's four languages: every saved query has a title and a
description in English, Albanian, Serbian Latin and Serbian Cyrillic."""

from __future__ import annotations

import re

import pytest

from dialogue_kg.labels import LANGUAGES
from dialogue_kg.protocol import queries
from dialogue_kg.serbian import to_cyrillic

SAVED = queries.catalogue()
# What may stay in Latin letters in Cyrillic text: prefixed names, names with an underscore,
# language tags and acronyms.
_CODE = re.compile(r"\b[a-z]+:[\w/:.-]+|\b\w+_\w+\b|\bsr-(?:Latn|Cyrl)\b|\bsq\b|\b[A-Z][A-Z-]+\b")


@pytest.mark.parametrize("saved", SAVED, ids=[q.name for q in SAVED])
def test_every_saved_query_speaks_the_four_languages(saved: queries.SavedQuery) -> None:
    for lang in LANGUAGES:
        for text, tag in (saved.title_in(lang), saved.description_in(lang)):
            assert tag == lang and text.strip(), (saved.name, lang)
    for field in ("title_in", "description_in"):
        english = getattr(saved, field)("en")[0]
        albanian, latin = getattr(saved, field)("sq")[0], getattr(saved, field)("sr-Latn")[0]
        assert len({english, albanian, latin}) == 3, (saved.name, field)
        cyrillic = getattr(saved, field)("sr-Cyrl")[0]
        assert cyrillic == to_cyrillic(latin)
        assert not re.search(r"[A-Za-z]", _CODE.sub("", cyrillic)), (saved.name, cyrillic)


def test_the_languages_cover_every_saved_query() -> None:
    """The figure: per language, the share of saved queries with their own title and description."""
    for lang in LANGUAGES:
        covered = [q for q in SAVED if q.title_in(lang)[1] == q.description_in(lang)[1] == lang]
        assert len(covered) == len(SAVED) > 30, lang


def test_tagged_header_fields_and_their_continuations() -> None:
    saved = queries.parse(
        "x",
        "# title: Meetings\n"
        "# title@sr-Latn: Sastanci\n"
        "# title@sr-Cyrl: Састанци (ручно)\n"
        "# description: Every meeting,\n"
        "#   in order.\n"
        "# description@sq: Çdo takim,\n"
        "#   sipas radhës.\n"
        "# param: year — the year\n"
        "# param@sq: year — viti\n"
        "SELECT * { VALUES ?year { 2013 } }\n",
    )
    assert saved.title == "Meetings" and saved.description == "Every meeting, in order."
    assert saved.title_in("sr-Cyrl") == ("Састанци (ручно)", "sr-Cyrl")
    assert saved.title_in("sq") == ("Meetings", "en")
    assert saved.description_in("sq") == ("Çdo takim, sipas radhës.", "sq")
    assert saved.description_in("sr-Cyrl") == ("Every meeting, in order.", "en")
    assert [p.name for p in saved.parameters] == ["year"]
    assert saved.parameters[0].description == "the year"
    assert saved.parameters[0].description_in("sq") == ("viti", "sq")


def test_parameters_speak_the_four_languages() -> None:
    for saved in SAVED:
        for p in saved.parameters:
            for lang in LANGUAGES:
                text, tag = p.description_in(lang)
                assert tag == lang and text.strip(), (saved.name, p.name, lang)
    day = queries.load("agreements-of-2-july-2011").parameters[0]
    assert day.description_in("sr-Cyrl") == ("дан (YYYY-MM-DD)", "sr-Cyrl")
