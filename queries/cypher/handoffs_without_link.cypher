// title: Passages de relais entre étapes sans lien entre les acteurs
// description: Pour chaque passage d'une étape à la suivante d'un parcours, les acteurs de
//   l'étape de départ (ceux qui y sont déclarés) qui n'ont aucun lien avec un acteur de
//   l'étape suivante : ni partenariat en cours (convention, protocole ou lien informel dont
//   ils sont parties tous les deux), ni site commun (exercice dans la même structure FINESS,
//   ou exercice dans la structure qui est l'autre acteur). Un acteur présent dans les deux
//   étapes assure lui-même la continuité. « rompu » : aucun acteur de départ n'est relié.
// limits: Seuls les liens déclarés (partenariats, sites FINESS) comptent : l'adressage
//   habituel entre deux acteurs qui n'est écrit nulle part n'est pas vu.
// param: pathway string = null — identifiant du parcours ; vide : tous
// param: today date — computed: today() — un partenariat terminé avant ce jour ne compte plus
// column: pathway — Parcours
// column: from_stage — Étape de départ
// column: from_stage_name — Nom de l'étape de départ
// column: to_stage — Étape suivante
// column: to_stage_name — Nom de l'étape suivante
// column: from_actors — Acteurs au départ
// column: to_actors — Acteurs à l'arrivée
// column: unlinked — Acteurs sans lien
// column: unlinked_actors — Lesquels
// column: broken — Relais rompu
MATCH (pw:Pathway)-[:HAS_STAGE]->(s1:Stage)-[:NEXT]->(s2:Stage)
WHERE $pathway IS NULL OR pw.id = $pathway
OPTIONAL MATCH (a0)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s1)
WITH pw, s1, s2, collect(DISTINCT a0) AS ups
OPTIONAL MATCH (b0)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s2)
WITH pw, s1, s2, ups, collect(DISTINCT b0) AS downs
UNWIND ups AS a
// partners of the next stage through a partnership still in force
OPTIONAL MATCH (a)-[:PARTY_TO]->(k:Partnership)<-[:PARTY_TO]-(b1)
WHERE b1 IN downs AND (k.end IS NULL OR k.end >= $today)
WITH pw, s1, s2, ups, downs, a, collect(DISTINCT b1) AS by_partnership
// sites (FINESS structures) where the actor practises
OPTIONAL MATCH (a)-[:HAS_ACTIVITY]->(:Activity)-[:AT_STRUCTURE]->(site:Structure)
WITH pw, s1, s2, ups, downs, a, by_partnership, collect(DISTINCT site) AS sites
// actors of the next stage practising at one of those sites, or at the actor itself
OPTIONAL MATCH (b2)-[:HAS_ACTIVITY]->(:Activity)-[:AT_STRUCTURE]->(site2:Structure)
WHERE b2 IN downs AND (site2 IN sites OR site2 = a)
WITH pw, s1, s2, ups, downs, a, by_partnership, sites, collect(DISTINCT b2) AS by_site
WITH pw, s1, s2, size(ups) AS from_actors, size(downs) AS to_actors, a,
     a IN downs OR size(by_partnership) > 0 OR size(by_site) > 0 OR any(x IN sites WHERE x IN downs) AS linked,
     coalesce(a.name, trim(coalesce(a.first_name, '') + ' ' + coalesce(a.last_name, ''))) AS a_name
ORDER BY a_name
WITH pw, s1, s2, from_actors, to_actors, collect(CASE WHEN linked THEN null ELSE a_name END) AS unlinked_actors
WHERE size(unlinked_actors) > 0
RETURN pw.id AS pathway, s1.id AS from_stage, s1.name AS from_stage_name, s2.id AS to_stage,
       s2.name AS to_stage_name, from_actors, to_actors, size(unlinked_actors) AS unlinked, unlinked_actors,
       size(unlinked_actors) = from_actors AS broken
ORDER BY pathway, s1.order
