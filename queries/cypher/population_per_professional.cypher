// title: Habitants par professionnel, par commune
// description: La population de chaque commune du territoire rapportée au nombre de
//   professionnels d'une profession (et, au choix, de certaines spécialités) qui y exercent,
//   comparée à un seuil : un indicateur simple de densité. Une commune habitée sans aucun
//   professionnel dépasse toujours le seuil.
// limits: Ce n'est pas l'APL (accessibilité potentielle localisée) de la DREES. L'APL tient
//   compte du niveau d'activité de chaque professionnel (nombre d'actes, en équivalents
//   temps plein), de la structure par âge de la population (consommation de soins selon
//   l'âge) et de l'offre des communes voisines avec une décroissance selon le temps
//   d'accès. Ici : chaque professionnel compte pour un, dans chaque commune où il exerce ;
//   tous les habitants pèsent autant ; les communes voisines sont ignorées. À lire comme un
//   signal à vérifier, pas comme un zonage.
// param: profession string = 10 — code TRE_G15 (10 médecin, 21 pharmacien, 60 infirmier, 70 masseur-kinésithérapeute…)
// param: specialties list<string> = null — codes TRE_R38, l'un d'eux suffit (ex. SM54,SM26,SM53 médecine générale) ; vide : toutes
// param: threshold int = 1500 — seuil d'habitants par professionnel au-delà duquel la commune est signalée
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// column: commune — Code INSEE
// column: commune_name — Commune
// column: population — Population
// column: professionals — Professionnels
// column: population_per_professional — Habitants par professionnel
// column: above_threshold — Au-dessus du seuil
MATCH (t:Territory)-[:COVERS]->(c:Commune)
WHERE $territory IS NULL OR t.id = $territory
WITH DISTINCT c
OPTIONAL MATCH (c)<-[:LOCATED_IN]-(:Activity)<-[:HAS_ACTIVITY]-(p:Professional)
WHERE p.profession_code = $profession
  AND ($specialties IS NULL OR p.specialty_code IN $specialties)
WITH c, count(DISTINCT p) AS professionals
WITH c, professionals,
     CASE WHEN professionals = 0 OR c.population IS NULL THEN null
          ELSE toInteger(round(toFloat(c.population) / professionals)) END AS ratio
RETURN c.id AS commune, c.name AS commune_name, c.population AS population, professionals,
       ratio AS population_per_professional,
       CASE WHEN c.population IS NULL THEN null
            WHEN professionals = 0 THEN c.population > 0
            ELSE ratio > $threshold END AS above_threshold
ORDER BY CASE WHEN professionals = 0 THEN 0 ELSE 1 END, coalesce(ratio, 0) DESC, commune
