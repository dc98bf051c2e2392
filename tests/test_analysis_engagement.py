"""Engagement targets: non-member professionals ranked by the uncovered stages they could fill."""
from __future__ import annotations

from graph.analysis.engagement import engagement_targets
from test_analysis_projection import MASNY, NURSE3
from test_analysis_projection import G, territory_store  # noqa: F401 (fixtures)


def test_the_isolated_nurse_is_the_target(G):
    assert engagement_targets(G) == [{
        "actor": NURSE3, "label": "Test Infirmier-Isole", "profession": "Infirmier", "stages": ["ic.suivi"],
        "cells": 1, "communes": [MASNY], "population": 4056,
    }]


def test_a_member_is_never_a_target(G):
    G.nodes[NURSE3]["member"] = True
    assert engagement_targets(G) == []


def test_limit_and_pathway_filter(G):
    assert engagement_targets(G, pathways=["ic"], limit=0) == []
