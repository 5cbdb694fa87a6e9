"""Input shape limits: nesting is measured before any parser sees the input, under every reading
of the text, quickly, and what is refused is refused with a clear message."""

from __future__ import annotations

import re
import time

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue_kg.core.limits import (
    ShapeError,
    check_json,
    check_rdf,
    check_xml,
    check_yaml,
    scan_sparql,
    scan_turtle,
)

DEEP = 10_000

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
 <rdf:Description rdf:about="https://example.org/x"><rdfs:label>&f;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }",
        "SELECT * WHERE " + "{" * DEEP + "}" * DEEP,
        "INSERT DATA { <urn:a> <urn:b> " + "(" * DEEP + ")" * DEEP + " }",
        "SELECT * WHERE { " + "<< " * DEEP + "}",
    ],
)
def test_deep_sparql_is_refused_quickly(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(ShapeError, match="nested more than 100 levels"):
        scan_sparql(text)
    assert time.monotonic() - start < 1


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { {}" + " UNION {}" * DEEP + " }",
        "SELECT * WHERE { " + "OPTIONAL {} " * DEEP + "}",
        "SELECT * WHERE { ?s ?p ?o " + "MINUS {} " * DEEP + "}",
        "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?x{i})" for i in range(DEEP)) + " }",
        "SELECT ?x WHERE { BIND(" + "!" * DEEP + "true AS ?x) }",
        "SELECT * WHERE { FILTER(true" + "||true" * DEEP + ") }",
        "SELECT * WHERE { BIND(1" + "+1" * DEEP + " AS ?x) }",
        "SELECT * WHERE { ?a <urn:p>" + "/<urn:p>" * DEEP + " ?b }",
        "SELECT * WHERE { ?a " + "^<urn:p>/" * DEEP + "<urn:p> ?b }",
        # Written without spaces: prefixed names in a path, and arithmetic.
        "PREFIX ex: <urn:ex:> SELECT * WHERE { ?a ex:p" + "/ex:p" * DEEP + " ?b }",
        "PREFIX ex: <urn:ex:> SELECT * WHERE { ?a ex:p" + "|ex:p" * DEEP + " ?b }",
        "SELECT (1" + "-1" * DEEP + " AS ?x) WHERE {}",
        # Groups in sequence, joined one level deeper each (raw Oxigraph crashes on 20,000).
        "SELECT * WHERE { " + "{?s ?p ?o} " * DEEP + "}",
        "ASK { " + "{} " * DEEP + "}",
    ],
)
def test_long_operator_chains_are_refused_quickly(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(ShapeError, match="chains more than 500 operators"):
        scan_sparql(text)
    assert time.monotonic() - start < 1


def test_chains_do_not_count_data_or_rdf_input() -> None:
    insert = (
        "INSERT DATA { "
        + " ".join(
            f'<urn:m-{i}/> <urn:p> "x-{i}"^^<urn:t>, -5, ex:a-b, <urn:d/2013-01-01> .'
            for i in range(3000)
        )
        + " }"
    )
    assert scan_sparql(insert).depth == 1
    check_rdf(("<urn:a> <urn:p> ( " + "1 + 2 * 3 " * 1000 + ") .").encode(), "turtle")


def test_nesting_up_to_the_limit_is_accepted() -> None:
    text = "SELECT * WHERE { FILTER(" + "(" * 97 + "1" + ")" * 97 + ") }"
    assert scan_sparql(text).depth == 99
    ox.Store().query(text)  # and the engine agrees it is a query


@pytest.mark.parametrize(
    "hider",
    [
        # The engine reads "<" as less-than and "#" as a comment; a lexer that took <…#> for an
        # IRI would then open a long string and miss every bracket after it.
        "FILTER(1<ex:x#> '''\n",
        # A long string whose invalid escape makes the engine fall back to "" and a short string.
        'VALUES ?v { """ " ',
        "# a comment\n",
        "FILTER(?a<'>' ",
        # A comment that ends at a carriage return for one reader and at the line feed for
        # another, with a long string opened in between.
        '# \r """ \n',
    ],
)
def test_no_reading_of_the_text_hides_nesting(hider: str) -> None:
    text = "PREFIX ex: <urn:ex:> SELECT * WHERE { " + hider + "(" * 150 + "1" + ")" * 150
    with pytest.raises(ShapeError):
        scan_sparql(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "((((((((((" }',
        "SELECT * WHERE { ?s ?p ?o } # " + "(" * 500,
        "SELECT * WHERE { ?s ?p '''" + "{" * 500 + "''' }",
    ],
)
def test_brackets_in_strings_and_comments_do_not_count(text: str) -> None:
    assert scan_sparql(text).depth <= 2


@given(
    st.lists(st.sampled_from(["(", ")", "{", "}", "[", "]", " ", "1", "?x", '"a"']), max_size=60)
)
@settings(max_examples=200, deadline=None)
def test_the_depth_is_never_below_the_brackets_in_plain_code(tokens: list[str]) -> None:
    """With no string, IRI or comment, the measured depth is exactly the brackets' depth."""
    text = "".join(tokens)
    depth = deepest = 0
    for char in text.replace('"a"', ""):
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth = max(depth - 1, 0)
    assert scan_sparql(text, max_depth=1000).depth == deepest


def test_deep_json_ld_is_refused_without_recursion() -> None:
    data = b'{"@id": "urn:a", "urn:p": ' + b'{"urn:q": ' * DEEP + b"1" + b"}" * DEEP + b"}"
    with pytest.raises(ShapeError, match="nested more than 100"):
        check_json(data)
    check_json(b'{"@context": {"a": "urn:a"}, "a": ["[{", "}]"]}')


def test_billion_laughs_is_refused_at_once() -> None:
    start = time.monotonic()
    with pytest.raises(ShapeError, match="DOCTYPE or ENTITY"):
        check_rdf(BILLION_LAUGHS, "RdfFormat.RDF_XML")
    assert time.monotonic() - start < 0.5
    assert len(BILLION_LAUGHS) < 2048


@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype"),
        BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!DocType"),
        BILLION_LAUGHS.decode().encode("utf-16"),
    ],
)
def test_billion_laughs_in_any_spelling_is_refused(document: bytes) -> None:
    start = time.monotonic()
    with pytest.raises(ShapeError, match="DOCTYPE|not well-formed"):
        check_rdf(document, "rdfxml")
    assert time.monotonic() - start < 1


def test_deep_rdf_xml_is_refused() -> None:
    body = b"<rdf:Description>" * DEEP + b"</rdf:Description>" * DEEP
    data = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' + body + b"</rdf:RDF>"
    )
    with pytest.raises(ShapeError, match="nested more than"):
        check_xml(data)


def test_deep_turtle_is_refused() -> None:
    data = b"<urn:a> <urn:b> " + b"( " * DEEP + b")" * DEEP + b" ."
    with pytest.raises(ShapeError):
        check_rdf(data, "Turtle")
    check_rdf(b"<urn:a> <urn:b> ( 1 2 [ <urn:c> 3 ] ) .", "Turtle")


def test_deep_yaml_is_refused_before_it_is_built() -> None:
    with pytest.raises(ShapeError, match="nested more than 100"):
        check_yaml("[" * DEEP + "]" * DEEP)
    with pytest.raises(ShapeError):
        check_yaml("".join("  " * i + "- \n" for i in range(300)) + "  " * 300 + "- x\n")
    check_yaml("meetings:\n  - title: a\n    date: 2024-01-01\n")


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("<urn:a> <urn:p> [ <urn:q> ( 1 2 [ <urn:r> 3 ] ) ] .", 3),
        ("<urn:a> <urn:p> \"[[[(((\" , '{{{' .", 0),
        ("<urn:a#[[[> <urn:p> <urn:b> . # [[[[ in a comment", 0),
        ("<urn:g> { <urn:a> <urn:p> [ <urn:q> 1 ] }", 2),
        ("<< <urn:a> <urn:p> << <urn:b> <urn:p> <urn:c> >> >> <urn:q> 1 .", 2),
        # An escaped "#" in a prefixed name starts no comment: the brackets after it count.
        ("ex:a\\#b <urn:p> [ <urn:q> [ <urn:r> 1 ] ] .", 2),
    ],
)
def test_turtle_nesting_is_measured_as_the_parser_reads_it(text: str, depth: int) -> None:
    assert scan_turtle(text) == depth


def test_deep_turtle_is_refused_quickly_in_one_pass() -> None:
    deep = "<urn:a> <urn:p> " + "[ <urn:p> " * 10_000 + "1" + " ]" * 10_000 + " ."
    hidden = "ex:a\\# " + deep
    for text in (deep, hidden, "<urn:a> <urn:p> " + "( " * 10_000):
        start = time.monotonic()
        with pytest.raises(ShapeError, match="nested more than 100"):
            check_rdf(text.encode(), "turtle")
        assert time.monotonic() - start < 1
    # Long strings still take the two-reading scan, with the same verdict.
    with pytest.raises(ShapeError, match="nested more than 100"):
        check_rdf(('"""x""" ' + deep).encode(), "turtle")


def test_unterminated_quotes_and_iris_keep_the_turtle_scan_linear() -> None:
    text = ('"' * 200_000 + "\n") * 5 + "<a" * 200_000 + "'" * 200_000
    start = time.monotonic()
    assert scan_turtle(text) == 0
    assert time.monotonic() - start < 1


def _reference_turtle_depth(text: str) -> int:
    """The depth as the parser would reach it, one token at a time (the scan before it was
    vectorised): strings, IRIs, escapes and comments skipped; a closer never below zero."""
    skipped = re.sub(
        r'"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|\\.|#[^\n\r]*',
        " ",
        text,
    )
    depth = deepest = 0
    for match in re.finditer(r"<<|>>|[(\[{)\]}]", skipped):
        if match.group() in ("<<", "(", "[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "(",
                ")",
                "[",
                "]",
                "{",
                "}",
                "<<",
                ">>",
                "<",
                ">",
                '"',
                "'",
                "\\",
                "#",
                "\n",
                "a",
                " ",
                "<urn:x>",
                '"s[("',
                "é",
                "\r",
            ]
        ),
        max_size=200,
    )
)
def test_the_vectorised_turtle_scan_measures_as_the_parser_reads(parts: list[str]) -> None:
    text = "".join(parts)
    expected = _reference_turtle_depth(text)
    assert scan_turtle(text, max_depth=10_000) == expected
    if expected:
        with pytest.raises(ShapeError):
            scan_turtle(text.encode(), max_depth=expected - 1)
