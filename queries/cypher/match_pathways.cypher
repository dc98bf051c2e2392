// title: Parcours, étapes et rôles requis (catalogue du moteur de recherche)
// description: Le catalogue du moteur « qui peut prendre ce patient » : chaque parcours (PCPP) avec son référent, la fiche de chaque étape (qui, quoi, quand, comment, partage), l'étape suivante et les rôles requis. Une ligne par étape ; un parcours sans étape n'apparaît pas.
MATCH (p:Pathway)-[:HAS_STAGE]->(s:Stage)
OPTIONAL MATCH (s)-[:NEXT]->(nxt:Stage)
OPTIONAL MATCH (s)-[:REQUIRES]->(r:RoleRequirement)
WITH p, s, nxt, collect(r {.id, .key, .label, .professions, .specialties, .categories, .radius_km, .home_visit,
                           .optional, .order}) AS roles
OPTIONAL MATCH (p)-[:HAS_REFERENT]->(ref)
RETURN p {.id, .name, .theme, .description, .source, .source_url, .version, .updated} AS pathway,
       ref {.id, .name, .first_name, .last_name} AS referent,
       s {.id, .key, .order, .name, .qui, .quoi, .quand, .comment, .partage} AS stage,
       nxt.id AS next_stage,
       roles
ORDER BY pathway.id, stage.order
