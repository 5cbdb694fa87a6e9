"""Helpers the agreement page's template uses: lists of names as a sentence in the reader's
language, and dates of any precision. The page itself is served by ``resources`` at the
agreement's IRI path, from :func:`dialogue_kg.read.agreement.agreement_view`."""

from __future__ import annotations

from babel.lists import format_list
from flask import Blueprint
from flask_babel import get_locale
from markupsafe import Markup, escape

from dialogue_kg.namespaces import XSD_IRI as XSD

from .resources import literal_text, term

bp = Blueprint("agreement", __name__)


@bp.app_template_filter()
def and_list(items: list) -> Markup:
    """Nodes (linked) or texts joined as the reader's language joins a list: "A, B and C"."""
    parts = [str(term(i)) if hasattr(i, "is_iri") else str(escape(i)) for i in items]
    if not parts:
        return Markup("")
    # The separators come from CLDR; every part is already escaped HTML.
    return Markup(format_list(parts, locale=str(get_locale() or "en")))


@bp.app_template_global()
def when_text(iso: str | None) -> str:
    """A day (``2013-04-19``), month (``2015-02``) or year as the reader's language writes it."""
    if not iso:
        return ""
    if len(iso) == 10:
        return literal_text(iso, XSD + "date")
    if len(iso) == 7:
        return literal_text(iso, XSD + "gYearMonth")
    return iso
