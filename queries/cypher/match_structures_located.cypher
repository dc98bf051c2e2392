// title: Structures utiles aux parcours et leur commune (partout)
// description: Chaque structure (établissement FINESS) dont la catégorie est dans $categories, avec la commune où elle est située. Sur un graphe national, le moteur de recherche les lit une fois pour toutes (quelques dizaines de milliers de lignes) : chercher ensuite les structures d'un rôle autour d'une commune ne demande plus de requête.
// param: categories list ["355"] — codes de catégorie FINESS qu'au moins un rôle d'un parcours accepte
MATCH (s:Structure)-[:LOCATED_IN]->(c:Commune)
WHERE s.category_code IN $categories
RETURN c.id AS commune, 'structure' AS kind, s.id AS id, s.category_code AS code, null AS specialty
