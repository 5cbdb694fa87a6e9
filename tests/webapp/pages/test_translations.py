"""The catalogues: every message translated in Albanian and Serbian (Latin and Cyrillic), the
compiled .mo files in step with the .po files, and the UI speaking the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import webapp

TRANSLATIONS = Path(webapp.__file__).parent / "translations"
LOCALES = ("sq", "sr_Latn", "sr_Cyrl")


def _catalogues(locale: str):
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as fh:
        po = read_po(fh, locale=locale)
    with open(folder / "messages.mo", "rb") as fh:
        mo = read_mo(fh)
    return po, mo


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    po, _ = _catalogues(locale)
    messages = [m for m in po if m.id]
    assert len(messages) > 50
    for m in messages:
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"{locale}: {m.id!r} is not translated"
        assert "fuzzy" not in m.flags, f"{locale}: {m.id!r} is fuzzy"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po_file(locale: str) -> None:
    po, mo = _catalogues(locale)
    expected = {_key(m.id): _key(m.string) for m in po if m.id}
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    assert compiled == expected, "run `make translations` to recompile the catalogues"


def _key(value: str | tuple | list) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


def test_cyrillic_catalogue_is_written_in_cyrillic() -> None:
    po, _ = _catalogues("sr_Cyrl")
    assert po.get("Agreements").string == "Споразуми"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("sq", "Kalo te përmbajtja"),
        ("sr-Latn", "Preskoči na sadržaj"),
        ("sr-Cyrl", "Прескочи на садржај"),
    ],
)
def test_ui_strings_follow_the_language(client, lang: str, text: str) -> None:
    assert text in client.get(f"/?lang={lang}").get_data(as_text=True)


def test_dates_are_formatted_per_language(curated_client) -> None:
    path = "/agreements?year=2011&lang="
    assert "July 2, 2011" in curated_client.get(path + "en").get_data(as_text=True)
    assert "2 korrik 2011" in curated_client.get(path + "sq").get_data(as_text=True)
    assert "2. јул 2011." in curated_client.get(path + "sr-Cyrl").get_data(as_text=True)
