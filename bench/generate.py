"""Deterministic generator of synthetic, dialogue-shaped archives for the benchmarks.

For a size such as ``100k`` it writes, into the output folder:

- ``dkg-100k.trig``: the archive's input. One named graph per ~1,000-statement "change set", each
  graph described in the default graph with ``dct:source`` and ``rdfs:comment`` (the graph_data
  convention of docs/vocabulary.md). This is what ``Archive.load`` reads.
- ``dkg-100k.nq`` and ``dkg-100k.raw.trig``: the same dataset as the archive's store holds after
  loading that file (statements in named graphs ``…/changeset/{n}``, one PROV-O description per
  change set in the provenance graph), as N-Quads and TriG, for the raw pyoxigraph and rdflib
  baselines. Every system therefore answers the same queries over the same quads.
- ``dkg-100k.json``: a manifest (counts per kind, the IRIs the parameterised queries use).

Usage: ``python -m bench.generate --size 100k --out bench/data/``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple, TextIO

GENERATOR_VERSION = 1
DEFAULT_SEED = 20110308  # the first meeting of the technical dialogue: 8 March 2011
STATEMENTS_PER_GRAPH = 1_000
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}

BASE = "https://w3id.org/dialogue-kg/"
DKG = BASE + "ontology#"
ID = BASE + "id/"
TOPIC = BASE + "topic/"
AGENT = BASE + "agent/bench"
PROVENANCE_GRAPH = BASE + "graph/changesets"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LOAD_TIME = "2024-01-01T00:00:00.000000Z"

PREFIXES: dict[str, str] = {
    "dkg": DKG,
    "rdfs": RDFS,
    "skos": SKOS,
    "dct": DCT,
    "prov": PROV,
    "xsd": XSD,
    "topic": TOPIC,
    "cs": BASE + "changeset/",
    "agent": BASE + "agent/",
    **{
        kind: f"{ID}{kind}/"
        for kind in (
            "agreement",
            "meeting",
            "person",
            "organisation",
            "place",
            "event",
            "outreach",
            "source",
            "process",
        )
    },
}
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")

STATUSES = [
    "Implemented",
    "PartiallyImplemented",
    "NotImplemented",
    "InProgress",
    "Stalled",
    "Disputed",
]


class Lit(NamedTuple):
    """An RDF literal: a lexical form with a language tag or a datatype (or neither)."""

    value: str
    lang: str | None = None
    dtype: str | None = None


Term = str | Lit  # a str is an IRI
Statement = tuple[str, Term]  # (predicate, object) of one resource


@dataclass
class Resource:
    """One described resource: its IRI, its kind and its statements (predicate, object)."""

    iri: str
    kind: str
    props: list[Statement] = field(default_factory=list)


@dataclass
class Graph:
    """One named graph of the input: one change set when loaded."""

    iri: str
    source: str
    comment: str
    resources: list[Resource]

    @property
    def size(self) -> int:
        """Number of statements in the graph."""
        return sum(len(r.props) for r in self.resources)


# -- rendering ------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class Renderer:
    """Renders terms as N-Triples and as (prefixed) Turtle, with caches for repeated IRIs."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self._ns_to_prefix = {ns: p for p, ns in prefixes.items()}
        self._nt: dict[str, str] = {}
        self._ttl: dict[str, str] = {}

    def header(self) -> str:
        """The @prefix lines."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items())

    def nt(self, term: Term) -> str:
        """N-Triples form of a term."""
        if isinstance(term, Lit):
            body = f'"{_escape(term.value)}"'
            if term.lang:
                return f"{body}@{term.lang}"
            return f"{body}^^<{term.dtype}>" if term.dtype else body
        out = self._nt.get(term)
        if out is None:
            out = self._nt[term] = f"<{term}>"
        return out

    def ttl(self, term: Term) -> str:
        """Turtle form of a term, prefixed where the local name allows it."""
        if isinstance(term, Lit):
            body = f'"{_escape(term.value)}"'
            if term.lang:
                return f"{body}@{term.lang}"
            if term.dtype == XSD + "integer":
                return term.value
            if term.dtype:
                return f"{body}^^{self.ttl(term.dtype)}"
            return body
        out = self._ttl.get(term)
        if out is None:
            cut = max(term.rfind("/"), term.rfind("#")) + 1
            prefix = self._ns_to_prefix.get(term[:cut])
            local = term[cut:]
            if prefix is not None and _LOCAL.match(local):
                out = f"{prefix}:{local}"
            else:
                out = f"<{term}>"
            if term == RDF_TYPE:
                out = "a"
            self._ttl[term] = out
        return out


def _trig_block(r: Renderer, resource: Resource) -> str:
    """One subject block in Turtle syntax (predicates grouped, objects joined by commas)."""
    lines: list[str] = []
    last_p = None
    objects: list[str] = []
    for p, o in resource.props:
        if p != last_p:
            if last_p is not None:
                lines.append(f"{r.ttl(last_p)} {' , '.join(objects)}")
            last_p, objects = p, []
        objects.append(r.ttl(o))
    if last_p is not None:
        lines.append(f"{r.ttl(last_p)} {' , '.join(objects)}")
    return f"{r.ttl(resource.iri)} " + " ;\n    ".join(lines) + " .\n"


# -- names and values -----------------------------------------------------------------------------

SQ_FIRST = (
    "Arben Besnik Blerim Dardan Driton Edona Fatmir Flora Genc Ilir Jeta Kushtrim Labinot "
    "Liridona Mimoza Nora Petrit Rina Shpend Teuta Valdete Vjosa Xhevdet Zana Agim Albulena "
    "Bekim Dritëro Fitore Gëzim Lulzim Qëndrim Arbnora Shqipe"
).split()
SQ_LAST = (
    "Krasniqi Gashi Berisha Hoxha Morina Shala Bytyqi Kastrati Rexhepi Thaçi Mustafa Ahmeti "
    "Zeqiri Çitaku Hyseni Tahiri Bislimi Gërvalla Rugova Sejdiu Kelmendi Musliu Osmani Hajdari"
).split()
SR_FIRST = (
    "Aleksandar Branislav Dragan Dušan Goran Ivana Jelena Marko Milan Milica Nemanja Nikola "
    "Petar Snežana Stefan Tatjana Vladimir Zoran Željko Đorđe Ljiljana Miloš Dejan Jovana"
).split()
SR_LAST = (
    "Jovanović Petrović Nikolić Marković Đorđević Stojanović Ilić Stanković Pavlović Popović "
    "Kovačević Simić Radović Lazić Petković Stefanović Rakić Živković Todorović Obradović"
).split()
EU_FIRST = "Anna Thomas Marie Jan Sofia Luca Elena Peter Katarina Johannes Ines Pieter".split()
EU_LAST = "Müller Rossi Dubois Novak Andersson García Schmidt Kowalski Horvat Costa".split()

_SR_TO_SQ = {"Dž": "Xh", "dž": "xh", "Đ": "Gj", "đ": "gj", "Ć": "Q", "ć": "q", "Č": "Ç", "č": "ç"}
_SR_TO_SQ |= {"Š": "Sh", "š": "sh", "Ž": "Zh", "ž": "zh"}
_SQ_TO_SR = {"Xh": "Dž", "xh": "dž", "Gj": "Đ", "gj": "đ", "Sh": "Š", "sh": "š", "Zh": "Ž"}
_SQ_TO_SR |= {"zh": "ž", "Th": "T", "th": "t", "Dh": "D", "dh": "d", "Ç": "Č", "ç": "č"}
_SQ_TO_SR |= {"Q": "Ć", "q": "ć", "ë": "e", "Ë": "E", "y": "i", "Y": "I"}


def _transliterate(text: str, table: dict[str, str]) -> str:
    for a, b in table.items():
        text = text.replace(a, b)
    return text


def slug(text: str) -> str:
    """A readable lower-case ASCII slug."""
    import unicodedata

    text = text.replace("đ", "dj").replace("Đ", "Dj")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def _table(text: str) -> list[tuple[str, ...]]:
    """Rows of a '|'-separated table; an empty cell is None."""
    rows = []  # a line ending in a backslash continues on the next (Python joins them)
    for line in text.strip().splitlines():
        rows.append(tuple(cell.strip() or None for cell in line.split("|")))
    return rows  # type: ignore[return-value]


# slug | English | Albanian | Serbian (Latin)
PLACES = _table("""
brussels | Brussels | Bruksel | Brisel
prishtina | Prishtina | Prishtinë | Priština
belgrade | Belgrade | Beograd | Beograd
north-mitrovica | North Mitrovica | Mitrovicë e Veriut | Severna Mitrovica
south-mitrovica | South Mitrovica | Mitrovicë e Jugut | Južna Mitrovica
gracanica | Gračanica | Graçanicë | Gračanica
zvecan | Zvečan | Zveçan | Zvečan
leposavic | Leposavić | Leposaviq | Leposavić
zubin-potok | Zubin Potok | Zubin Potok | Zubin Potok
jarinje | Jarinje | Jarinjë | Jarinje
merdare | Merdare | Merdarë | Merdare
prizren | Prizren | Prizren | Prizren
peja | Peja | Pejë | Peć
gjakova | Gjakova | Gjakovë | Đakovica
ferizaj | Ferizaj | Ferizaj | Uroševac
gjilan | Gjilan | Gjilan | Gnjilane
washington | Washington | Uashington | Vašington
ohrid | Ohrid | Ohër | Ohrid
skopje | Skopje | Shkup | Skoplje
novi-sad | Novi Sad | Novi Sad | Novi Sad
""")
TOPICS = _table("""
freedom-of-movement | Freedom of movement | Liria e lëvizjes | Sloboda kretanja
civil-registry | Civil registry | Regjistri civil | Matične knjige
customs | Customs | Dogana | Carina
cadastre | Cadastre | Kadastri | Katastar
university-diplomas | University diplomas | Diplomat universitare | Univerzitetske diplome
integrated-border-management | Integrated border management | Menaxhimi i integruar i kufirit \
    | Integrisano upravljanje granicom
regional-cooperation | Regional cooperation | Bashkëpunimi rajonal | Regionalna saradnja
energy | Energy | Energjia | Energetika
telecommunications | Telecommunications | Telekomunikacionet | Telekomunikacije
police | Police | Policia | Policija
justice | Justice | Drejtësia | Pravosuđe
association-of-municipalities | Association of Serb-majority municipalities \
    | Asociacioni i komunave me shumicë serbe | Zajednica srpskih opština
licence-plates | Licence plates | Targat e automjeteve | Registarske tablice
missing-persons | Missing persons | Personat e zhdukur | Nestala lica
mitrovica-bridge | Mitrovica bridge | Ura e Mitrovicës | Most u Mitrovici
liaison-officers | Liaison officers | Zyrtarët ndërlidhës | Oficiri za vezu
elections | Elections | Zgjedhjet | Izbori
normalisation | Normalisation | Normalizimi | Normalizacija
trade | Trade | Tregtia | Trgovina
insurance | Insurance | Sigurimet | Osiguranje
civil-protection | Civil protection | Mbrojtja civile | Civilna zaštita
identity-documents | Identity documents | Dokumentet e identitetit | Lične isprave
religious-heritage | Religious heritage | Trashëgimia fetare | Versko nasleđe
economy | Economy | Ekonomia | Ekonomija
""")
# slug | English | Albanian | Serbian (Latin) | first year | last year
PROCESSES = [
    (*row[:4], int(row[4]), int(row[5]))  # type: ignore[arg-type]
    for row in _table("""
technical-dialogue | Technical dialogue | Dialogu teknik | Tehnički dijalog | 2011 | 2012
high-level-dialogue | High-level dialogue | Dialogu i nivelit të lartë | Dijalog na visokom nivou \
    | 2012 | 2019
washington-process | Washington process | Procesi i Uashingtonit | Vašingtonski proces | 2020 | 2020
normalisation-dialogue | Dialogue on normalisation | Dialogu për normalizim \
    | Dijalog o normalizaciji | 2021 | 2023
""")
]
# slug | English | Albanian | Serbian (Latin) | class | role in the generated data
ORGANISATIONS = _table("""
european-union | European Union | Bashkimi Evropian | Evropska unija | Government | eu
government-of-kosovo | Government of Kosovo | Qeveria e Kosovës | Vlada Kosova | Government | party
government-of-serbia | Government of Serbia | Qeveria e Serbisë | Vlada Srbije | Government | party
kosovo-delegation | Kosovo delegation | Delegacioni i Kosovës | Delegacija Kosova \
    | Delegation | delegation
serbian-delegation | Serbian delegation | Delegacioni i Serbisë | Delegacija Srbije \
    | Delegation | delegation
eeas | European External Action Service | | | Organisation | publisher
council-of-the-eu | Council of the European Union | | | Organisation | publisher
eulex-kosovo | EULEX Kosovo | | | Organisation | publisher
koha-ditore | Koha Ditore | | | Organisation | outlet
blic | Blic | | | Organisation | outlet
danas | Danas | | | Organisation | outlet
politika | Politika | | | Organisation | outlet
european-western-balkans | European Western Balkans | | | Organisation | outlet
insajderi | Insajderi | | | Organisation | outlet
kossev | Kosovo Sever Portal | | | Organisation | outlet
kcss | Kosovar Centre for Security Studies | | | Organisation | ngo
bfpe | Belgrade Fund for Political Excellence | | | Organisation | ngo
d4d | Democracy for Development | | | Organisation | ngo
""")

# Resources of each kind per 10,000 statements (tuned so that sizes land near their target).
PER_10K = {
    "source": 90,
    "organisation": 8,
    "person": 100,
    "agreement": 32,
    "meeting": 160,
    "event": 265,
    "oped": 150,
}


# -- the generator --------------------------------------------------------------------------------


def _d(day: date) -> Lit:
    return Lit(day.isoformat(), dtype=XSD + "date")


def _y(day: date) -> Lit:
    return Lit(str(day.year), dtype=XSD + "gYear")


def _int(n: int) -> Lit:
    return Lit(str(n), dtype=XSD + "integer")


def _labels(en: str, sq: str | None, sr: str | None, p: str = RDFS + "label") -> list[Statement]:
    out: list[Statement] = [(p, Lit(en, "en"))]
    if sq:
        out.append((p, Lit(sq, "sq")))
    if sr:
        out.append((p, Lit(sr, "sr-Latn")))
    return out


FIRST_DAY = date(2011, 1, 1)
LAST_DAY = date(2023, 12, 31)
_SPAN = (LAST_DAY - FIRST_DAY).days


class Synth:
    """Builds one synthetic archive (every choice drawn from one seeded RNG)."""

    def __init__(self, target: int, seed: int = DEFAULT_SEED) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.scale = max(target / 10_000, 0.5)
        self.count = {k: max(int(round(v * self.scale)), 4) for k, v in PER_10K.items()}
        self.resources: dict[str, list[Resource]] = {}
        self._slugs: set[str] = set()

    # -- helpers ----------------------------------------------------------------------------------

    def _iri(self, kind: str, text: str) -> str:
        base = f"{ID}{kind}/{slug(text)}"
        iri, n = base, 1
        while iri in self._slugs:
            n += 1
            iri = f"{base}-{n}"
        self._slugs.add(iri)
        return iri

    def _skewed(self, items: list, power: float = 2.0):  # noqa: ANN202 - any item
        """An item, the first ones much more often (a few actors dominate, as in reality)."""
        return items[int(len(items) * self.rng.random() ** power)]

    def _day(self, lo: date = FIRST_DAY, hi: date = LAST_DAY) -> date:
        lo, hi = max(lo, FIRST_DAY), min(hi, LAST_DAY)
        if hi <= lo:
            return lo
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _source(self) -> str:
        return self.rng.choice(self.sources)

    # -- kinds ------------------------------------------------------------------------------------

    def build(self) -> dict[str, list[Resource]]:
        """Every resource, by kind, in load order."""
        orgs = self._organisations()
        self.sources_res = self._sources(orgs)
        self.sources = [r.iri for r in self.sources_res]
        for r in orgs:
            r.props.append((DKG + "source", self._source()))
        self.resources["source"] = self.sources_res
        self.resources["organisation"] = orgs
        self.resources["process"] = self._processes()
        self.resources["topic"] = self._topics()
        self.resources["place"] = self._places()
        self.resources["person"] = self._persons()
        self.resources["agreement"] = self._agreements()
        self.resources["meeting"] = self._meetings()
        self.resources["event"] = self._events()
        self.resources["oped"] = self._opeds()
        for rs in self.resources.values():
            for r in rs:
                r.props = list(dict.fromkeys(r.props))
        return self.resources

    def _organisations(self) -> list[Resource]:
        out = []
        self.org_role: dict[str, list[str]] = {}
        for key, en, sq, sr, cls, role in ORGANISATIONS:
            iri = self._iri("organisation", key)
            props = [(RDF_TYPE, DKG + cls), *_labels(en, sq, sr)]
            out.append(Resource(iri, "organisation", props))
            self.org_role.setdefault(role, []).append(iri)
        for i in range(1, self.count["organisation"] + 1):
            iri = self._iri("organisation", f"civic-initiative-{i}")
            labels = _labels(
                f"Civic Initiative {i}", f"Iniciativa qytetare {i}", f"Građanska inicijativa {i}"
            )
            out.append(Resource(iri, "organisation", [(RDF_TYPE, DKG + "Organisation"), *labels]))
            self.org_role["ngo"].append(iri)
        self.eu, self.kosovo, self.serbia = (out[0].iri, out[1].iri, out[2].iri)
        self.delegations = self.org_role["delegation"]
        return out

    def _sources(self, orgs: list[Resource]) -> list[Resource]:
        publishers = self.org_role["publisher"] + self.org_role["outlet"] + self.org_role["ngo"]
        names = {r.iri: r.props[1][1].value for r in orgs}  # type: ignore[union-attr]
        out = []
        for _ in range(self.count["source"]):
            pub = self._skewed(publishers, 1.5)
            day = self._day()
            title = f"{names[pub]}: statement of {day.day} {day:%B %Y}"
            iri = self._iri("source", f"{pub.rsplit('/', 1)[1]}-{day.isoformat()}")
            props = [
                (RDF_TYPE, DKG + "Source"),
                (RDFS + "label", Lit(title, "en")),
                (DCT + "title", Lit(title)),
                (DCT + "publisher", pub),
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                (DKG + "source", iri),
            ]
            out.append(Resource(iri, "source", props))
        return out

    def _processes(self) -> list[Resource]:
        out = []
        self.process_by_year: dict[int, str] = {}
        for key, en, sq, sr, start, end in PROCESSES:
            iri = self._iri("process", key)
            day = date(start, 3 if start == 2011 else 1, 8)
            props = [
                (RDF_TYPE, DKG + "DialogueProcess"),
                *_labels(en, sq, sr),
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                (DKG + "facilitator", self.eu),
                (DKG + "source", self._source()),
            ]
            out.append(Resource(iri, "process", props))
            for y in range(start, end + 1):
                self.process_by_year[y] = iri
        return out

    def _topics(self) -> list[Resource]:
        extra = [
            (f"sub-topic-{i}", f"Sub-topic {i}", f"Nëntema {i}", f"Podtema {i}")
            for i in range(1, int(self.scale) + 1)
        ]
        out = []
        for key, en, sq, sr in [*TOPICS, *extra]:
            iri = TOPIC + key
            props = [
                (RDF_TYPE, DKG + "Topic"),
                (SKOS + "inScheme", TOPIC + "scheme"),
                *_labels(en, sq, sr, SKOS + "prefLabel"),
                *_labels(en, sq, sr),
                (DKG + "source", self._source()),
            ]
            out.append(Resource(iri, "topic", props))
        self.topics = out
        self.topic_names = {
            r.iri: (en, sq, sr) for r, (_, en, sq, sr) in zip(out, TOPICS, strict=False)
        }
        return out

    def _places(self) -> list[Resource]:
        extra = [
            (f"municipality-{i}", f"Municipality {i}", f"Komuna {i}", f"Opština {i}")
            for i in range(1, int(self.scale) * 2 + 1)
        ]
        out = []
        for key, en, sq, sr in [*PLACES, *extra]:
            iri = self._iri("place", key)
            props = [
                (RDF_TYPE, DKG + "Place"),
                *_labels(en, sq, sr),
                (DKG + "source", self._source()),
            ]
            out.append(Resource(iri, "place", props))
        self.places = [r.iri for r in out]
        self.place_names = {
            r.iri: (en, sq, sr) for r, (_, en, sq, sr) in zip(out, PLACES + extra, strict=True)
        }
        return out

    def _persons(self) -> list[Resource]:
        out = []
        self.people: dict[str, list[str]] = {"kosovo": [], "serbia": [], "eu": []}
        n = self.count["person"]
        for i in range(n):
            side = ("kosovo", "serbia", "eu")[0 if i % 20 < 9 else 1 if i % 20 < 18 else 2]
            if side == "kosovo":
                sq = f"{self.rng.choice(SQ_FIRST)} {self.rng.choice(SQ_LAST)}"
                en, sr = sq, _transliterate(sq, _SQ_TO_SR)
                comment = "Member of the Kosovo delegation in the dialogue."
            elif side == "serbia":
                sr = f"{self.rng.choice(SR_FIRST)} {self.rng.choice(SR_LAST)}"
                en, sq = sr, _transliterate(sr, _SR_TO_SQ)
                comment = "Member of the Serbian delegation in the dialogue."
            else:
                en = f"{self.rng.choice(EU_FIRST)} {self.rng.choice(EU_LAST)}"
                sq = sr = en
                comment = "EU official facilitating the dialogue."
            iri = self._iri("person", en)
            props = [
                (RDF_TYPE, DKG + "Person"),
                *_labels(en, sq, sr),
                (RDFS + "comment", Lit(comment, "en")),
                (DKG + "source", self._source()),
            ]
            out.append(Resource(iri, "person", props))
            self.people[side].append(iri)
        self.all_people = [r.iri for r in out]
        return out

    def _agreements(self) -> list[Resource]:
        out: list[Resource] = []
        self.agreement_day: dict[str, date] = {}
        self.agreement_label: dict[str, str] = {}
        named = list(self.topic_names.items())
        n = self.count["agreement"]
        status = [DKG + s for s in STATUSES]

        def make(parent: str | None, depth: int, day: date, topic: str) -> None:
            if len(out) >= n:
                return
            en_t, sq_t, sr_t = self.topic_names[topic]
            k = len(out) + 1
            if parent is None:
                en = f"Agreement on {en_t.lower()} ({day.year})"
                sq = f"Marrëveshja për {sq_t.lower()} ({day.year})"
                sr = f"Sporazum o temi {sr_t.lower()} ({day.year})"
            else:
                en = f"Implementation protocol {k} on {en_t.lower()} ({day.year})"
                sq = f"Protokolli i zbatimit {k} për {sq_t.lower()} ({day.year})"
                sr = f"Protokol o primeni {k}, {sr_t.lower()} ({day.year})"
            iri = self._iri("agreement", en)
            doc = self._source()
            props: list[Statement] = [
                (RDF_TYPE, DKG + "Agreement"),
                *_labels(en, sq, sr),
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                (DKG + "nature", DKG + ("Political" if parent is None else "Technical")),
                (DKG + "process", self.process_by_year[day.year]),
                (DKG + "party", self.kosovo),
                (DKG + "party", self.serbia),
                (DKG + "facilitator", self.eu),
                (DKG + "negotiator", self._skewed(self.people["kosovo"])),
                (DKG + "negotiator", self._skewed(self.people["serbia"])),
                (DKG + "status", self.rng.choice(status)),
                (DKG + "topic", topic),
                (DKG + "place", self.places[0]),
                (DKG + "document", doc),
                (DKG + "source", doc),
            ]
            if parent is not None:
                props.append((DKG + "partOf", parent))
            out.append(Resource(iri, "agreement", props))
            self.agreement_day[iri], self.agreement_label[iri] = day, en
            if depth < 5:
                for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3) if depth < 2 else (0, 0, 1, 1))):
                    make(iri, depth + 1, self._day(day, day + timedelta(days=500)), topic)

        while len(out) < n:
            topic = self.rng.choice(named)[0]
            make(None, 0, self._day(hi=date(2023, 6, 30)), topic)
        self.agreements = [r.iri for r in out]
        return out

    def _meetings(self) -> list[Resource]:
        out = []
        levels = [DKG + "TechnicalRound", DKG + "HighLevel", DKG + "WorkingGroup"]
        round_no: dict[str, int] = {}
        days = sorted(self._day() for _ in range(self.count["meeting"]))
        for day in days:
            process = self.process_by_year[day.year]
            round_no[process] = round_no.get(process, 0) + 1
            place = self.places[0] if self.rng.random() < 0.6 else self._skewed(self.places)
            pen, psq, psr = self.place_names[place]
            pr_en, pr_sq, pr_sr = next(
                (en, sq, sr) for key, en, sq, sr, *_ in PROCESSES if process.endswith("/" + key)
            )
            n = round_no[process]
            labels = _labels(
                f"Meeting {n} of the {pr_en.lower()}, {pen} ({day.isoformat()})",
                f"Takimi {n} i procesit {pr_sq.lower()}, {psq} ({day.isoformat()})",
                f"Sastanak {n}, {pr_sr.lower()}, {psr} ({day.isoformat()})",
            )
            iri = self._iri("meeting", f"{slug(pr_en)}-{n}-{day.isoformat()}")
            facilitator = self._skewed(self.people["eu"], 1.5)
            participants = [facilitator]
            for side in ("kosovo", "serbia"):
                participants += [
                    self._skewed(self.people[side], 2.5) for _ in range(self.rng.randint(1, 4))
                ]
            props: list[Statement] = [
                (RDF_TYPE, DKG + "Meeting"),
                *labels,
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                (DKG + "meetingLevel", self.rng.choice(levels)),
                (DKG + "process", process),
                (DKG + "place", place),
                *((DKG + "participant", p) for p in participants),
                *((DKG + "delegation", d) for d in self.delegations),
                (DKG + "facilitator", facilitator),
                *((DKG + "discussed", self._skewed(self.agreements, 1.5)) for _ in range(2)),
                (DKG + "roundNumber", _int(n)),
                (DKG + "outcome", Lit(f"The parties discussed open issues in {pen}.", "en")),
                (DKG + "topic", self.rng.choice(self.topics).iri),
                (DKG + "source", self._source()),
            ]
            if self.rng.random() < 0.15:
                props.append((DKG + "reached", self.rng.choice(self.agreements)))
            out.append(Resource(iri, "meeting", props))
        self.meetings = [r.iri for r in out]
        return out

    def _events(self) -> list[Resource]:
        out = []
        asserters = [self.eu, self.kosovo, self.serbia, *self.org_role["ngo"]]
        status_en = {
            "Implemented": "implemented",
            "PartiallyImplemented": "partially implemented",
            "NotImplemented": "not implemented",
            "InProgress": "in progress",
            "Stalled": "stalled",
            "Disputed": "disputed",
        }
        self.hot_agreement = self.agreements[0]
        for i in range(1, self.count["event"] + 1):
            if self.rng.random() < 0.05:
                agreement = self.hot_agreement
            else:
                agreement = self._skewed(self.agreements, 1.3)
            start = self.agreement_day[agreement]
            day = self._day(start, start + timedelta(days=6 * 365))
            st = self.rng.choice(STATUSES)
            en = (
                f"Implementation report {i}: {self.agreement_label[agreement]} "
                f"{status_en[st]} ({day.isoformat()})"
            )
            iri = self._iri("event", f"implementation-report-{i}-{day.isoformat()}")
            props: list[Statement] = [
                (RDF_TYPE, DKG + "ImplementationEvent"),
                (RDFS + "label", Lit(en, "en")),
                (DKG + "agreement", agreement),
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                (DKG + "reportedStatus", DKG + st),
                (DKG + "assertedBy", self._skewed(asserters, 1.5)),
                (DKG + "source", self._source()),
                (DKG + "sourceLocator", Lit(f"p. {self.rng.randint(1, 120)}")),
            ]
            out.append(Resource(iri, "event", props))
        return out

    def _opeds(self) -> list[Resource]:
        out = []
        outlets = self.org_role["outlet"]
        templates = [
            "Why the {t} agreement matters",
            "{T}: what went wrong in the dialogue",
            "A view from {p} on {t}",
            "The dialogue after {p}: {t} revisited",
        ]
        for i in range(1, self.count["oped"] + 1):
            day = self._day()
            topic = self.rng.choice(self.topics)
            t = topic.props[2][1].value  # type: ignore[union-attr] - the English prefLabel
            place = self._skewed(self.places, 1.5)
            title = self.rng.choice(templates).format(
                t=t.lower(), T=t, p=self.place_names[place][0]
            )
            iri = self._iri("outreach", f"oped-{i}-{title}")
            props: list[Statement] = [
                (RDF_TYPE, DKG + "OpEd"),
                (RDFS + "label", Lit(title, "en")),
                (DKG + "author", self._skewed(self.all_people, 1.5)),
                (DKG + "outlet", self.rng.choice(outlets)),
                (DKG + "date", _d(day)),
                (DKG + "year", _y(day)),
                *(
                    (DKG + "discusses", self._skewed(self.agreements, 1.5))
                    for _ in range(self.rng.randint(1, 2))
                ),
                (DKG + "topic", topic.iri),
                (DKG + "abstract", Lit(f"An opinion on {t.lower()} in the dialogue.", "en")),
                (DKG + "source", self._source()),
            ]
            out.append(Resource(iri, "oped", props))
        return out


def chunk(resources: dict[str, list[Resource]], label: str, sources: list[str]) -> list[Graph]:
    """Group resources, in order, into named graphs of about STATEMENTS_PER_GRAPH statements."""
    graphs: list[Graph] = []
    rng = random.Random(len(sources))
    part: list[Resource] = []
    size = 0
    for items in resources.values():
        for r in items:
            part.append(r)
            size += len(r.props)
            if size >= STATEMENTS_PER_GRAPH:
                graphs.append(_graph(label, len(graphs) + 1, part, rng.choice(sources)))
                part, size = [], 0
    if part:
        graphs.append(_graph(label, len(graphs) + 1, part, rng.choice(sources)))
    return graphs


def _graph(label: str, n: int, part: list[Resource], source: str) -> Graph:
    kinds = ", ".join(dict.fromkeys(r.kind for r in part))
    iri = f"{BASE}import/synthetic-{label}/part-{n:04d}"
    return Graph(iri, source, f"Synthetic records ({kinds}), part {n} of bench {label}", part)


def provenance(graphs: list[Graph]) -> list[Resource]:
    """The PROV-O description the archive writes for each change set
    (dialogue_kg.core.provenance)."""
    out = [Resource(AGENT, "agent", [(RDF_TYPE, PROV + "Agent")])]
    for i, g in enumerate(graphs, start=1):
        cs = f"{BASE}changeset/{i}"
        props: list[Statement] = [
            (RDF_TYPE, DKG + "ChangeSet"),
            (RDF_TYPE, PROV + "Bundle"),
            (DKG + "revision", _int(i)),
            (PROV + "generatedAtTime", Lit(LOAD_TIME, dtype=XSD + "dateTime")),
            (PROV + "wasAttributedTo", AGENT),
            (DKG + "digest", Lit(hashlib.sha256(g.iri.encode()).hexdigest())),
            (DKG + "addedCount", _int(g.size)),
            (DKG + "removedCount", _int(0)),
        ]
        if i > 1:
            props.append((DKG + "previousChangeSet", f"{BASE}changeset/{i - 1}"))
        props += [
            (DCT + "source", g.source),
            (RDFS + "comment", Lit(g.comment)),
            (DKG + "importedGraph", g.iri),
        ]
        out.append(Resource(cs, "changeset", props))
    return out


# -- writing --------------------------------------------------------------------------------------


def _write_input_trig(fh: TextIO, graphs: list[Graph], r: Renderer) -> None:
    fh.write(
        "# Synthetic dialogue-shaped archive for dialogue-kg benchmarks (bench/generate.py).\n"
    )
    fh.write(r.header() + "\n")
    for g in graphs:
        fh.write(
            f"{r.ttl(g.iri)} dct:source {r.ttl(g.source)} ;\n"
            f"    rdfs:comment {r.ttl(Lit(g.comment))} .\n"
        )
    for g in graphs:
        fh.write(f"\n{r.ttl(g.iri)} {{\n")
        fh.writelines(_trig_block(r, res) for res in g.resources)
        fh.write("}\n")


def _write_raw_trig(fh: TextIO, graphs: list[Graph], prov: list[Resource], r: Renderer) -> None:
    fh.write(
        "# The dataset an archive holds after loading the matching .trig (bench/generate.py)\n"
    )
    fh.write(r.header())
    for i, g in enumerate(graphs, start=1):
        fh.write(f"\ncs:{i} {{\n")
        fh.writelines(_trig_block(r, res) for res in g.resources)
        fh.write("}\n")
    fh.write(f"\n<{PROVENANCE_GRAPH}> {{\n")
    fh.writelines(_trig_block(r, res) for res in prov)
    fh.write("}\n")


def _nquads(graph: str, resources: Iterable[Resource], r: Renderer) -> Iterator[str]:
    g = f"<{graph}>"
    for res in resources:
        s = r.nt(res.iri)
        for p, o in res.props:
            yield f"{s} {r.nt(p)} {r.nt(o)} {g} .\n"


def _write_nquads(fh: TextIO, graphs: list[Graph], prov: list[Resource], r: Renderer) -> None:
    for i, g in enumerate(graphs, start=1):
        fh.writelines(_nquads(f"{BASE}changeset/{i}", g.resources, r))
    fh.writelines(_nquads(PROVENANCE_GRAPH, prov, r))


def parse_size(text: str) -> tuple[str, int]:
    """('100k', 100000) from '100k', '1m', '2.5m' or '50000'."""
    key = text.strip().lower()
    if key in SIZES:
        return key, SIZES[key]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", key)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 10k, 100k, 1m)")
    n = int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)])
    return key, n


def paths(out: Path, label: str) -> dict[str, Path]:
    """The files written for one size."""
    stem = out / f"dkg-{label}"
    return {
        "trig": stem.with_suffix(".trig"),
        "nquads": stem.with_suffix(".nq"),
        "raw_trig": stem.with_suffix(".raw.trig"),
        "manifest": stem.with_suffix(".json"),
    }


def generate(label: str, target: int, out: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write the files of one size; return the manifest."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    synth = Synth(target, seed)
    resources = synth.build()
    graphs = chunk(resources, label, synth.sources)
    prov = provenance(graphs)
    files = paths(out, label)
    r = Renderer({**PREFIXES, "imp": f"{BASE}import/synthetic-{label}/"})
    with open(files["trig"], "w", encoding="utf-8") as fh:
        _write_input_trig(fh, graphs, r)
    with open(files["raw_trig"], "w", encoding="utf-8") as fh:
        _write_raw_trig(fh, graphs, prov, r)
    with open(files["nquads"], "w", encoding="utf-8") as fh:
        _write_nquads(fh, graphs, prov, r)
    statements = sum(g.size for g in graphs)
    prov_quads = sum(len(p.props) for p in prov)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "size": label,
        "target_statements": target,
        "statements": statements,
        "graphs": len(graphs),
        "graph_descriptions": 2 * len(graphs),
        "provenance_quads": prov_quads,
        "store_quads": statements + prov_quads,
        "resources": {k: len(v) for k, v in resources.items()},
        "statements_by_kind": {k: sum(len(r.props) for r in v) for k, v in resources.items()},
        "agent": AGENT,
        "params": {
            "agreement": synth.hot_agreement,
            "person": synth.people["kosovo"][0],  # the busiest Kosovo negotiator
            "search": "mitrovica",
        },
        "files": {k: str(v.name) for k, v in files.items() if k != "manifest"},
        "generate_seconds": round(time.perf_counter() - started, 3),
    }
    files["manifest"].write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def ensure(label: str, target: int, out: Path, seed: int = DEFAULT_SEED) -> dict:
    """The manifest of one size, generating the files if missing or made by another version."""
    files = paths(out, label)
    if all(p.exists() for p in files.values()):
        manifest = json.loads(files["manifest"].read_text(encoding="utf-8"))
        if manifest.get("generator_version") == GENERATOR_VERSION and manifest["seed"] == seed:
            return manifest
    return generate(label, target, out, seed)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one or more sizes."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--size", default="10k", help="comma-separated sizes: 10k, 100k, 1m, or a number"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    for text in args.size.split(","):
        label, target = parse_size(text)
        m = generate(label, target, args.out, args.seed)
        print(
            f"{label}: {m['statements']:,} statements in {m['graphs']} graphs "
            f"(+{m['provenance_quads']:,} provenance quads) -> {args.out} "
            f"in {m['generate_seconds']:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
