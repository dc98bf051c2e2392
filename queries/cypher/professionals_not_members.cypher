// title: Professionnels du territoire qui ne sont pas adhérents
// description: Les professionnels de santé qui exercent dans une commune du territoire
//   sans être adhérents de la CPTS, par profession et par commune d'exercice : les
//   personnes à aller voir pour étoffer les parcours.
// param: profession string = null — code TRE_G15 (10 médecin, 21 pharmacien, 60 infirmier, 70 masseur-kinésithérapeute…) ; vide : toutes
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// column: profession — Profession (code)
// column: profession_label — Profession
// column: commune — Code INSEE
// column: commune_name — Commune
// column: professionals_count — Non-adhérents
// column: professionals — Lesquels
MATCH (t:Territory)-[:COVERS]->(c:Commune)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WHERE ($territory IS NULL OR t.id = $territory)
  AND ($profession IS NULL OR p.profession_code = $profession)
  AND NOT (p)-[:HAS_MEMBERSHIP]->(:Membership)-[:OF_TERRITORY]->(t)
WITH DISTINCT p, c
WITH p, c, trim(coalesce(p.first_name, '') + ' ' + coalesce(p.last_name, '')) AS p_name
ORDER BY p.last_name, p.first_name, p.id
WITH p.profession_code AS profession, p.profession_label AS profession_label, c, collect(p_name) AS professionals
RETURN profession, profession_label, c.id AS commune, c.name AS commune_name,
       size(professionals) AS professionals_count, professionals
ORDER BY profession, commune
