// title: Où exercent les professionnels de certaines professions (partout)
// description: Chaque professionnel dont la profession TRE_G15 est dans $professions (et la spécialité dans $specialties si elle n'est pas vide), avec les communes de ses lieux d'exercice : sert seulement quand un rôle n'a aucun candidat, pour trouver l'acteur le plus proche hors du rayon (distances calculées en Python).
// param: professions list ["10"] — codes de profession TRE_G15
// param: specialties list [] — codes de spécialité TRE_R38 ; vide : toutes
MATCH (c:Commune)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WHERE p.profession_code IN $professions AND (size($specialties) = 0 OR p.specialty_code IN $specialties)
RETURN p.id AS id, collect(DISTINCT c.id) AS communes
