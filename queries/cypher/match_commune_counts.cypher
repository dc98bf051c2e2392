// title: Nombre de professionnels et de structures par commune, profession et catégorie
// description: Pour chaque commune : combien de professionnels y exercent, par profession TRE_G15 et spécialité, et combien d'établissements FINESS y sont situés, par catégorie. Lu une fois par graphe chargé : le moteur de recherche s'en sert pour choisir comment chercher dans les zones denses et pour estimer combien d'acteurs il n'a pas lus.
MATCH (c:Commune)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WITH c.id AS commune, p.profession_code AS code, p.specialty_code AS specialty, count(DISTINCT p) AS n
RETURN commune, 'professional' AS kind, code, specialty, n
UNION ALL
MATCH (c:Commune)<-[:LOCATED_IN]-(s:Structure)
WITH c.id AS commune, s.category_code AS code, count(s) AS n
RETURN commune, 'structure' AS kind, code, null AS specialty, n
