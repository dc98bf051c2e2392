// title: Parcours sans référent
// description: Les parcours (PCPP) qui n'ont pas de référent nommé : personne n'est chargé
//   de les suivre, de les évaluer et de les mettre à jour.
// column: pathway — Parcours
// column: pathway_name — Nom du parcours
// column: guideline — Recommandation source
// column: stages — Étapes
MATCH (pw:Pathway)
WHERE NOT (pw)-[:HAS_REFERENT]->()
OPTIONAL MATCH (pw)-[:HAS_STAGE]->(s:Stage)
WITH pw, count(s) AS stages
RETURN pw.id AS pathway, pw.name AS pathway_name, pw.source AS guideline, stages
ORDER BY pathway
