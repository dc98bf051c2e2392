// title: Libellés de codes des nomenclatures
// description: Le libellé de chaque concept demandé (professions TRE_G15, spécialités TRE_R38, catégories FINESS), pour nommer les professions et catégories qu'un rôle demande.
// param: ids list ["TRE_G15:10", "TRE_G15:60"] — identifiants de concepts (<nomenclature>:<code>)
MATCH (c:Concept)
WHERE c.id IN $ids
RETURN c.id AS id, c.label AS label
