// title: Premiers professionnels d'une commune dense, par identifiant
// description: Les $limit premiers professionnels (par identifiant national) de la commune $commune dont la profession TRE_G15 est dans $professions et, si $specialties n'est pas vide, la spécialité dans $specialties. Dans une commune où exercent des milliers de professionnels d'une profession, le moteur de recherche ne lit que ceux qu'il affichera : à distance égale, le classement départage par identifiant.
// param: commune string "59350" — code INSEE de la commune
// param: professions list ["60"] — codes de profession TRE_G15
// param: specialties list [] — codes de spécialité TRE_R38 (liste vide : toutes)
// param: limit int 11 — nombre de professionnels à lire
MATCH (c:Commune {id: $commune})
MATCH (c)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WITH DISTINCT c, p
WHERE p.profession_code IN $professions AND (size($specialties) = 0 OR p.specialty_code IN $specialties)
RETURN c.id AS commune, 'professional' AS kind, p.id AS id, p.profession_code AS code, p.specialty_code AS specialty
ORDER BY id
LIMIT $limit
