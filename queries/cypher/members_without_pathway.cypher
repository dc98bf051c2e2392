// title: Adhérents sans parcours
// description: Les adhérents de la CPTS (professionnels et structures) qui ne sont déclarés
//   sur aucune étape d'aucun parcours : des forces disponibles à associer aux parcours.
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// column: actor — Identifiant
// column: name — Adhérent
// column: kind — Type
// column: profession — Profession ou catégorie
// column: role — Rôle dans la CPTS
// column: since — Adhérent depuis
MATCH (x)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory)
WHERE ($territory IS NULL OR t.id = $territory)
  AND NOT (x)-[:PARTICIPATES]->(:Participation)
RETURN x.id AS actor,
       coalesce(x.name, trim(coalesce(x.first_name, '') + ' ' + coalesce(x.last_name, ''))) AS name,
       CASE WHEN x:Professional THEN 'professionnel' ELSE 'structure' END AS kind,
       coalesce(x.profession_label, x.category_label) AS profession, m.role AS role, m.since AS since
ORDER BY name, actor
