// title: Parties aux partenariats
// description: Chaque partie (professionnel, structure ou CPTS) de chaque partenariat, avec son nom : le moteur de recherche en déduit les partenariats entre un candidat et les acteurs des étapes voisines.
MATCH (x)-[:PARTY_TO]->(pt:Partnership)
RETURN x.id AS actor, labels(x)[0] AS label, x.name AS name, x.first_name AS first_name, x.last_name AS last_name,
       pt {.id, .name, .kind} AS partnership
