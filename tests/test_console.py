"""The query console (/requetes) through Flask's test client, on the hand-built territory.

Every bad input gives one French message in the page (or the JSON error shape under
/api/) and changes nothing in the graph; everything shown is escaped.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from graph.model import Structure
from test_queries import gap_territory, write_records
from web import create_app


@pytest.fixture
def gap_store(store):
    """The hand-built territory on a fresh graph, plus a structure whose name is markup."""
    write_records(store, gap_territory() + [
        Structure(id="590000666", name="<script>alert('x')</script> & Cie", category_code="500",
                  category_label="EHPAD", commune="59002")])
    return store


@pytest.fixture
def gap_client(gap_store):
    """A test client of the viewer on the hand-built territory, "today" fixed."""
    app = create_app({"TESTING": True, "STORE": gap_store, "SECRET_KEY": "test", "TODAY": "2026-01-15",
                      "QUERY_TIMEOUT_MS": 5000})
    return app.test_client()


def test_library_page_lists_every_gap_query(gap_client):
    """/requetes shows the library by theme, every gap query linked by its French title."""
    from graph.queries import list_queries

    res = gap_client.get("/requetes")
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    for q in list_queries():
        assert f'href="/requetes/{q.name}"' in page
    assert "Couverture des étapes" in page and "Densité" in page
    assert 'href="/requetes/libre"' in page


def test_query_page_shows_a_generated_form_without_running(gap_client):
    """Opening a query shows its form with the defaults, and does not run it."""
    page = gap_client.get("/requetes/members_not_verified").get_data(as_text=True)
    assert 'name="days" value="365"' in page
    assert "Ancienneté maximale en jours" in page
    assert "Calculé automatiquement" in page and "<code>cutoff</code>" in page
    assert "console-table" not in page


def test_form_fields_follow_the_types(gap_client):
    """Booleans as oui/non, numbers as number fields, stages with suggestions from the graph."""
    page = gap_client.get("/requetes/communes_without_actor_for_stage").get_data(as_text=True)
    assert '<select id="p-include_optional" name="include_optional">' in page
    assert 'type="number" id="p-radius_km" name="radius_km" value=""' in page
    assert 'list="s-stage"' in page and '<option value="ic.suivi">Suivi</option>' in page
    assert 'required' in page


def test_running_a_query_shows_its_rows_with_french_headers(gap_client):
    """The rows of the golden answer, under the header's French column labels."""
    res = gap_client.get("/requetes/communes_without_actor_for_stage?stage=ic.suivi&radius_km=3"
                         "&include_optional=false&participants_only=false&territory=&executer=1")
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    assert "<strong>4</strong> lignes" in page
    assert '<th scope="col" title="commune">Code INSEE</th>' in page
    assert page.count("<td>cardiologue</td>") == 3 and page.count("<td>infirmier</td>") == 1
    assert 'value="3"' in page  # the form keeps what was submitted


def test_empty_result_says_so(gap_client):
    """No row: a sentence, not an empty table."""
    page = gap_client.get("/requetes/partnerships_expiring?days=5&executer=1").get_data(as_text=True)
    assert "Aucune ligne : rien à signaler pour ces paramètres." in page


def test_csv_download(gap_client):
    """The CSV: UTF-8 with BOM, ';' separated, French headers, every row."""
    res = gap_client.get("/requetes/members_not_verified.csv?days=200")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert res.headers["Content-Disposition"] == 'attachment; filename="members_not_verified.csv"'
    text = res.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Identifiant", "Adhérent", "Type", "Dernière vérification", "Téléphone", "MSSanté"]
    assert [r[0] for r in rows[1:]] == ["810000000004", "810000000003", "590000040"]


def test_csv_neutralises_formulas(gap_client):
    """A field a spreadsheet would take for a formula is prefixed with a quote."""
    res = gap_client.post("/requetes/libre", data={"cypher": "RETURN '=HYPERLINK(\"x\")' AS f, -3 AS n",
                                                   "params": "", "format": "csv"})
    rows = list(csv.reader(io.StringIO(res.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows == [["f", "n"], ["'=HYPERLINK(\"x\")", "-3"]]


def test_api_returns_rows_as_json(gap_client):
    """/api/requetes/<name> gives the rows as objects."""
    data = gap_client.get("/api/requetes/pathways_without_referent").get_json()
    assert data == {"ok": True, "query": "pathways_without_referent", "title": "Parcours sans référent",
                    "columns": ["pathway", "pathway_name", "guideline", "stages"],
                    "rows": [{"pathway": "bpco", "pathway_name": "BPCO", "guideline": "HAS, guide BPCO 2019",
                              "stages": 1}]}


@pytest.mark.parametrize("url, status, message", [
    ("/requetes/nope", 404, "La requête « nope » n&#39;existe pas dans la bibliothèque."),
    ("/requetes/members_not_verifed", 404, "Vouliez-vous dire : members_not_verified ?"),
    ("/requetes/communes_without_actor_for_stage?executer=1", 400,
     "Le paramètre « stage » est obligatoire : renseignez-le."),
    ("/requetes/members_not_verified?days=bient%C3%B4t&executer=1", 400,
     "Le paramètre « days » attend un nombre entier ; « bientôt » ne convient pas."),
    ("/requetes/members_not_verified?dayz=3&executer=1", 400,
     "Le paramètre « dayz » n&#39;existe pas pour cette requête."),
    ("/requetes/members_not_verified?cutoff=2020-01-01&executer=1", 400,
     "Le paramètre « cutoff » est calculé automatiquement ; il ne se saisit pas."),
    ("/requetes/stages_without_sharing_channel?channels=MSSant%C3%A9&pathway=ic&executer=1", 200,
     "<td>téléphone</td>"),
])
def test_bad_input_gives_one_french_message(gap_client, url, status, message):
    """Unknown query, missing, ill-typed, unknown or computed parameter: a French message, the right status."""
    res = gap_client.get(url)
    assert res.status_code == status
    assert message in res.get_data(as_text=True)
    assert "Traceback" not in res.get_data(as_text=True)


@pytest.mark.parametrize("url, status, message", [
    ("/api/requetes/nope", 404, "La requête « nope » n'existe pas dans la bibliothèque."),
    ("/api/requetes/members_not_verified?days=x", 400,
     "Le paramètre « days » attend un nombre entier ; « x » ne convient pas."),
    ("/requetes/nope.csv", 404, "La requête « nope » n&#39;existe pas"),
])
def test_api_and_csv_errors(gap_client, url, status, message):
    """The API answers the project's JSON error shape; a CSV error is the French error page."""
    res = gap_client.get(url)
    assert res.status_code == status
    if url.startswith("/api/"):
        assert res.get_json() == {"ok": False, "error": message, "status": status}
    else:
        assert message in res.get_data(as_text=True)


def test_free_query_with_parameters(gap_client):
    """The free box runs read-only with JSON parameters."""
    res = gap_client.post("/requetes/libre", data={
        "cypher": "MATCH (c:Commune) WHERE c.population > $min RETURN c.name AS nom ORDER BY nom",
        "params": json.dumps({"min": 1500})})
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    assert "<td>Alpha</td>" in page and "<td>Beta</td>" in page and "<td>Epsilon</td>" in page
    assert "<td>Gamma</td>" not in page


@pytest.mark.parametrize("cypher", [
    "MATCH (n) DETACH DELETE n",
    "CREATE (:Commune {id: '99999', name: 'Nouvelle'})",
    "MATCH (c:Commune) SET c.population = 0",
    "merge (c:Commune {id: '59001'}) return c",
    "MATCH (p:Partnership) REMOVE p.end",
    "MATCH (c:Commune)\nWITH c\n/* lecture ? */ DELETE c",
])
def test_free_query_write_is_refused_and_changes_nothing(gap_client, gap_store, cypher):
    """A write typed in the free box: a French message, not executed, the graph unchanged."""
    before = gap_store.counts()
    props_before = gap_store.run("MATCH (c:Commune) RETURN c.id, c.name, c.population ORDER BY c.id").rows
    res = gap_client.post("/requetes/libre", data={"cypher": cypher, "params": ""})
    assert res.status_code == 400
    page = res.get_data(as_text=True)
    assert "Cette console est en lecture seule" in page
    assert "La requête n&#39;a pas été exécutée et le graphe n&#39;a pas changé." in page
    assert gap_store.counts() == before
    assert gap_store.run("MATCH (c:Commune) RETURN c.id, c.name, c.population ORDER BY c.id").rows == props_before


@pytest.mark.parametrize("cypher, params, status, message", [
    ("", "", 400, "La requête est vide : écrivez une requête Cypher."),
    ("MATCH (c:Commune RETURN c", "", 400, "La base du graphe a refusé cette requête : vérifiez sa syntaxe Cypher."),
    ("RETURN $x AS x", "{x: 1}", 400, "Les paramètres doivent être un objet JSON"),
    ("RETURN $x AS x", "[1]", 400, "Les paramètres doivent être un objet JSON"),
    ("RETURN " + "1 + " * 6000 + "1", "", 400, "La requête est trop longue (20000 caractères au plus)."),
])
def test_free_query_errors_in_french(gap_client, cypher, params, status, message):
    """Empty text, syntax error, bad JSON parameters, too long: one French message each."""
    res = gap_client.post("/requetes/libre", data={"cypher": cypher, "params": params})
    assert res.status_code == status
    assert message in res.get_data(as_text=True)


def test_free_query_timeout(gap_store):
    """A query past the console's time limit is stopped, with a French message."""
    app = create_app({"TESTING": True, "STORE": gap_store, "SECRET_KEY": "test", "QUERY_TIMEOUT_MS": 1})
    res = app.test_client().post("/requetes/libre", data={
        "cypher": "UNWIND range(1, 20000) AS x UNWIND range(1, 20000) AS y RETURN count(*) AS n", "params": ""})
    assert res.status_code == 408
    assert "La requête a dépassé le temps limite de 0,001 s et a été arrêtée." in res.get_data(as_text=True)


def test_everything_shown_is_escaped(gap_client):
    """Names from open data are escaped, in tables and in the submitted text."""
    res = gap_client.get("/requetes/structures_without_cpts_partnership?executer=1")
    page = res.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie" in page
    res = gap_client.post("/requetes/libre", data={"cypher": "RETURN '</textarea><b>x</b>' AS t", "params": ""})
    page = res.get_data(as_text=True)
    assert "</textarea><b>" not in page and "&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;" in page


def test_console_works_on_an_empty_graph(client):
    """Before any load, queries run and find nothing."""
    assert client.get("/requetes").status_code == 200
    page = client.get("/requetes/pathways_without_referent?executer=1").get_data(as_text=True)
    assert "Aucune ligne" in page
