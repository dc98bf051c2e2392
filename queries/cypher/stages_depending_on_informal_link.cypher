// title: Étapes qui reposent sur un lien non signé
// description: Les étapes de parcours dont des acteurs ne sont liés que par un partenariat
//   non signé (lien informel, ou convention en projet) conclu pour ce parcours : le relais
//   tient à des personnes, pas à un engagement écrit. Une ligne par étape et par
//   partenariat, avec les parties qui participent à l'étape.
// param: pathway string = null — identifiant du parcours ; vide : tous
// param: today date — computed: today() — un partenariat terminé avant ce jour ne compte plus
// column: pathway — Parcours
// column: stage — Étape
// column: stage_name — Nom de l'étape
// column: partnership — Partenariat
// column: partnership_name — Intitulé
// column: kind — Type
// column: actors_in_stage — Parties qui participent à l'étape
MATCH (k:Partnership)-[:FOR_PATHWAY]->(pw:Pathway)-[:HAS_STAGE]->(s:Stage)
WHERE NOT coalesce(k.signed, false)
  AND (k.end IS NULL OR k.end >= $today)
  AND ($pathway IS NULL OR pw.id = $pathway)
MATCH (x)-[:PARTY_TO]->(k)
WHERE (x)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s)
WITH pw, s, k, coalesce(x.name, trim(coalesce(x.first_name, '') + ' ' + coalesce(x.last_name, ''))) AS x_name
ORDER BY x_name
WITH pw, s, k, collect(x_name) AS actors_in_stage
RETURN pw.id AS pathway, s.id AS stage, s.name AS stage_name, k.id AS partnership, k.name AS partnership_name,
       k.kind AS kind, actors_in_stage
ORDER BY pathway, s.order, partnership
