// title: Communes sans acteur disponible pour un rôle d'une étape
// description: Les trous de couverture d'une étape de parcours : pour chaque commune du
//   territoire et chaque rôle que l'étape requiert, aucun acteur disponible ne convient.
//   Un acteur convient s'il a la profession (et l'une des spécialités) demandée, ou si
//   c'est une structure de la catégorie FINESS demandée, et s'il exerce à moins du rayon
//   de la commune ou la déclare dans sa zone d'intervention. Un acteur qui a déclaré ne
//   pas prendre de nouveaux patients (ou ne pas se déplacer à domicile, pour un rôle à
//   domicile) n'est pas disponible.
// limits: Distances à vol d'oiseau entre les centres des communes, calculées en Python
//   (pas de temps de trajet). Une disponibilité non déclarée compte comme disponible.
// param: stage string — identifiant de l'étape, ex. ic.suivi
// param: radius_km float = null — rayon en km ; vide : le rayon de chaque rôle (10 km à défaut)
// param: include_optional bool = false — inclure les rôles facultatifs de l'étape
// param: participants_only bool = false — ne compter que les acteurs déclarés sur cette étape
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// param: distances map — computed: commune_distances(radius_km, territory) — communes à portée de chaque commune du territoire (km)
// column: commune — Code INSEE
// column: commune_name — Commune
// column: stage — Étape
// column: role — Rôle
// column: role_label — Libellé du rôle
// column: radius_km — Rayon (km)
// example: stage=ic.suivi
MATCH (s:Stage {id: $stage})-[:REQUIRES]->(r:RoleRequirement)
WHERE $include_optional OR NOT coalesce(r.optional, false)
WITH s, r, toFloat(coalesce($radius_km, r.radius_km, 10.0)) AS radius,
     reduce(acc = [], k IN keys($distances) | acc + keys($distances[k])) AS reach
// professionals of the role practising within reach, not declared unavailable
OPTIONAL MATCH (p:Professional)-[:HAS_ACTIVITY]->(:Activity)-[:LOCATED_IN]->(pc:Commune)
WHERE pc.id IN reach
  AND p.profession_code IN coalesce(r.professions, [])
  AND (size(coalesce(r.specialties, [])) = 0 OR p.specialty_code IN r.specialties)
  AND NOT (p)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (p)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (p)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (p)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (p)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH s, r, radius, reach, collect(DISTINCT pc.id) AS pro_sites
// structures of the role within reach, not declared unavailable
OPTIONAL MATCH (st:Structure)-[:LOCATED_IN]->(sc:Commune)
WHERE sc.id IN reach
  AND st.category_code IN coalesce(r.categories, [])
  AND NOT (st)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (st)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (st)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (st)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (st)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH s, r, radius, pro_sites, collect(DISTINCT sc.id) AS structure_sites
WITH s, r, radius, pro_sites + structure_sites AS sites
// actors of the role that declare communes in their intervention zone
OPTIONAL MATCH (y)-[:INTERVENES_IN]->(zc:Commune)
WHERE ((y:Professional AND y.profession_code IN coalesce(r.professions, [])
        AND (size(coalesce(r.specialties, [])) = 0 OR y.specialty_code IN r.specialties))
       OR (y:Structure AND y.category_code IN coalesce(r.categories, [])))
  AND NOT (y)-[:HAS_MEMBERSHIP]->(:Membership {accepting_new_patients: false})
  AND NOT (y)-[:PARTICIPATES]->(:Participation {accepting_new_patients: false})-[:IN_STAGE]->(s)
  AND NOT (coalesce(r.home_visit, false) AND (y)-[:HAS_MEMBERSHIP]->(:Membership {home_visits: false}))
  AND NOT (coalesce(r.home_visit, false)
           AND (y)-[:PARTICIPATES]->(:Participation {home_visits: false})-[:IN_STAGE]->(s))
  AND (NOT $participants_only OR (y)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s))
WITH s, r, radius, sites, collect(DISTINCT zc.id) AS zone
MATCH (t:Territory)-[:COVERS]->(c:Commune)
WHERE $territory IS NULL OR t.id = $territory
WITH DISTINCT s, r, radius, sites, zone, c
WITH s, r, radius, sites, zone, c, $distances[c.id] AS near
WHERE NOT c.id IN zone
  AND none(k IN coalesce(keys(near), []) WHERE k IN sites AND near[k] <= radius)
RETURN c.id AS commune, c.name AS commune_name, s.id AS stage, r.key AS role, r.label AS role_label,
       radius AS radius_km
ORDER BY commune, role
