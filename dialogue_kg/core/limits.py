"""Input shape limits, checked before a native parser sees the input.

pyoxigraph's parsers recurse once per nesting level and overflow the thread's stack (the whole
process dies) a few thousand levels deep; libraries written in Python recurse too. So SPARQL text,
Turtle/TriG/N3, JSON-LD, RDF/XML and YAML are first measured here, without recursion: the deepest
bracket nesting, and for RDF/XML any DOCTYPE or ENTITY declaration (entity expansion is how a 1 KB
"billion laughs" file asks for gigabytes).

The SPARQL scan also tells whether the text may hold the keyword SERVICE or LOAD outside strings,
IRIs and comments. It follows *every* way the text can be tokenised: ``<`` is a less-than or the
start of an IRI, ``\"\"\"`` opens a long string or is an empty string and a quote, depending on the
grammar; the scan keeps both readings, so no reading the engine may pick escapes the check.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass

import numpy as np

from dialogue_kg.errors import DialogueKGError

DEFAULT_MAX_DEPTH = 100

# Where plain code stops: brackets, quotes, comments, escapes, IRIs and the RDF-star >>.
_SPECIAL = re.compile(r"""[(){}\[\]"'#<>\\]""")
_OPEN, _CLOSE = "({[", ")}]"
_SHORT = {
    '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"', re.DOTALL),
    "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'", re.DOTALL),
}
_BLANK = re.compile(r"[\x00-\x20]")
_FETCH_WORD = re.compile(r"service|load", re.IGNORECASE)
# Operators the engine chains into a tree as deep as the chain is long (no bracket needed): a
# group's UNION/OPTIONAL/MINUS/BIND/VALUES/FILTER sequence, && and ||, unary !, arithmetic, and a
# property path's / | ^ (counted where they cannot be inside an IRI read as plain code). A "^^"
# (a literal's datatype) is not an operator.
_CHAIN = re.compile(
    r"\^\^|\b(?:union|optional|minus|bind|values|filter)\b|\|\||&&|!(?!=)|[+*]"
    r"|^\s*[/|^]{1,2}\s*$|(?<=[\s?*+])[/|^]|[/|^](?=[\s?])|(?<=[\s)])-(?=[\s(?])",
    re.IGNORECASE,
)
CHAIN_PER_DEPTH = 5
# The same operators written without spaces (``ex:a/ex:b/…``, ``1-1-1…``): counted per token, so
# the slashes and hyphens of names and IRIs (a handful each) never add up across a large update.
_TIGHT = re.compile(r"[/|^-]")


class ShapeError(DialogueKGError, ValueError):
    """Input nested deeper, or shaped otherwise, than the archive accepts."""

    kind = "shape"


@dataclass(frozen=True)
class SparqlShape:
    """What a scan of SPARQL text found."""

    depth: int
    may_fetch: bool


def _too_long(what: str, limit: int) -> ShapeError:
    return ShapeError(
        f"{what} chains more than {limit} operators (UNION, OPTIONAL, MINUS, BIND, VALUES, "
        "FILTER, &&, ||, !, arithmetic, path steps, groups {…}); the engine nests each one a "
        "level deeper, "
        f"so the archive refuses it before parsing (setting DKG_MAX_NESTING × {CHAIN_PER_DEPTH})"
    )


def _too_deep(what: str, max_depth: int) -> ShapeError:
    return ShapeError(
        f"{what} is nested more than {max_depth} levels deep (brackets, braces or parentheses); "
        "the archive refuses it before parsing (setting DKG_MAX_NESTING)"
    )


def scan_sparql(
    text: str, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the query", *, chains: bool = True
) -> SparqlShape:
    """Measure SPARQL (or Turtle) text under every tokenisation; ShapeError if too deep or if
    it chains more operators than ``max_depth × CHAIN_PER_DEPTH`` (each nests the engine's tree).

    States are (position, depth) in plain code; strings, comments and IRIs are jumped over. At an
    ambiguous spot each reading becomes a state; states meeting at one position merge (the
    deeper one dominates), so every position is processed at most once.
    """
    gts = [m.start() for m in re.finditer(">", text)]
    blanks = [m.start() for m in _BLANK.finditer(text)]
    # A comment ends at a line feed or a carriage return: both readings are followed.
    eols = [
        [m.start() for m in re.finditer("\n", text)],
        [m.start() for m in re.finditer("\r", text)],
    ]
    best: dict[int, int] = {0: 0}
    heap = [0]
    deepest, may_fetch = 0, False
    chained, max_chain = 0, max_depth * CHAIN_PER_DEPTH

    def push(pos: int, depth: int) -> None:
        if depth > max_depth:
            raise _too_deep(what, max_depth)
        known = best.get(pos)
        if known is None:
            best[pos] = depth
            heapq.heappush(heap, pos)
        elif depth > known:
            best[pos] = depth

    n = len(text)
    while heap:
        pos = heapq.heappop(heap)
        depth = best.pop(pos)
        deepest = max(deepest, depth)
        found = _SPECIAL.search(text, pos)
        end = found.start() if found else n
        if not may_fetch and _FETCH_WORD.search(text, pos, end):
            may_fetch = True
        if chains:
            segment = text[pos:end]
            chained += sum(m.group().strip() != "^^" for m in _CHAIN.finditer(segment))
            tight = max((len(_TIGHT.findall(token)) for token in segment.split()), default=0)
            if chained > max_chain or tight > max_chain:
                raise _too_long(what, max_chain)
        if found is None:
            continue
        at, char = end, found.group()
        if char in _OPEN:
            if chains and char == "{":
                # Groups in sequence ({…} {…} …) are joined into a tree as deep as the sequence.
                chained += 1
                if chained > max_chain:
                    raise _too_long(what, max_chain)
            push(at + 1, depth + 1)
        elif char in _CLOSE:
            push(at + 1, max(depth - 1, 0))
        elif char == "\\":
            push(at + 2, depth)
        elif char == "#":
            for ends in eols:
                i = bisect.bisect_right(ends, at)
                if i < len(ends):
                    push(ends[i] + 1, depth)
        elif char == ">":
            if text.startswith(">>", at):
                push(at + 2, max(depth - 1, 0))  # the end of a quoted triple
            else:
                push(at + 1, depth)
        elif char == "<":
            push(at + 1, depth)  # a less-than
            if text.startswith("<<", at):
                push(at + 2, depth + 1)  # an RDF-star quoted triple
            i = bisect.bisect_right(gts, at)
            if i < len(gts):
                close = gts[i]
                j = bisect.bisect_right(blanks, at)
                if j == len(blanks) or blanks[j] > close:
                    push(close + 1, depth)  # an IRI
        else:  # a quote
            if text.startswith(char * 3, at):
                close = _long_string_end(text, at, char)
                if close is not None:
                    push(close, depth)
            short = _SHORT[char].match(text, at)
            push(short.end() if short else at + 1, depth)
    return SparqlShape(deepest, may_fetch)


def _long_string_end(text: str, at: int, quote: str) -> int | None:
    """Where the long string opened at ``at`` ends: after the first unescaped triple quote."""
    i = at + 3
    while True:
        close = text.find(quote * 3, i)
        if close < 0:
            return None
        escape = text.find("\\", i, close)
        if escape < 0:
            return close + 3
        i = escape + 2


_JSON_NOISE = re.compile(rb'"(?:[^"\\]|\\.)*"|[^\[\]{}"]+', re.DOTALL)


def check_json(data: bytes, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the JSON") -> None:
    """ShapeError if JSON text nests arrays/objects deeper than ``max_depth`` (no recursion)."""
    depth = 0
    for char in _JSON_NOISE.sub(b"", data):
        if char in b"[{":
            depth += 1
            if depth > max_depth:
                raise _too_deep(what, max_depth)
        elif char in b"]}":
            depth = max(depth - 1, 0)


def check_xml(data: bytes, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the RDF/XML") -> None:
    """ShapeError for a DOCTYPE or ENTITY declaration, or elements nested too deep.

    expat reads the document (in C, without recursion); a DOCTYPE is refused as soon as it is
    seen, so no entity is ever declared or expanded.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = 0

    def doctype(*_: object) -> None:
        raise ShapeError(
            f"{what} has a DOCTYPE or ENTITY declaration; the archive refuses them (entity "
            "expansion can make a small file ask for gigabytes)"
        )

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _too_deep(what, max_depth)

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        # Refused, not handed on: pyoxigraph's parser is laxer than XML (it read a lower-case
        # "<!doctype" and expanded its entities to a gigabyte).
        raise ShapeError(f"{what} is not well-formed XML: {exc}") from None


def check_rdf(
    data: bytes, fmt_name: str, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the input"
) -> None:
    """ShapeError if RDF input in format ``fmt_name`` (a pyoxigraph RdfFormat name) is too deep."""
    name = fmt_name.lower()
    if "xml" in name:
        check_xml(data, max_depth, what)
    elif "json" in name:
        check_json(data, max_depth, what)
    elif "triples" in name or "quads" in name:
        if b"<<" in data:  # only RDF-star quoted triples nest in N-Triples and N-Quads
            scan_sparql(data.decode("utf-8", "replace"), max_depth, what, chains=False)
    elif any(data.count(c) for c in (b"(", b"[", b"{", b"<<")):
        if b'"""' in data or b"'''" in data:
            scan_sparql(data.decode("utf-8", "replace"), max_depth, what, chains=False)
        else:
            scan_turtle(data, max_depth, what)


# Turtle, TriG and N3 without long strings: what the parser skips (strings, which cannot span a
# line; IRIs, which hold no "<"; escapes; comments), removed in one pass of the regex engine.
# Turtle has no less-than, so unlike SPARQL there is one reading; each part of the pattern stops
# at the end of its line or token, so the pass stays linear. Bytes throughout: no decoding.
_TURTLE_SKIPPED = re.compile(
    rb'"(?:[^"\\\n\r]|\\.)*"'
    rb"|'(?:[^'\\\n\r]|\\.)*'"
    rb'|<[^<>"{}|^`\\\x00-\x20]*>'
    rb"|\\."
    rb"|#[^\n\r]*"
)
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"()[]{}")))
# Openers become 2 and closers 0, so that a byte minus one is the step in depth.
_STEP = bytes.maketrans(b"([{)]}", b"\x02\x02\x02\x00\x00\x00")


def scan_turtle(
    text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the input"
) -> int:
    """The nesting depth of Turtle/TriG/N3 text without long strings (brackets, collections,
    graphs, quoted triples); ShapeError past ``max_depth``. Linear and vectorised: the skipped
    parts go in one regex pass, the brackets are kept by ``bytes.translate``, and the depth (a
    closer never takes it below zero) is a running sum and a running minimum in numpy."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    kept = _TURTLE_SKIPPED.sub(b" ", data).replace(b"<<", b"(").replace(b">>", b")")
    brackets = kept.translate(None, _NOT_BRACKET)
    if not brackets:
        return 0
    steps = np.frombuffer(brackets.translate(_STEP), dtype=np.int8).astype(np.int64) - 1
    level = np.cumsum(steps)
    # Depth with a floor at zero: the level above the lowest it has been (0 at the start).
    deepest = int((level - np.minimum(np.minimum.accumulate(level), 0)).max())
    if deepest > max_depth:
        raise _too_deep(what, max_depth)
    return deepest


def check_yaml(text: str, max_depth: int = DEFAULT_MAX_DEPTH, what: str = "the YAML") -> None:
    """ShapeError if YAML nests sequences/mappings deeper than ``max_depth``.

    PyYAML's event parser keeps an explicit stack (no recursion); its composer, which builds the
    objects, recurses, so the events are counted first.
    """
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise _too_deep(what, max_depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
