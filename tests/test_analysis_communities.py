"""Silos (communities) and the links that would join them: hospital versus ville."""
from __future__ import annotations

import pytest

from graph.analysis.communities import joining_links, silos
from graph.analysis.projection import store_to_networkx
from graph.model import Activity, Commune, Participation, Partnership, Pathway, Professional, Stage, Structure
from test_analysis_projection import write

CH, MSP = "590000100", "590000200"
H1, H2, H3 = "810000000101", "810000000102", "810000000103"
V1, V2, V3 = "810000000201", "810000000202", "810000000203"


@pytest.fixture
def G(store):
    """A hospital (three salaried doctors) and an MSP (three libéraux), one partnership between them."""
    records = [
        Commune(id="59178", name="Douai", department="59", lat=50.37853, lon=3.10037),
        Commune(id="59170", name="Dechy", department="59", lat=50.35233, lon=3.12876),
        Structure(id=CH, name="CH de Douai", category_code="355", commune="59170"),
        Structure(id=MSP, name="MSP du centre", category_code="603", commune="59178"),
        Pathway(id="ic", name="IC"),
        Stage(id="ic.sortie", pathway="ic", key="sortie", order=1, name="Sortie d'hospitalisation",
              next_stage="ic.suivi"),
        Stage(id="ic.suivi", pathway="ic", key="suivi", order=2, name="Suivi"),
    ]
    for ident, site, mode, commune in [(H1, CH, "S", "59170"), (H2, CH, "S", "59170"), (H3, CH, "S", "59170"),
                                       (V1, MSP, "L", "59178"), (V2, MSP, "L", "59178"), (V3, MSP, "L", "59178")]:
        records.append(Professional(id=ident, id_type="RPPS", identifier=ident[1:], last_name=ident[-3:],
                                    profession_code="10"))
        records.append(Activity(id=f"a:{ident}", professional=ident, mode_code=mode, structure=site,
                                commune=commune))
    records += [
        Partnership(id="P", name="Avis", kind="informel", parties=[("Professional", H1), ("Professional", V1)]),
        Participation(id="p1", actor_label="Professional", actor=H3, stage="ic.sortie"),
        Participation(id="p2", actor_label="Professional", actor=V3, stage="ic.suivi"),
    ]
    write(store, records)
    return store_to_networkx(store)


def test_hospital_and_ville_silos(G):
    comms = silos(G)
    assert [(c["actors"], c["sector"], c["internal_links"], c["external_links"]) for c in comms] == [
        (sorted([CH, H1, H2, H3]), "hôpital", 6, 1),
        (sorted([MSP, V1, V2, V3]), "ville", 6, 1),
    ]


def test_links_that_would_join_them(G):
    links = joining_links(G, silos(G), per_pair=2)
    assert len(links) == 1 and links[0]["existing_links"] == 1
    assert links[0]["suggestions"][0] == {"u": H3, "v": V3, "score": 3,
                                          "why": "relais Sortie d'hospitalisation → Suivi"}


def test_no_links_no_silos():
    import networkx as nx

    G = nx.MultiGraph()
    G.add_nodes_from("ab")
    assert silos(G) == [] and joining_links(G, []) == []
