// title: Participations aux étapes des parcours
// description: Chaque participation déclarée d'un acteur à une étape de parcours, avec ses indicateurs : le moteur de recherche les garde en mémoire une fois par graphe chargé.
MATCH (x)-[:PARTICIPATES]->(pa:Participation)-[:IN_STAGE]->(s:Stage)
RETURN x.id AS actor, labels(x)[0] AS label, x.profession_code AS profession, x.specialty_code AS specialty,
       x.category_code AS category, s.id AS stage,
       pa {.id, .accepting_new_patients, .home_visits, .last_verified} AS participation
