"""NetworkX analyses of the territory: isolated actors, single points of failure, silos, coverage, what-if.

Every analysis is a pure function of the collaboration graph projected from the
store (:func:`graph.analysis.projection.store_to_networkx`): no I/O, the same
graph gives the same answer. The graph's edges are *declared* links
(partnerships, shared sites, pathway hand-offs), not observed patient sharing.
"""
from __future__ import annotations

from graph.analysis.communities import joining_links, silos
from graph.analysis.coverage import (CoverageCell, CoverageIndex, actors_serving, coverage_matrix, fits_role,
                                     get_pathway, get_stage, set_aside, stage_status)
from graph.analysis.engagement import engagement_targets
from graph.analysis.isolation import (isolated_actors, isolation_summary, main_component, network_summary,
                                      outside_main_component)
from graph.analysis.links import Links, links_from_store
from graph.analysis.projection import (build_network, collaboration_graph, induced_collaboration,
                                       store_to_networkx)
from graph.analysis.spof import pathway_actors, pathway_spof, pathway_subgraph
from graph.analysis.whatif import get_actor, remove_actor

__all__ = [
    "store_to_networkx",
    "build_network",
    "collaboration_graph",
    "induced_collaboration",
    "isolated_actors",
    "Links",
    "links_from_store",
    "outside_main_component",
    "main_component",
    "isolation_summary",
    "network_summary",
    "pathway_actors",
    "pathway_subgraph",
    "pathway_spof",
    "silos",
    "joining_links",
    "CoverageCell",
    "CoverageIndex",
    "fits_role",
    "set_aside",
    "actors_serving",
    "coverage_matrix",
    "stage_status",
    "get_pathway",
    "get_stage",
    "get_actor",
    "remove_actor",
    "engagement_targets",
]
