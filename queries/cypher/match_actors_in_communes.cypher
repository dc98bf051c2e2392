// title: Professionnels et structures utiles aux parcours, par commune
// description: Pour chaque commune de $communes : les professionnels qui y exercent et dont la profession TRE_G15 est dans $professions, puis les structures (établissements FINESS) qui y sont situées et dont la catégorie est dans $categories. Seuls les codes sont lus : le moteur de recherche garde ces lignes en mémoire par commune, filtre par rôle en Python, et lit ensuite noms et coordonnées des seuls acteurs affichés.
// param: communes list ["59178"] — codes INSEE des communes
// param: professions list ["10", "60"] — codes de profession TRE_G15 qu'au moins un rôle d'un parcours accepte
// param: categories list ["620"] — codes de catégorie FINESS qu'au moins un rôle d'un parcours accepte
MATCH (c:Commune)
WHERE c.id IN $communes
MATCH (c)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WITH c, p
WHERE p.profession_code IN $professions
RETURN DISTINCT c.id AS commune, 'professional' AS kind, p.id AS id, p.profession_code AS code,
       p.specialty_code AS specialty
UNION ALL
MATCH (c:Commune)
WHERE c.id IN $communes
MATCH (c)<-[:LOCATED_IN]-(s:Structure)
WITH c, s
WHERE s.category_code IN $categories
RETURN c.id AS commune, 'structure' AS kind, s.id AS id, s.category_code AS code, null AS specialty
