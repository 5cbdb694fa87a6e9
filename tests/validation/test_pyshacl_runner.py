"""The faster pySHACL call of dialogue_kg.core.validation.pyshacl_engine against
pyshacl.validate."""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef

from dialogue_kg.config import ontology_dir
from dialogue_kg.core.validation import _violations, run_pyshacl

ROOT = Path(__file__).parents[2]
MEETING = "https://w3id.org/dialogue-kg/id/meeting/test-broken-or"
BROKEN_OR = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
<{MEETING}> a dkg:Meeting ; dkg:delegation "not a delegation" .
"""


def test_run_pyshacl_answers_as_pyshacl_validate_does() -> None:
    """The results about the focus nodes are those of a plain pyshacl.validate of the graph."""
    shapes = Graph(store="SimpleMemory").parse(ontology_dir() / "shapes.ttl", format="turtle")
    data = Graph()
    for path in sorted((ROOT / "graph_data").glob("*.trig")):
        data.parse(path, format="trig")
    data.parse(ROOT / "tests" / "data" / "invalid-shape.ttl", format="turtle")
    data.parse(data=BROKEN_OR, format="turtle")
    focus = sorted({s for s in data.subjects() if isinstance(s, URIRef)})
    invalid = {s for s in Graph().parse(ROOT / "tests" / "data" / "invalid-shape.ttl").subjects()}
    invalid.add(URIRef(MEETING))
    _, whole, _ = validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True
    )
    everything = _violations(whole)
    for chunk in (focus[:50], [f for f in focus if f in invalid] + focus[:20], focus):
        conforms, results = run_pyshacl(data, shapes, chunk)
        expected = [v for v in everything if URIRef(v.focus) in set(chunk)]
        assert _violations(results) == expected
        assert conforms == (not expected)
    assert not conforms and expected  # the invalid records are among the focus nodes


def test_nested_shapes_are_judged_on_their_values() -> None:
    """pySHACL's own focus_nodes option skips sh:or members (and sh:node, qualified value
    shapes): a meeting's delegation that is a plain literal passed. run_pyshacl catches it."""
    shapes = Graph(store="SimpleMemory").parse(ontology_dir() / "shapes.ttl", format="turtle")
    data = Graph().parse(data=BROKEN_OR, format="turtle")
    broken = ("https://w3id.org/dialogue-kg/ontology#delegation", "Or")
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", focus_nodes=[MEETING])
    found = {(v.path, v.constraint) for v in _violations(report)}
    assert broken not in found, "pySHACL fixed focus_nodes: run_pyshacl's narrowing may go"
    _, report, _ = validate(data, shacl_graph=shapes, inference="none")
    assert broken in {(v.path, v.constraint) for v in _violations(report)}
    conforms, results = run_pyshacl(data, shapes, [URIRef(MEETING)])
    assert not conforms
    assert broken in {(v.path, v.constraint) for v in _violations(results)}


def test_pyshacl_still_uses_the_parameter_list_the_shim_replaces() -> None:
    """If pySHACL changes where it keeps its constraint parameters, the shim must be revisited."""
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    from dialogue_kg.core.validation import _fast_parameter_lookup

    _fast_parameter_lookup()
    params, _ = shape.CONSTRAINT_PARAMS
    assert list(params) == list(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in params for p in ALL_CONSTRAINT_PARAMETERS)
    assert URIRef("http://example.org/not-a-parameter") not in params
