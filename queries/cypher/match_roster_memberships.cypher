// title: Adhésions aux CPTS et leurs indicateurs
// description: Chaque adhésion d'un professionnel ou d'une structure à une CPTS, avec ses indicateurs (nouveaux patients, visites à domicile, dernière vérification, MSSanté, téléphone) : le moteur de recherche les garde en mémoire une fois par graphe chargé.
MATCH (x)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory)
RETURN x.id AS actor, labels(x)[0] AS label, x.profession_code AS profession, x.specialty_code AS specialty,
       x.category_code AS category,
       m {.id, .role, .accepting_new_patients, .home_visits, .last_verified, .mssante, .phone} AS membership,
       t.id AS territory, t.name AS territory_name
