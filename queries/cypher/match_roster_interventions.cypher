// title: Zones d'intervention déclarées
// description: Chaque commune qu'un professionnel ou une structure déclare dans sa zone d'intervention (visites à domicile, tournées) : le moteur de recherche les garde en mémoire une fois par graphe chargé.
MATCH (x)-[:INTERVENES_IN]->(c:Commune)
RETURN x.id AS actor, labels(x)[0] AS label, x.profession_code AS profession, x.specialty_code AS specialty,
       x.category_code AS category, c.id AS commune
