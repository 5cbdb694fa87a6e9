"""The faster pySHACL call of dialogue_kg.validation against pyshacl.validate itself."""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef

from dialogue_kg.config import ontology_dir
from dialogue_kg.validation import _violations, run_pyshacl

ROOT = Path(__file__).parent.parent


def test_run_pyshacl_answers_as_pyshacl_validate_does() -> None:
    shapes = Graph(store="SimpleMemory").parse(ontology_dir() / "shapes.ttl", format="turtle")
    data = Graph()
    for path in sorted((ROOT / "graph_data").glob("*.trig")):
        data.parse(path, format="trig")
    data.parse(ROOT / "tests" / "data" / "invalid-shape.ttl", format="turtle")
    focus = sorted({s for s in data.subjects() if isinstance(s, URIRef)})
    invalid = {s for s in Graph().parse(ROOT / "tests" / "data" / "invalid-shape.ttl").subjects()}
    for chunk in (focus[:50], [f for f in focus if f in invalid] + focus[:20], focus):
        ours = run_pyshacl(data, shapes, chunk)
        theirs = validate(
            data,
            shacl_graph=shapes,
            inference="none",
            focus_nodes=chunk,
            allow_warnings=True,
            allow_infos=True,
        )
        assert ours[0] == theirs[0]
        assert _violations(ours[1]) == _violations(theirs[1])
    assert not ours[0] and _violations(ours[1])  # the invalid record is among the focus nodes


def test_pyshacl_still_uses_the_parameter_list_the_shim_replaces() -> None:
    """If pySHACL changes where it keeps its constraint parameters, the shim must be revisited."""
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    from dialogue_kg.validation import _fast_parameter_lookup

    _fast_parameter_lookup()
    params, _ = shape.CONSTRAINT_PARAMS
    assert list(params) == list(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in params for p in ALL_CONSTRAINT_PARAMETERS)
    assert URIRef("http://example.org/not-a-parameter") not in params
