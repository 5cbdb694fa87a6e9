"""Answering queries in the server process: failures free pyoxigraph's results on their thread."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from dialogue_kg.workers import QueryFailed, answer


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no-such-format"),  # fails after the query ran
        ("SELECT * WHERE { ?s ?p }", None),  # fails while parsing
    ],
)
def test_a_failed_query_leaves_nothing_for_another_thread_to_free(small, query, fmt) -> None:
    """pyoxigraph's result iterators are 'unsendable': freed on another thread they raise."""
    failures: list[QueryFailed] = []
    unraisable: list[str] = []

    def run() -> None:
        try:
            answer(small, query, format_param=fmt)
        except QueryFailed as exc:
            failures.append(exc)

    previous = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(repr(info.exc_value))
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert len(failures) == 1 and failures[0].__context__ is None
    assert unraisable == []
