// title: Communes du graphe et leurs coordonnées
// description: Toutes les communes chargées (code INSEE, nom, codes postaux, population, point) : le moteur de recherche en construit son index (noms, codes postaux, distances) une fois par graphe chargé.
MATCH (c:Commune)
RETURN c.id AS id, c.name AS name, c.department AS department, c.postal_codes AS postal_codes,
       c.population AS population, c.lat AS lat, c.lon AS lon
ORDER BY id
