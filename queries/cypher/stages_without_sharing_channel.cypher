// title: Étapes sans moyen de partage d'information
// description: Les étapes de parcours dont la fiche ne dit pas par quel moyen les acteurs
//   partagent l'information (MSSanté, DMP, visio, outil e-parcours…). Avec une liste de
//   moyens, les étapes qui n'en prévoient aucun de la liste (par exemple aucun moyen
//   sécurisé) sont aussi retenues.
// param: channels list<string> = null — moyens attendus, ex. MSSanté,DMP ; vide : n'importe lequel
// param: pathway string = null — identifiant du parcours ; vide : tous
// column: pathway — Parcours
// column: stage — Étape
// column: stage_name — Nom de l'étape
// column: channels — Moyens prévus
MATCH (pw:Pathway)-[:HAS_STAGE]->(s:Stage)
WHERE ($pathway IS NULL OR pw.id = $pathway)
  AND none(ch IN coalesce(s.partage, []) WHERE $channels IS NULL OR ch IN $channels)
RETURN pw.id AS pathway, s.id AS stage, s.name AS stage_name, coalesce(s.partage, []) AS channels
ORDER BY pathway, s.order
