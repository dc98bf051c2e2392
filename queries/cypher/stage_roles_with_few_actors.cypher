// title: Rôles d'étape avec moins de N acteurs disponibles dans le territoire
// description: Pour chaque étape de parcours et chaque rôle qu'elle requiert, le nombre
//   d'acteurs disponibles dans le territoire : professionnels de la profession (et de l'une
//   des spécialités) demandée et structures de la catégorie FINESS demandée, qui exercent
//   dans une commune du territoire ou y déclarent une zone d'intervention, sans avoir
//   déclaré refuser de nouveaux patients (ni les visites à domicile, pour un rôle à
//   domicile). Les rôles sous le seuil sont des points de rupture : 0, personne ; 1, tout
//   repose sur un seul acteur.
// limits: Compte des acteurs, pas de leur temps disponible ni de leur file active. Une
//   disponibilité non déclarée compte comme disponible.
// param: min_actors int = 2 — seuil : les rôles qui ont moins d'acteurs que ce nombre
// param: pathway string = null — identifiant du parcours (ic, bpco, dt2, pa_domicile) ; vide : tous
// param: include_optional bool = false — inclure les rôles facultatifs
// param: participants_only bool = false — ne compter que les acteurs déclarés sur l'étape
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// column: pathway — Parcours
// column: stage — Étape
// column: stage_name — Nom de l'étape
// column: role — Rôle
// column: role_label — Libellé du rôle
// column: actors — Acteurs disponibles
// example: min_actors=2
MATCH (pw:Pathway)-[:HAS_STAGE]->(s:Stage)-[:REQUIRES]->(r:RoleRequirement)
WHERE ($pathway IS NULL OR pw.id = $pathway)
  AND ($include_optional OR NOT coalesce(r.optional, false))
// professionals practising in the territory
OPTIONAL MATCH (t1:Territory)-[:COVERS]->(:Commune)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WHERE ($territory IS NULL OR t1.id = $territory)
  AND p.profession_code IN coalesce(r.professions, [])
  AND (size(coalesce(r.specialties, [])) = 0 OR p.specialty_code IN r.specialties)
  AND NOT (p)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (p)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (p)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (p)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (p)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH pw, s, r, collect(DISTINCT p) AS professionals
// structures located in the territory
OPTIONAL MATCH (t2:Territory)-[:COVERS]->(:Commune)<-[:LOCATED_IN]-(st:Structure)
WHERE ($territory IS NULL OR t2.id = $territory)
  AND st.category_code IN coalesce(r.categories, [])
  AND NOT (st)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (st)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (st)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (st)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (st)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH pw, s, r, professionals, collect(DISTINCT st) AS structures
// actors that declare a commune of the territory in their intervention zone
OPTIONAL MATCH (t3:Territory)-[:COVERS]->(:Commune)<-[:INTERVENES_IN]-(y)
WHERE ($territory IS NULL OR t3.id = $territory)
  AND ((y:Professional AND y.profession_code IN coalesce(r.professions, [])
        AND (size(coalesce(r.specialties, [])) = 0 OR y.specialty_code IN r.specialties))
       OR (y:Structure AND y.category_code IN coalesce(r.categories, [])))
  AND NOT (y)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (y)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (y)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (y)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (y)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH pw, s, r, professionals, structures, collect(DISTINCT y) AS intervening
// professionals and structures are distinct nodes; only those of an intervention zone may be met twice
WITH pw, s, r, professionals + structures
               + [y IN intervening WHERE NOT y IN professionals AND NOT y IN structures] AS actors
WHERE size(actors) < $min_actors
RETURN pw.id AS pathway, s.id AS stage, s.name AS stage_name, r.key AS role, r.label AS role_label,
       size(actors) AS actors
ORDER BY pathway, s.order, role
