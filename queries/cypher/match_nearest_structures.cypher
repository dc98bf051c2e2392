// title: Où sont les structures de certaines catégories (partout)
// description: Chaque structure dont la catégorie FINESS est dans $categories, avec sa commune : sert seulement quand un rôle n'a aucun candidat, pour trouver l'acteur le plus proche hors du rayon (distances calculées en Python).
// param: categories list ["127"] — codes de catégorie FINESS
MATCH (c:Commune)<-[:LOCATED_IN]-(s:Structure)
WHERE s.category_code IN $categories
RETURN s.id AS id, [c.id] AS communes
