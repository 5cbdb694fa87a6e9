"""The ontology (ontology/dialogue.ttl) and the SHACL shapes (ontology/shapes.ttl).

Data is validated the way the archive validates it: pySHACL with ``ont_graph=<ontology>`` and
``inference="none"``. pySHACL then copies the ontology's class hierarchy (and the types of its
``owl:NamedIndividual`` values such as dkg:Political) into the data graph, so ``sh:class dkg:Actor``
accepts a dkg:Government. RDFS inference is *not* used: the ontology's rdfs:range axioms would
type every linked value as the class it is expected to have and so hide wrong links
(test_rdfs_inference_would_hide_wrong_links shows it).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_PATH = ROOT / "ontology" / "dialogue.ttl"
SHAPES_PATH = ROOT / "ontology" / "shapes.ttl"
VOCABULARY_PATH = ROOT / "docs" / "vocabulary.md"

ONTOLOGY_IRI = URIRef("https://w3id.org/dialogue-kg/ontology")
DKG = Namespace("https://w3id.org/dialogue-kg/ontology#")
ID = Namespace("https://w3id.org/dialogue-kg/id/")
TOPIC = Namespace("https://w3id.org/dialogue-kg/topic/")
LANGS = ("en", "sq", "sr-Latn")
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH, format="turtle")


def dkg_terms(ontology: Graph) -> set[URIRef]:
    return {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(str(DKG))
    }


def languages(graph: Graph, subject: Node, predicate: URIRef) -> set[str]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def curie(graph: Graph, iri: str) -> URIRef:
    return graph.namespace_manager.expand_curie(iri)


# ------------------------------------------------------------------------------------------------
# The ontology
# ------------------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.0")
    assert (
        ONTOLOGY_IRI,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in ontology
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert set(LANGS) <= languages(ontology, ONTOLOGY_IRI, predicate)


def test_every_term_has_label_and_comment_in_three_languages(ontology: Graph) -> None:
    terms = dkg_terms(ontology) | {TOPIC.scheme}
    assert len(terms) > 100
    missing = [
        f"{ontology.qname(term)} {ontology.qname(predicate)} @{lang}"
        for term in sorted(terms)
        for predicate in (RDFS.label, RDFS.comment)
        for lang in LANGS
        if lang not in languages(ontology, term, predicate)
    ]
    assert not missing, missing


def test_every_term_in_vocabulary_md_is_defined(ontology: Graph) -> None:
    names = set(re.findall(r"`dkg:([A-Za-z][A-Za-z0-9]*)", VOCABULARY_PATH.read_text("utf-8")))
    assert len(names) > 80, "the vocabulary page should name the whole vocabulary"
    kinds = {OWL.Class, OWL.NamedIndividual, *PROPERTY_TYPES}
    undefined = sorted(n for n in names if not kinds & set(ontology.objects(DKG[n], RDF.type)))
    assert not undefined, undefined
    assert (TOPIC.scheme, RDF.type, SKOS.ConceptScheme) in ontology


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    assert all((term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology for term in dkg_terms(ontology))


def test_properties_have_one_kind_and_a_range(ontology: Graph) -> None:
    properties = {p for t in PROPERTY_TYPES for p in ontology.subjects(RDF.type, t)}
    problems = []
    for prop in sorted(p for p in properties if p.startswith(str(DKG))):
        kinds = [t for t in PROPERTY_TYPES if (prop, RDF.type, t) in ontology]
        ranges = list(ontology.objects(prop, RDFS.range))
        if len(kinds) != 1 or len(ranges) != 1:
            problems.append(f"{prop}: kinds {kinds}, ranges {ranges}")
            continue
        literal_range = ranges[0].startswith(str(XSD)) or ranges[0] == RDF.langString
        if (kinds[0] == OWL.ObjectProperty) == literal_range:
            problems.append(f"{prop}: {kinds[0]} with range {ranges[0]}")
    assert not problems, problems


# What docs/vocabulary.md says each term reuses (it may reuse more).
SUPERCLASSES = {
    "Agreement": ["prov:Entity", "schema:CreativeWork"],
    "DialogueProcess": ["prov:Activity"],
    "Meeting": ["schema:Event", "prov:Activity"],
    "Actor": ["prov:Agent", "foaf:Agent"],
    "Person": ["dkg:Actor", "foaf:Person", "schema:Person"],
    "Organisation": ["dkg:Actor", "org:Organization", "schema:Organization"],
    "Government": ["dkg:Organisation"],
    "Delegation": ["dkg:Organisation"],
    "RoleHolding": ["org:Membership"],
    "Place": ["schema:Place"],
    "ImplementationEvent": ["prov:Activity", "schema:Event"],
    "Source": ["foaf:Document", "prov:Entity", "schema:CreativeWork"],
    "Project": ["prov:Activity", "schema:Project"],
    "OutreachActivity": ["prov:Activity", "schema:Event"],
    "OpEd": ["dkg:OutreachActivity", "schema:OpinionNewsArticle"],
    "TVDebate": ["dkg:OutreachActivity", "schema:BroadcastEvent"],
    "Platform": ["schema:WebSite", "prov:Entity"],
    "Topic": ["skos:Concept"],
    "Claim": ["prov:Entity"],
    "ChangeSet": ["prov:Bundle", "prov:Entity"],
    "AgreementNature": ["skos:Concept"],
    "MeetingLevel": ["skos:Concept"],
    "ImplementationStatus": ["skos:Concept"],
    **{
        name: ["dkg:OutreachActivity"]
        for name in (
            "Workshop Roundtable Seminar Conference BookletPresentation PeerVisit "
            "ConsortiumMeeting FocusGroup ExchangeEvent Campaign VideoAnimation "
            "ResearchPublication"
        ).split()
    },
}
SUPERPROPERTIES = {
    "date": ["dct:date", "schema:startDate"],
    "endDate": ["dct:date", "schema:endDate"],
    "source": ["dct:source", "prov:wasDerivedFrom"],
    "note": ["skos:editorialNote"],
    "partOf": ["dct:isPartOf"],
    "hasPart": ["dct:hasPart"],
    "document": ["dct:references"],
    "implements": ["dct:relation"],
    "amends": ["dct:relation"],
    "supersedes": ["dct:relation"],
    "dependsOn": ["dct:relation"],
    "topic": ["dct:subject"],
    "place": ["schema:location"],
    "participant": ["prov:wasAssociatedWith"],
    "delegation": ["dkg:participant"],
    "assertedBy": ["prov:wasAttributedTo"],
    "holder": ["org:member"],
    "organisation": ["org:organization"],
    "author": ["dct:creator"],
    "outlet": ["schema:publisher"],
    "organiser": ["schema:organizer"],
    "discusses": ["dct:references"],
    "funder": ["schema:funder"],
    "member": ["org:hasMember"],
    "claimedBy": ["prov:wasAttributedTo"],
}


@pytest.mark.parametrize(("name", "expected"), sorted(SUPERCLASSES.items()))
def test_class_reuses_what_the_vocabulary_says(ontology: Graph, name, expected) -> None:
    assert (DKG[name], RDF.type, OWL.Class) in ontology
    actual = set(ontology.objects(DKG[name], RDFS.subClassOf))
    assert {curie(ontology, c) for c in expected} <= actual
    for superclass in actual:  # declared, so that the file is self-contained
        assert (superclass, RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize(("name", "expected"), sorted(SUPERPROPERTIES.items()))
def test_property_reuses_what_the_vocabulary_says(ontology: Graph, name, expected) -> None:
    actual = set(ontology.objects(DKG[name], RDFS.subPropertyOf))
    assert {curie(ontology, p) for p in expected} <= actual
    for superproperty in actual:
        assert set(ontology.objects(superproperty, RDF.type)) & set(PROPERTY_TYPES)


def test_part_of_is_the_inverse_of_has_part(ontology: Graph) -> None:
    assert (DKG.partOf, OWL.inverseOf, DKG.hasPart) in ontology


CONTROLLED_VALUES = {
    DKG.AgreementNature: ["Political", "Technical"],
    DKG.MeetingLevel: ["TechnicalRound", "HighLevel", "WorkingGroup"],
    DKG.ImplementationStatus: [
        "Implemented",
        "PartiallyImplemented",
        "NotImplemented",
        "InProgress",
        "Stalled",
        "Disputed",
    ],
}


@pytest.mark.parametrize("cls", sorted(CONTROLLED_VALUES))
def test_controlled_values_are_concepts_in_a_scheme(ontology: Graph, cls: URIRef) -> None:
    assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology
    schemes = set()
    for name in CONTROLLED_VALUES[cls]:
        value = DKG[name]
        assert {OWL.NamedIndividual, SKOS.Concept, cls} <= set(ontology.objects(value, RDF.type))
        assert set(LANGS) <= languages(ontology, value, SKOS.prefLabel)
        schemes |= set(ontology.objects(value, SKOS.inScheme))
    assert len(schemes) == 1
    (scheme,) = schemes
    assert scheme.startswith(str(DKG))
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology


def test_named_individuals_link_to_no_cycle(ontology: Graph) -> None:
    """pySHACL copies owl:NamedIndividual nodes into the data graph by following their IRI links
    ten levels deep without memo; a cycle (e.g. skos:inScheme + skos:hasTopConcept) made every
    validation with ont_graph take many minutes."""
    individuals = set(ontology.subjects(RDF.type, OWL.NamedIndividual))

    def reaches(start: Node, target: Node, seen: set[Node]) -> bool:
        for o in ontology.objects(start, None):
            if o == target:
                return True
            if isinstance(o, URIRef) and o in individuals and o not in seen:
                seen.add(o)
                if reaches(o, target, seen):
                    return True
        return False

    assert not [i for i in individuals if reaches(i, i, set())]


# ------------------------------------------------------------------------------------------------
# The shapes themselves
# ------------------------------------------------------------------------------------------------


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    shacl_shacl_path = resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    shacl_shacl = Graph().parse(data=shacl_shacl_path.read_text("utf-8"), format="turtle")
    conforms, _, text = validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text


def property_shapes(shapes: Graph) -> set[Node]:
    """The property shapes of the class shapes: the form fields (not helpers nested in sh:or)."""
    return {
        ps for ns in shapes.subjects(SH.targetClass, None) for ps in shapes.objects(ns, SH.property)
    }


def test_every_property_shape_is_documented_for_forms(shapes: Graph) -> None:
    problems = []
    for shape in sorted(property_shapes(shapes)):
        path = shapes.value(shape, SH.path)
        where = f"{shapes.qname(shape)} ({shapes.qname(path)})"
        for predicate in (SH.name, SH.description):
            if not set(LANGS) <= languages(shapes, shape, predicate):
                problems.append(f"{where}: {shapes.qname(predicate)} not in {LANGS}")
        if shapes.value(shape, SH.order) is None or shapes.value(shape, SH.group) is None:
            problems.append(f"{where}: no sh:order or sh:group")
        messages = [m for m in shapes.objects(shape, SH.message) if m.language == "en"]
        if len(messages) != 1:
            problems.append(f"{where}: needs one English sh:message")
        elif shapes.qname(path) not in messages[0]:
            problems.append(f"{where}: the message does not name {shapes.qname(path)}")
    assert not problems, problems


def test_no_shape_is_closed(shapes: Graph) -> None:
    assert not list(shapes.subjects(SH.closed, None))


def test_every_class_records_are_made_of_has_a_shape(ontology: Graph, shapes: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    own = (
        "Agreement DialogueProcess Meeting Person Organisation Government Delegation RoleHolding "
        "Place NameUsage ImplementationEvent Source Project OutreachActivity OpEd TVDebate "
        "ResearchPublication Platform Topic Claim ChangeSet"
    ).split()
    assert not [n for n in own if DKG[n] not in targeted]
    abstract = {DKG.Actor}
    untargeted = [
        c
        for c in dkg_terms(ontology)
        if (c, RDF.type, OWL.Class) in ontology
        and c not in abstract
        and not targeted & set(ontology.transitive_objects(c, RDFS.subClassOf))
    ]
    assert not untargeted


def test_ontology_conforms_to_shapes(ontology: Graph, shapes: Graph) -> None:
    """The archive loads dialogue.ttl as its first change set, validated like any other."""
    conforms, _, text = validate(ontology, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, text


# ------------------------------------------------------------------------------------------------
# Validating data
# ------------------------------------------------------------------------------------------------

PREFIXES = """\
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix agreement: <https://w3id.org/dialogue-kg/id/agreement/> .
@prefix claim: <https://w3id.org/dialogue-kg/id/claim/> .
@prefix event: <https://w3id.org/dialogue-kg/id/event/> .
@prefix meeting: <https://w3id.org/dialogue-kg/id/meeting/> .
@prefix name: <https://w3id.org/dialogue-kg/id/name/> .
@prefix organisation: <https://w3id.org/dialogue-kg/id/organisation/> .
@prefix outreach: <https://w3id.org/dialogue-kg/id/outreach/> .
@prefix person: <https://w3id.org/dialogue-kg/id/person/> .
@prefix place: <https://w3id.org/dialogue-kg/id/place/> .
@prefix process: <https://w3id.org/dialogue-kg/id/process/> .
@prefix role: <https://w3id.org/dialogue-kg/id/role/> .
@prefix source: <https://w3id.org/dialogue-kg/id/source/> .
@prefix topic: <https://w3id.org/dialogue-kg/topic/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Records the snippets below point at; valid on their own.
CONTEXT = """\
source:brussels-text a dkg:Source ;
    rdfs:label "First Agreement (text)"@en ;
    dct:title "First Agreement of Principles Governing the Normalization of Relations" .
organisation:government-in-pristina a dkg:Government ;
    rdfs:label "Government in Pristina"@en , "Qeveria në Prishtinë"@sq ;
    dkg:source source:brussels-text .
organisation:government-in-belgrade a dkg:Government ;
    rdfs:label "Government in Belgrade"@en , "Vlada u Beogradu"@sr-Latn ;
    dkg:source source:brussels-text .
organisation:european-union a dkg:Government ;
    rdfs:label "European Union"@en ;
    dkg:source source:brussels-text .
organisation:daily-paper a dkg:Organisation ;
    rdfs:label "A daily paper"@en ;
    dkg:source source:brussels-text .
person:catherine-ashton a dkg:Person ;
    rdfs:label "Catherine Ashton"@en ;
    dkg:source source:brussels-text .
place:brussels a dkg:Place ;
    rdfs:label "Brussels"@en ;
    dkg:source source:brussels-text .
process:high-level-dialogue a dkg:DialogueProcess ;
    rdfs:label "High-level dialogue"@en ;
    dkg:date "2012-10-19"^^xsd:date ;
    dkg:year "2012"^^xsd:gYear ;
    dkg:facilitator person:catherine-ashton ;
    dkg:source source:brussels-text .
agreement:first-agreement a dkg:Agreement ;
    rdfs:label "First Agreement"@en ;
    dkg:source source:brussels-text .
"""

VALID_AGREEMENT = """\
agreement:brussels-2013 a dkg:Agreement ;
    rdfs:label "First Agreement of Principles Governing the Normalization of Relations"@en ,
        "Marrëveshja e Parë e Parimeve që Rregullojnë Normalizimin e Marrëdhënieve"@sq ,
        "Prvi sporazum o principima koji regulišu normalizaciju odnosa"@sr-Latn ;
    dkg:date "2013-04-19"^^xsd:date ;
    dkg:year "2013"^^xsd:gYear ;
    dkg:nature dkg:Political ;
    dkg:process process:high-level-dialogue ;
    dkg:party organisation:government-in-pristina , organisation:government-in-belgrade ;
    dkg:facilitator organisation:european-union , person:catherine-ashton ;
    dkg:place place:brussels ;
    dkg:document source:brussels-text ;
    dkg:source source:brussels-text ;
    dkg:sourceLocator "whole text" .
"""

VALID_MEETING = """\
meeting:high-level-2013-04-19 a dkg:Meeting ;
    rdfs:label "High-level meeting of 19 April 2013"@en ;
    dkg:date "2013-04-19"^^xsd:date ;
    dkg:endDate "2013-04-19"^^xsd:date ;
    dkg:year "2013"^^xsd:gYear ;
    dkg:meetingLevel dkg:HighLevel ;
    dkg:process process:high-level-dialogue ;
    dkg:place place:brussels ;
    dkg:facilitator person:catherine-ashton ;
    dkg:delegation organisation:government-in-pristina ,
        organisation:government-in-belgrade ;
    dkg:reached agreement:first-agreement ;
    dkg:outcome "The First Agreement was initialled."@en ;
    dkg:source source:brussels-text .
"""

VALID = {
    "agreement": VALID_AGREEMENT,
    "meeting": VALID_MEETING,
    "meeting known to the month": """\
meeting:april-round a dkg:Meeting ;
    rdfs:label "A round in April 2013"@en ;
    dkg:yearMonth "2013-04"^^xsd:gYearMonth ;
    dkg:year "2013"^^xsd:gYear ;
    dkg:meetingLevel dkg:TechnicalRound ;
    dkg:roundNumber 1 ;
    dkg:source source:brussels-text .
""",
    "implementation event": """\
event:first-agreement-report a dkg:ImplementationEvent ;
    rdfs:label "Implementation reported"@en ;
    dkg:year "2014"^^xsd:gYear ;
    dkg:agreement agreement:first-agreement ;
    dkg:reportedStatus dkg:PartiallyImplemented ;
    dkg:assertedBy organisation:european-union ;
    dkg:source source:brussels-text .
""",
    "op-ed": """\
outreach:an-op-ed a dkg:OpEd ;
    rdfs:label "An op-ed on the dialogue"@en ;
    dkg:year "2017"^^xsd:gYear ;
    dkg:author person:catherine-ashton ;
    dkg:outlet organisation:daily-paper ;
    dkg:discusses agreement:first-agreement ;
    dkg:source source:brussels-text .
""",
    "claim": """\
claim:op-eds a dkg:Claim ;
    rdfs:label "Op-eds published, as the report says"@en ;
    dkg:claimedBy source:brussels-text ;
    dkg:category "op-eds" ;
    dkg:claimedCount 24 ;
    dkg:countsClass dkg:OpEd ;
    dkg:periodStart "2016"^^xsd:gYear ;
    dkg:periodEnd "2019"^^xsd:gYear ;
    dkg:source source:brussels-text .
""",
    "name usage labelled only in its own language": """\
name:mitrovice a dkg:NameUsage ;
    rdfs:label "Mitrovicë"@sq ;
    dkg:usedBy organisation:government-in-pristina ;
    dkg:source source:brussels-text .
place:brussels dkg:name name:mitrovice .
""",
    "role holding": """\
role:ashton-facilitator a dkg:RoleHolding ;
    rdfs:label "Catherine Ashton, facilitator"@en ;
    dkg:holder person:catherine-ashton ;
    dkg:role "facilitator"@en , "posrednica"@sr-Latn ;
    dkg:organisation organisation:european-union ;
    dkg:date "2012-10-19"^^xsd:date ;
    dkg:year "2012"^^xsd:gYear ;
    dkg:source source:brussels-text .
""",
    "provision": """\
<https://w3id.org/dialogue-kg/id/agreement/first-agreement/point/7> a dkg:Provision ;
    rdfs:label "First Agreement, point 7"@en ;
    dct:isPartOf agreement:first-agreement ;
    dkg:number "7" ;
    dkg:order 7 ;
    dkg:abstract "One police force in Kosovo."@en , "Një forcë policore në Kosovë."@sq ,
        "Jedna policija na Kosovu."@sr-Latn , "Једна полиција на Косову."@sr-Cyrl ;
    dkg:quotation "There shall be one police force in Kosovo called the Kosovo Police."@en ;
    dkg:sourceLocator "point 7" ;
    dkg:source source:brussels-text .
agreement:first-agreement
    dct:hasPart <https://w3id.org/dialogue-kg/id/agreement/first-agreement/point/7> .
event:first-agreement-report a dkg:ImplementationEvent ;
    rdfs:label "Police integrated"@en ;
    dkg:year "2014"^^xsd:gYear ;
    dkg:agreement agreement:first-agreement ;
    dkg:concernsProvision <https://w3id.org/dialogue-kg/id/agreement/first-agreement/point/7> ;
    dkg:reportedStatus dkg:Implemented ;
    dkg:assertedBy organisation:european-union ;
    dkg:source source:brussels-text .
""",
    "topic without a source": """\
topic:freedom-of-movement a dkg:Topic ;
    rdfs:label "Freedom of movement"@en , "Liria e lëvizjes"@sq ;
    skos:inScheme topic:scheme .
""",
}

AGREEMENT = ID["agreement/brussels-2013"]
MEETING = ID["meeting/high-level-2013-04-19"]
PROVISION = ID["agreement/first-agreement/point/7"]

# (snippet, focus node, sh:resultPath or None for a node-level constraint)
INVALID = {
    "agreement missing its source": (
        VALID_AGREEMENT.replace("    dkg:source source:brussels-text ;\n", ""),
        AGREEMENT,
        DKG.source,
    ),
    "agreement labelled only in Albanian": (
        re.sub(
            r"rdfs:label .*?;",
            'rdfs:label "Marrëveshja e Parë"@sq ;',
            VALID_AGREEMENT,
            count=1,
            flags=re.S,
        ),
        AGREEMENT,
        RDFS.label,
    ),
    "meeting dated with xsd:dateTime": (
        VALID_MEETING.replace(
            'dkg:date "2013-04-19"^^xsd:date', 'dkg:date "2013-04-19T10:00:00"^^xsd:dateTime'
        ).replace('    dkg:endDate "2013-04-19"^^xsd:date ;\n', ""),
        MEETING,
        DKG.date,
    ),
    "meeting ending before it starts": (
        VALID_MEETING.replace('dkg:endDate "2013-04-19"', 'dkg:endDate "2013-04-18"'),
        MEETING,
        DKG.date,
    ),
    "implementation event missing dkg:assertedBy": (
        VALID["implementation event"].replace(
            "    dkg:assertedBy organisation:european-union ;\n", ""
        ),
        ID["event/first-agreement-report"],
        DKG.assertedBy,
    ),
    "op-ed whose author is not a person": (
        VALID["op-ed"].replace(
            "dkg:author person:catherine-ashton", "dkg:author organisation:daily-paper"
        ),
        ID["outreach/an-op-ed"],
        DKG.author,
    ),
    "meeting without any date": (
        VALID["meeting known to the month"].replace(
            '    dkg:yearMonth "2013-04"^^xsd:gYearMonth ;\n    dkg:year "2013"^^xsd:gYear ;\n', ""
        ),
        ID["meeting/april-round"],
        None,
    ),
    "round number 0": (
        VALID["meeting known to the month"].replace("dkg:roundNumber 1", "dkg:roundNumber 0"),
        ID["meeting/april-round"],
        DKG.roundNumber,
    ),
    "agreement whose party is a place": (
        VALID_AGREEMENT.replace("organisation:government-in-belgrade ;", "place:brussels ;"),
        AGREEMENT,
        DKG.party,
    ),
    "agreement whose nature is a status": (
        VALID_AGREEMENT.replace("dkg:nature dkg:Political", "dkg:nature dkg:Implemented"),
        AGREEMENT,
        DKG.nature,
    ),
    "agreement with two natures": (
        VALID_AGREEMENT.replace("dkg:Political", "dkg:Political , dkg:Technical"),
        AGREEMENT,
        DKG.nature,
    ),
    "claim with neither count nor statement": (
        VALID["claim"].replace("    dkg:claimedCount 24 ;\n", ""),
        ID["claim/op-eds"],
        None,
    ),
    "name usage used by nobody": (
        VALID["name usage labelled only in its own language"].replace(
            "    dkg:usedBy organisation:government-in-pristina ;\n", ""
        ),
        ID["name/mitrovice"],
        DKG.usedBy,
    ),
    "role holding without a holder": (
        VALID["role holding"].replace("    dkg:holder person:catherine-ashton ;\n", ""),
        ID["role/ashton-facilitator"],
        DKG.holder,
    ),
    "workshop (an outreach activity) with a negative head count": (
        """\
outreach:a-workshop a dkg:Workshop ;
    rdfs:label "A workshop"@en ;
    dkg:year "2018"^^xsd:gYear ;
    dkg:participantCount -3 ;
    dkg:source source:brussels-text .
""",
        ID["outreach/a-workshop"],
        DKG.participantCount,
    ),
    "provision without its Serbian Cyrillic summary": (
        VALID["provision"].replace(' , "Једна полиција на Косову."@sr-Cyrl', ""),
        PROVISION,
        DKG.abstract,
    ),
    "provision at position 0": (
        VALID["provision"].replace("dkg:order 7", "dkg:order 0"),
        PROVISION,
        DKG.order,
    ),
    "provision part of no agreement": (
        VALID["provision"].replace("    dct:isPartOf agreement:first-agreement ;\n", ""),
        PROVISION,
        DCTERMS.isPartOf,
    ),
    "implementation event concerning an agreement, not a provision": (
        VALID["provision"].replace(
            "dkg:concernsProvision <https://w3id.org/dialogue-kg/id/agreement/first-agreement/point/7>",
            "dkg:concernsProvision agreement:first-agreement",
        ),
        ID["event/first-agreement-report"],
        DKG.concernsProvision,
    ),
    "source without a title": (
        """\
source:untitled a dkg:Source ;
    rdfs:label "Untitled"@en .
""",
        ID["source/untitled"],
        DCTERMS.title,
    ),
}


def run(
    ontology: Graph,
    shapes: Graph,
    snippet: str,
    *,
    ont_graph: bool = True,
    inference: str = "none",
) -> tuple[bool, list[tuple[Node, Node | None, str]], str]:
    """Validate the context plus ``snippet``; return (conforms, [(focus, path, message)], text)."""
    data = Graph().parse(data=PREFIXES + CONTEXT + snippet, format="turtle")
    conforms, report, text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology if ont_graph else None,
        inference=inference,
    )
    results = [
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results, text


def test_context_is_valid(ontology: Graph, shapes: Graph) -> None:
    conforms, _, text = run(ontology, shapes, "")
    assert conforms, text


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_records_conform(ontology: Graph, shapes: Graph, name: str) -> None:
    conforms, _, text = run(ontology, shapes, VALID[name])
    assert conforms, text


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_records_are_rejected(ontology: Graph, shapes: Graph, name: str) -> None:
    snippet, focus, path = INVALID[name]
    assert snippet not in VALID.values(), "the snippet was not changed"
    conforms, results, text = run(ontology, shapes, snippet)
    assert conforms is False
    assert {(f, p) for f, p, _ in results} == {(focus, path)}, text
    for _, _, message in results:  # the shape's own message, not pySHACL's default
        assert message.startswith(("A ", "An ")), message
        if path is not None:
            assert shapes.qname(path) in message


def test_sh_class_accepts_subclass_instances_from_the_ontology(
    ontology: Graph, shapes: Graph
) -> None:
    """dkg:party expects a dkg:Actor; a dkg:Government is one through the ontology's hierarchy."""
    conforms, _, text = run(ontology, shapes, VALID_AGREEMENT)
    assert conforms, text
    # Without the ontology pySHACL cannot know that a government is an actor.
    conforms, results, _ = run(ontology, shapes, VALID_AGREEMENT, ont_graph=False)
    assert not conforms
    assert (AGREEMENT, DKG.party) in {(f, p) for f, p, _ in results}


def test_the_class_hierarchy_alone_is_enough(ontology: Graph, shapes: Graph) -> None:
    """What dialogue_kg.core.validation does instead of ont_graph: add the rdfs:subClassOf triples
    and the types of the ontology's individuals to the data graph, and validate only the resources
    the change touches (focus_nodes), not the individuals whose types were copied in."""
    data = Graph().parse(data=PREFIXES + CONTEXT + VALID_AGREEMENT, format="turtle")
    touched = sorted(set(data.subjects()))
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        data.add(triple)
    for individual in ontology.subjects(RDF.type, OWL.NamedIndividual):
        for cls in ontology.objects(individual, RDF.type):
            data.add((individual, RDF.type, cls))
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", focus_nodes=touched)
    assert conforms, text


def test_rdfs_inference_would_hide_wrong_links(ontology: Graph, shapes: Graph) -> None:
    """Why inference="none": under RDFS, dkg:author's range types the organisation a dkg:Person."""
    snippet, focus, path = INVALID["op-ed whose author is not a person"]
    _, results, _ = run(ontology, shapes, snippet, inference="rdfs")
    assert (focus, path) not in {(f, p) for f, p, _ in results}


def test_missing_year_is_a_warning_only(ontology: Graph, shapes: Graph) -> None:
    snippet = VALID_AGREEMENT.replace('    dkg:year "2013"^^xsd:gYear ;\n', "")
    data = Graph().parse(data=PREFIXES + CONTEXT + snippet, format="turtle")
    conforms, report, _ = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    assert conforms
    severities = set(report.objects(None, SH.resultSeverity))
    assert severities == {SH.Warning}


@pytest.mark.xfail(
    raises=TypeError,
    strict=True,
    reason="pySHACL 0.40 compares ill-typed literals with <= in sh:lessThanOrEquals and raises "
    "TypeError; the archive must catch ill-typed literals before pySHACL sees them",
)
def test_ill_typed_end_date_is_reported_not_raised(ontology: Graph, shapes: Graph) -> None:
    snippet = VALID_MEETING.replace('dkg:endDate "2013-04-19"', 'dkg:endDate "2013-02-30"')
    conforms, results, _ = run(ontology, shapes, snippet)
    assert not conforms
    assert {(f, p) for f, p, _ in results} == {(MEETING, DKG.endDate)}
