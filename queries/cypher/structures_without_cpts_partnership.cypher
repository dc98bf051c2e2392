// title: Structures du territoire sans partenariat avec la CPTS
// description: Les établissements et services du territoire dont la CPTS a besoin dans
//   ses parcours (centres hospitaliers, SMR, HAD, SSIAD, SPASAD, EHPAD, DAC) qui n'ont aucun
//   partenariat en cours avec elle : ni la CPTS ni sa structure FINESS (catégorie 604)
//   n'est partie avec eux à une convention, un protocole ou un lien informel.
// param: categories list<string> = 101,106,355,109,127,354,209,500,606 — catégories FINESS retenues (101 CHR, 106 et 355 CH, 109 SMR, 127 HAD, 354 SSIAD, 209 SPASAD, 500 EHPAD, 606 DAC)
// param: signed_only bool = false — ne compter que les partenariats signés
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// param: today date — computed: today() — un partenariat terminé avant ce jour ne compte plus
// column: finess — FINESS
// column: name — Structure
// column: category — Catégorie
// column: category_label — Libellé de la catégorie
// column: commune — Code INSEE
// column: commune_name — Commune
// column: territory — CPTS
MATCH (t:Territory)-[:COVERS]->(c:Commune)<-[:LOCATED_IN]-(st:Structure)
WHERE ($territory IS NULL OR t.id = $territory) AND st.category_code IN $categories
OPTIONAL MATCH (t)-[:REGISTERED_AS]->(cs:Structure)
WITH t, c, st, collect(cs) AS cpts
OPTIONAL MATCH (st)-[:PARTY_TO]->(k:Partnership)<-[:PARTY_TO]-(party)
WHERE (party = t OR party IN cpts)
  AND (k.end IS NULL OR k.end >= $today)
  AND (NOT $signed_only OR coalesce(k.signed, false))
WITH t, c, st, count(k) AS partnerships
WHERE partnerships = 0
RETURN st.id AS finess, st.name AS name, st.category_code AS category, st.category_label AS category_label,
       c.id AS commune, c.name AS commune_name, t.id AS territory
ORDER BY category, name, finess
