"""The saved-query pages: the catalogue, one query as a table or in a result format, the
workbench page; on the curated archive, with parameters and hostile input."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace

import pytest
from markupsafe import escape

from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol import queries
from webapp import create_app

from ..conftest import DATA, TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
SAVED = queries.catalogue()


@pytest.fixture(scope="module")
def client(curated):
    return create_app({"TESTING": True}, archive=curated).test_client()


def test_catalogue_lists_every_saved_query_with_links(client) -> None:
    page = client.get("/queries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for saved in SAVED:
        assert f'href="/queries/{saved.name}"' in html
        assert f'href="/query?saved={saved.name}"' in html
        assert f"queries/{saved.name}.rq" in html
    assert html.count("<li id=") == len(SAVED)
    # Titles and query text are escaped: the text's IRIs appear as &lt;…&gt;.
    assert "PREFIX dkg: &lt;https://w3id.org/dialogue-kg/ontology#&gt;" in html
    assert "Whom an actor met, and how often" in html
    # The nav lights up for both pages.
    assert 'href="/queries">' in html and 'href="/query">' in html


def test_catalogue_as_json(client) -> None:
    data = client.get("/queries?format=json").get_json()
    assert [d["name"] for d in data] == [q.name for q in SAVED]
    by_name = {d["name"]: d for d in data}
    actor = by_name["meetings-of-an-actor"]
    assert actor["parameters"] == [
        {
            "name": "actor",
            "description": "the person or organisation (default: Edita Tahiri)",
            "default": ID + "person/edita-tahiri",
        }
    ]
    assert actor["workbench"] == "/query?saved=meetings-of-an-actor"
    assert by_name["is-implementation-disputed"]["form"] == "ASK"
    assert by_name["neighbourhood-of-an-agreement"]["form"] == "CONSTRUCT"


def cells(html: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", html)


def test_a_saved_query_runs_as_a_table(client) -> None:
    page = client.get("/queries/contested-names")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<tr>") == 22 + 1  # the rows and the header
    assert "Косово и Метохија" in html and 'lang="sr-cyrl"' in html
    assert '<a href="/queries/contested-names?format=csv">csv</a>' in html
    assert 'href="/query?saved=contested-names"' in html


def test_parameters_come_from_the_url(client) -> None:
    html = client.get("/queries/agreements-of-2-july-2011?day=2011-09-02").get_data(as_text=True)
    found = [c for c in cells(html) if "/agreement/" in c]
    assert len(found) == 2 and "cadastre-2011" in found[0]
    assert 'value="2011-09-02"' in html
    assert "/queries/agreements-of-2-july-2011?format=json&amp;day=2011-09-02" in html
    assert "/query?saved=agreements-of-2-july-2011&amp;day=2011-09-02" in html


def test_ask_and_construct_pages(client) -> None:
    ask = client.get("/queries/is-implementation-disputed").get_data(as_text=True)
    assert "<code>true</code>" in ask
    no = client.get(f"/queries/is-implementation-disputed?agreement={ID}agreement/justice-2015")
    assert "<code>false</code>" in no.get_data(as_text=True)
    graph = client.get("/queries/neighbourhood-of-an-agreement").get_data(as_text=True)
    assert '<pre class="graph">' in graph and "justice-2015" in graph


def test_result_formats_delegate_to_the_endpoint_machinery(client) -> None:
    body = client.get("/queries/contested-names?format=json")
    assert body.mimetype == "application/sparql-results+json"
    assert len(body.get_json()["results"]["bindings"]) == 22
    table = list(csv.reader(io.StringIO(client.get("/queries/contested-names?format=csv").text)))
    assert table[0] == ["thing", "subject", "name", "language", "usedBy"] and len(table) == 23
    assert client.get("/queries/contested-names?format=tsv").mimetype == "text/tab-separated-values"
    assert "<sparql" in client.get("/queries/contested-names?format=xml").text
    turtle = client.get("/queries/neighbourhood-of-an-agreement?format=turtle")
    assert turtle.mimetype == "text/turtle" and "justice-2015" in turtle.text
    wrong = client.get("/queries/contested-names?format=turtle")
    assert wrong.status_code == 406 and "does not fit" in wrong.text


@pytest.mark.parametrize(
    "given",
    [
        ID + "person/hashim-thaci",
        "http://localhost/id/person/hashim-thaci",
        "/id/person/hashim-thaci",
        "id:person/hashim-thaci",
        "Hashim Thaçi",
    ],
)
def test_a_parameter_takes_a_page_address_a_prefixed_name_or_a_name(client, given) -> None:
    expected = client.get(
        "/queries/co-participants-of-an-actor",
        query_string={"actor": ID + "person/hashim-thaci", "format": "json"},
    ).get_json()["results"]["bindings"]
    assert expected
    found = client.get(
        "/queries/co-participants-of-an-actor", query_string={"actor": given, "format": "json"}
    ).get_json()["results"]["bindings"]
    assert found == expected
    page = client.get("/queries/co-participants-of-an-actor", query_string={"actor": given})
    html = page.get_data(as_text=True)
    # Names to pick from, and the links of the answer go to this site's pages.
    assert '<datalist id="param-actor-names">' in html and '<option value="Hashim Thaçi">' in html
    assert 'href="/id/person/' in html and 'href="https://w3id.org/dialogue-kg/id/' not in html


def test_bad_parameters_and_names_are_clear_errors(client) -> None:
    hostile = "<script>alert(1)</script>"
    page = client.get("/queries/implementation-assessments", query_string={"agreement": hostile})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "needs an absolute IRI" in html
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    plain = client.get(
        "/queries/agreements-of-2-july-2011", query_string={"day": "soon", "format": "json"}
    )
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    assert "YYYY-MM-DD" in plain.text
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/queries/..%2Fpyproject").status_code == 404
    assert client.get("/query?saved=no-such-query").status_code == 404
    assert client.get("/query?saved=agreements-of-2-july-2011&day=soon").status_code == 400


def workbench_config(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="workbench-config">(.*?)</script>', html, re.S
    )
    assert block, "no configuration block"
    return json.loads(block.group(1))


def test_workbench_page_carries_its_configuration_as_data(client) -> None:
    page = client.get("/query?saved=labels-missing-a-language&language=sr")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    config = workbench_config(html)
    assert config["endpoint"] == "/sparql"
    assert config["saved"]["name"] == "labels-missing-a-language"
    assert 'VALUES ?language { "sr" }' in config["saved"]["text"]
    assert len(config["catalogue"]) == len(SAVED)
    assert "vendor/yasgui/yasgui.min.js" in html and "workbench.js" in html
    # Every saved query is one click away in the side list.
    for saved in SAVED:
        assert f'data-saved="{saved.name}"' in html
    # No inline script runs: the only inline <script> is the JSON block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="workbench-config"']
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/query").status_code == 200


def test_workbench_configuration_escapes_hostile_text(client) -> None:
    hostile = "</script><script>alert(1)</script>"
    html = client.get(
        "/query", query_string={"saved": "labels-missing-a-language", "language": hostile}
    ).get_data(as_text=True)
    assert hostile not in html
    assert workbench_config(html)["saved"]["text"].count("alert(1)") == 1


def test_result_values_are_escaped(small) -> None:
    small.load(
        (
            "@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"<{ID}person/mallory> a dkg:Person ; "
            f'rdfs:label "<img src=x onerror=alert(1)>"@en ; dkg:source <{TEST_SOURCE}> .\n'
        ).encode(),
        agent="tester",
        fmt="turtle",
        sources=[TEST_SOURCE],
    )
    client = create_app({"TESTING": True}, archive=small).test_client()
    html = client.get(
        "/queries/history-of-a-statement",
        query_string={
            "resource": ID + "person/mallory",
            "property": "http://www.w3.org/2000/01/rdf-schema#label",
        },
    ).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.server
def test_pages_run_saved_queries_in_the_query_workers(settings) -> None:
    with Archive.open(replace(settings, query_workers=1)) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        app = create_app({"TESTING": True}, archive=archive)
        try:
            client = app.test_client()
            args = {"actor": ID + "person/ana"}
            html = client.get("/queries/meetings-of-an-actor", query_string=args).text
            assert "First round" in html and "Boris Example" in html
            data = client.get(
                "/queries/meetings-of-an-actor", query_string={**args, "format": "json"}
            ).get_json()
            assert [b["meeting"]["value"] for b in data["results"]["bindings"]] == [
                ID + "meeting/first-round"
            ]
        finally:
            app.extensions["query_pool"].close()


def test_accept_header_chooses_a_result_format(client) -> None:
    csv_answer = client.get("/queries/contested-names", headers={"Accept": "text/csv"})
    assert csv_answer.mimetype == "text/csv" and csv_answer.text.startswith("thing,subject")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/queries/contested-names", headers={"Accept": browser}).mimetype == (
        "text/html"
    )
    assert client.get("/queries/contested-names", headers={"Accept": "*/*"}).mimetype == (
        "text/html"
    )


@pytest.mark.parametrize("lang", ["en", "sq", "sr-Latn", "sr-Cyrl"])
def test_saved_queries_are_named_in_the_readers_language(client, lang: str) -> None:
    """Catalogue, query page and workbench give each title and description in the reader's
    language (Cyrillic by transliteration of the Serbian Latin), never marked as another one."""
    catalogue = client.get(f"/queries?lang={lang}").get_data(as_text=True)
    workbench = client.get(f"/query?lang={lang}").get_data(as_text=True)
    config = {q["name"]: q["title"] for q in workbench_config(workbench)["catalogue"]}
    for saved in SAVED:
        title, description = saved.title_in(lang)[0], saved.description_in(lang)[0]
        assert f">{escape(title)}</a></h2>" in catalogue
        assert f"<p>{escape(description)}</p>" in catalogue
        assert f">{escape(title)}</a></li>" in workbench and config[saved.name] == title
    page = client.get(f"/queries/agreements-of-2-july-2011?lang={lang}").get_data(as_text=True)
    saved = queries.load("agreements-of-2-july-2011")
    assert f"<h1>{escape(saved.title_in(lang)[0])}</h1>" in page
    assert f"<span>{escape(saved.parameters[0].description_in(lang)[0])}</span>" in page


def test_a_cyrillic_reader_sees_no_latin_query_titles(client) -> None:
    page = client.get("/queries/agreements-of-2-july-2011?lang=sr-Cyrl").get_data(as_text=True)
    assert "<h1>Споразуми постигнути једног дана</h1>" in page
    assert "<span>дан (YYYY-MM-DD)</span>" in page
    shown = page.split("<details")[0]  # the query text below keeps its header as written
    assert "Sporazumi postignuti" not in shown and "Agreements reached on one day" not in shown


def test_the_catalogue_json_gives_every_language(client) -> None:
    data = {d["name"]: d for d in client.get("/queries?format=json").get_json()}
    titles = data["translation-coverage"]["titles"]
    assert titles == {
        "en": "Translation coverage by class",
        "sq": "Mbulimi i përkthimit sipas klasës",
        "sr-Latn": "Pokrivenost prevodom po klasi",
        "sr-Cyrl": "Покривеност преводом по класи",
    }
    assert all(set(d["descriptions"]) == set(titles) for d in data.values())
