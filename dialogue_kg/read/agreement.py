"""An agreement as people read it: its names, when, where and between whom it was reached, its
provisions in order, whether it was implemented (each side's latest assessment, with date and
source, per provision or per agreement, disagreement shown as such), its sub-agreements, the
meetings and outreach about it, and its documents. Read from a :class:`Description` plus a few
queries; works on the archive now or on a store as of a revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from dialogue_kg.labels import Queryable, best, canonical, fallbacks, in_script, labels, pick
from dialogue_kg.namespaces import DCT_IRI as DCT
from dialogue_kg.namespaces import SKOS_IRI as SKOS
from dialogue_kg.read.describe import DKG, Description, Node, Statement
from dialogue_kg.read.implementation import SIDES, Assessment, history

SIDE_ORDER = (*SIDES, "other")

_PROVISIONS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?number ?order ?label ?summary ?quotation WHERE {
  { <%(iri)s> dct:hasPart ?p } UNION { ?p dct:isPartOf <%(iri)s> }
  ?p a dkg:Provision .
  OPTIONAL { ?p dkg:number ?number } OPTIONAL { ?p dkg:order ?order }
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p dkg:abstract|dct:abstract ?summary }
  OPTIONAL { ?p dkg:quotation ?quotation }
}
"""
_WHEN = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?s ?date ?ym ?year WHERE {
  VALUES ?s { %s }
  OPTIONAL { ?s dkg:date ?date } OPTIONAL { ?s dkg:yearMonth ?ym } OPTIONAL { ?s dkg:year ?year }
}
"""
_DOCUMENTS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?s ?url ?publisher WHERE {
  VALUES ?s { %s }
  OPTIONAL { ?s dkg:url ?url } OPTIONAL { ?s dct:publisher ?publisher }
}
"""


@dataclass
class Ref:
    """A linked resource with its label, and its date when it has one (ISO: day, month or
    year)."""

    iri: str
    label: str
    when: str | None = None


@dataclass
class Text:
    """A text in the language it is written in (for ``lang=`` when it is not the reader's)."""

    value: str
    language: str


@dataclass
class Provision:
    """One numbered point or article, in the agreement's order."""

    iri: str
    number: str | None
    order: int | None
    label: str
    summary: Text | None
    quotation: Text | None


@dataclass
class Document:
    """A source the agreement is recorded from: its record here, its web address, who issued it."""

    iri: str
    label: str
    url: str | None
    publisher: Ref | None
    when: str | None


@dataclass
class Verdict:
    """One side's latest assessment of a provision or agreement."""

    side: str
    assessment: Assessment


@dataclass
class Implementation:
    """What each side last said about some provisions (those with the same latest assessments,
    in the text's order) or, for events that name no provision, about one agreement."""

    subjects: list[Ref]
    is_provision: bool
    latest: list[Verdict]
    assessments: int

    @property
    def disagreement(self) -> bool:
        """True when the sides' latest assessments report different statuses."""
        return len({v.assessment.status for v in self.latest if v.assessment.status}) > 1


@dataclass
class AgreementView:
    """Everything the agreement page shows above the statement table."""

    iri: str
    label: str
    other_names: list[Text]
    summary: Text | None
    note: str | None
    when: str | None
    places: list[Node]
    parties: list[Node]
    negotiators: list[Node]
    facilitators: list[Node]
    process: list[Node]
    nature: list[Node]
    topics: list[Node]
    part_of: list[Node]
    implements: list[Node]
    provisions: list[Provision]
    implementation: list[Implementation]
    history: list[Assessment]
    sub_agreements: list[Ref]
    implemented_by: list[Ref]
    meetings_reached: list[Ref]
    meetings_discussed: list[Ref]
    outreach: list[Ref]
    documents: list[Document]
    labels: dict[str, str] = field(default_factory=dict)


def is_agreement(description: Description) -> bool:
    """True when the resource is a dkg:Agreement."""
    return any(t.value == DKG + "Agreement" for t in description.types)


def agreement_view(source: Queryable, d: Description, lang: str) -> AgreementView | None:
    """The agreement page's reading of ``d`` in ``lang`` (None when ``d`` is no agreement)."""
    if not is_agreement(d):
        return None
    literals = {
        p: [(s.other.value, canonical(s.other.language or "")) for s in d.outgoing if _is(s, p)]
        for p in (SKOS + "altLabel", DKG + "abstract", DCT + "abstract", DKG + "note")
    }
    incoming: dict[str, list[str]] = {}
    for s in d.incoming:
        incoming.setdefault(s.predicate.value, []).append(s.other.value)
    names = {s.other.value: s.other.text for s in d.incoming}
    related = {
        key: incoming.get(DKG + key, [])
        for key in ("partOf", "implements", "reached", "discussed", "discusses")
    }
    dates = dates_of(source, {i for iris in related.values() for i in iris} | {d.iri})
    events = history(source, d.iri, lang)
    provisions = _provisions(source, d.iri, lang)
    documents = _documents(source, d.sources, lang)

    def refs(key: str) -> list[Ref]:
        return by_date({i: Ref(i, names.get(i, i), dates.get(i)) for i in related[key]}.values())

    summary = text_in(literals[DKG + "abstract"] or literals[DCT + "abstract"], lang)
    note = literals[DKG + "note"]
    return AgreementView(
        iri=d.iri,
        label=d.label,
        other_names=_other_names(literals[SKOS + "altLabel"], lang),
        summary=summary,
        note=note[0][0] if note else None,
        when=dates.get(d.iri),
        places=d.values(DKG + "place"),
        parties=d.values(DKG + "party"),
        negotiators=d.values(DKG + "negotiator"),
        facilitators=d.values(DKG + "facilitator"),
        process=d.values(DKG + "process"),
        nature=d.values(DKG + "nature"),
        topics=d.values(DKG + "topic"),
        part_of=d.values(DKG + "partOf"),
        implements=d.values(DKG + "implements"),
        provisions=provisions,
        implementation=_implementation(events, provisions, d.iri, d.label),
        history=events,
        sub_agreements=refs("partOf"),
        implemented_by=[r for r in refs("implements") if r.iri not in related["partOf"]],
        meetings_reached=refs("reached"),
        meetings_discussed=refs("discussed"),
        outreach=refs("discusses"),
        documents=documents,
    )


def by_date(refs: Iterable[Ref]) -> list[Ref]:
    """``refs`` oldest first, undated last, then by label: the order every list of links uses."""
    return sorted(refs, key=lambda r: (r.when or "9999", r.label))


def _is(statement: Statement, predicate: str) -> bool:
    return statement.predicate.value == predicate and not statement.other.is_iri


def text_in(values: list[tuple[str, str]], lang: str) -> Text | None:
    """The best text for ``lang`` with its own language tag."""
    chosen = pick(values, lang)
    return Text(*chosen) if chosen else None


def _other_names(values: list[tuple[str, str]], lang: str) -> list[Text]:
    """Alternative names in the reader's language (or the nearest one that has any)."""
    for tag in fallbacks(lang):
        chosen = [Text(*in_script(text, t, lang)) for text, t in values if t == tag]
        if chosen:
            return chosen
    return [Text(text, tag) for text, tag in values]


def _when(row: dict) -> str | None:
    for var in ("date", "ym", "year"):
        if row[var] is not None:
            return row[var].value
    return None


def dates_of(source: Queryable, iris: set[str]) -> dict[str, str]:
    """Each resource's date (ISO day, else month, else year), queried 500 at a time."""
    out: dict[str, str] = {}
    ordered = sorted(iris)
    for start in range(0, len(ordered), 500):
        chunk = " ".join(f"<{i}>" for i in ordered[start : start + 500])
        for row in source.query(_WHEN % chunk):
            when = _when(row)
            if when and row["s"].value not in out:
                out[row["s"].value] = when
    return out


def _provisions(source: Queryable, iri: str, lang: str) -> list[Provision]:
    found: dict[str, dict] = {}
    for row in source.query(_PROVISIONS % {"iri": iri}):
        entry = found.setdefault(
            row["p"].value,
            {"number": None, "order": None, "label": [], "summary": [], "quotation": []},
        )
        if row["number"] is not None:
            entry["number"] = row["number"].value
        if row["order"] is not None and row["order"].value.lstrip("-").isdigit():
            entry["order"] = int(row["order"].value)
        for var in ("label", "summary", "quotation"):
            term = row[var]
            if term is not None:
                value = (term.value, canonical(term.language or ""))
                if value not in entry[var]:
                    entry[var].append(value)
    out = [
        Provision(
            iri=p,
            number=e["number"],
            order=e["order"],
            label=best(e["label"], lang) or (e["number"] or p.rsplit("/", 1)[-1]),
            summary=text_in(e["summary"], lang),
            quotation=text_in(e["quotation"], lang),
        )
        for p, e in found.items()
    ]
    return sorted(out, key=lambda p: (p.order is None, p.order or 0, p.number or "", p.iri))


def _documents(source: Queryable, nodes: list[Node], lang: str) -> list[Document]:
    iris = sorted({n.value for n in nodes})
    if not iris:
        return []
    chunk = " ".join(f"<{i}>" for i in iris)
    urls: dict[str, str] = {}
    publishers: dict[str, str] = {}
    named: dict[str, str] = {}  # publishers given as text, not as a record
    for row in source.query(_DOCUMENTS % chunk):
        s = row["s"].value
        if row["url"] is not None:
            urls.setdefault(s, row["url"].value)
        publisher = row["publisher"]
        if isinstance(publisher, ox.NamedNode):
            publishers.setdefault(s, publisher.value)
        elif publisher is not None:
            named.setdefault(s, publisher.value)
    names = labels(source, {*iris, *publishers.values()}, lang)
    dates = dates_of(source, set(iris))
    docs = [
        Document(
            iri=i,
            label=names.get(i, i),
            url=urls.get(i),
            publisher=Ref(publishers[i], names.get(publishers[i], publishers[i]))
            if i in publishers
            else Ref("", named[i])
            if i in named
            else None,
            when=dates.get(i),
        )
        for i in iris
    ]
    return sorted(docs, key=lambda d: (d.when or "9999", d.label))


def _implementation(
    events: list[Assessment], provisions: list[Provision], iri: str, label: str
) -> list[Implementation]:
    """Per provision (in order; neighbours with the same latest assessments together), then per
    agreement or sub-agreement an event is about without naming a provision: each side's latest
    assessment (events come earliest first, so the last one seen wins)."""
    by_subject: dict[str, list[Assessment]] = {}
    numbers = {p.iri: p.number or str(i) for i, p in enumerate(provisions, start=1)}
    names: dict[str, tuple[str, bool]] = {}
    for event in events:
        if event.provisions:
            for p, name in event.provisions:
                by_subject.setdefault(p, []).append(event)
                # A sub-agreement's provision goes by its full label, this one's by its number.
                names.setdefault(p, (numbers[p], True) if p in numbers else (name, False))
        else:
            by_subject.setdefault(event.agreement, []).append(event)
            agreement = label if event.agreement == iri else event.agreement_label
            names.setdefault(event.agreement, (agreement, False))
    order = {p.iri: i for i, p in enumerate(provisions)}
    subjects = sorted(
        by_subject,
        key=lambda s: (not names[s][1], order.get(s, len(order)), s != iri, names[s][0]),
    )
    rows: list[Implementation] = []
    for subject in subjects:
        found = by_subject[subject]
        latest: dict[str, Assessment] = {}
        for event in found:
            latest[event.side] = event
        verdicts = [Verdict(s, latest[s]) for s in SIDE_ORDER if s in latest]
        name, is_provision = names[subject]
        last = rows[-1] if rows else None
        if (
            last is not None
            and is_provision
            and last.is_provision
            and [(v.side, v.assessment.event) for v in last.latest]
            == [(v.side, v.assessment.event) for v in verdicts]
        ):
            last.subjects.append(Ref(subject, name))
            continue
        rows.append(Implementation([Ref(subject, name)], is_provision, verdicts, len(found)))
    return rows
