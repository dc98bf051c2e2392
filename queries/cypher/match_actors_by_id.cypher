// title: Quelques professionnels et structures, par identifiant
// description: Les professionnels de $professionals, une ligne par commune d'exercice (une ligne sans commune pour qui n'en déclare pas), puis les structures de $structures : les acteurs qui déclarent intervenir dans la commune du patient ou la couvrent comme CPTS sans être dans la zone de recherche, et les plus proches hors de la zone quand un rôle n'a aucun candidat.
// param: professionals list ["810000000001"] — identifiants de professionnels
// param: structures list ["590000001"] — identifiants de structures (FINESS ET)
UNWIND $professionals AS pid
MATCH (p:Professional {id: pid})
OPTIONAL MATCH (p)-[:HAS_ACTIVITY]->(a:Activity)
RETURN DISTINCT a.commune AS commune, 'professional' AS kind, p.id AS id, p.profession_code AS code,
       p.specialty_code AS specialty
UNION ALL
UNWIND $structures AS sid
MATCH (s:Structure {id: sid})
RETURN s.commune AS commune, 'structure' AS kind, s.id AS id, s.category_code AS code, null AS specialty
