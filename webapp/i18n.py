"""The visitor's language: chosen by ``?lang=``, remembered in a cookie, else Accept-Language.

UI strings are translated with Flask-Babel (catalogues in webapp/translations/); data labels are
picked with :mod:`dialogue_kg.labels` using the same language.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

from dialogue_kg.labels import LANGUAGES, canonical

COOKIE = "lang"
# Flask-Babel/Babel locale identifiers for the archive's language tags.
LOCALES = {"en": "en", "sq": "sq", "sr-Latn": "sr_Latn", "sr-Cyrl": "sr_Cyrl"}


def current_language() -> str:
    """The language tag of this request: ``en``, ``sq``, ``sr-Latn`` or ``sr-Cyrl``."""
    if "lang" in g:
        return g.lang
    lang = None
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate and canonical(candidate) in LANGUAGES:
            lang = canonical(candidate)
            break
    if lang is None:
        offered = list(LANGUAGES) + ["sr"]
        match = request.accept_languages.best_match(offered, default="en")
        lang = canonical(match)
    g.lang = lang
    return lang


def _select_locale() -> str:
    return LOCALES[current_language()]


def init_app(app: Flask) -> None:
    """Install Flask-Babel and remember a language chosen with ``?lang=``."""
    Babel(app, locale_selector=_select_locale)

    @app.after_request
    def _remember(response):  # noqa: ANN001, ANN202
        chosen = request.args.get("lang")
        if chosen and canonical(chosen) in LANGUAGES:
            response.set_cookie(
                COOKIE, canonical(chosen), max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        if "lang" in g:
            response.headers.add("Vary", "Accept-Language")
            response.headers.add("Vary", "Cookie")
        return response

    @app.context_processor
    def _language() -> dict:
        return {"lang": current_language(), "languages": LANGUAGES}
