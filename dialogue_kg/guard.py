"""Refuse queries that would make the server fetch a URL (SPARQL ``SERVICE`` and ``LOAD``).

pyoxigraph evaluates ``SERVICE <url>`` by fetching the URL itself, so a visitor's query could make
the archive reach any host. The check is lexical: strings, IRIs and comments are blanked out first,
so a label that merely contains the word "service" is not refused.
"""

from __future__ import annotations

import re

_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_FETCHING = re.compile(r"(?<![\w:?$])(SERVICE|LOAD)(?![\w:-])", re.IGNORECASE)


class QueryRefused(ValueError):
    """A query or update the archive will not run."""


def check(sparql: str, *, allow_service: bool = False) -> None:
    """Raise QueryRefused if ``sparql`` uses SERVICE or LOAD and they are not allowed."""
    if allow_service:
        return
    found = _FETCHING.search(_NOISE.sub(" ", sparql))
    if found:
        keyword = found.group(1).upper()
        raise QueryRefused(
            f"{keyword} is disabled on this archive: it would make the server fetch a URL "
            "(an operator can enable it with DKG_ALLOW_SERVICE=true)"
        )
