// title: Noms, sites et coordonnées des acteurs affichés
// description: Le nom des professionnels $professionals affichés ; pour ceux de $with_contacts (les candidats retenus), chacun de leurs lieux d'exercice avec la commune, le site, l'adresse, le téléphone et le courriel ; pour les structures $structures affichées, nom, adresse, téléphone, courriel et libellé de catégorie.
// param: professionals list ["810000000001"] — professionnels affichés
// param: with_contacts list ["810000000001"] — professionnels affichés avec leurs coordonnées
// param: structures list ["590000001"] — structures affichées (FINESS ET)
MATCH (p:Professional)
WHERE p.id IN $professionals
RETURN p.id AS actor, null AS commune, trim(coalesce(p.first_name, '') + ' ' + coalesce(p.last_name, '')) AS name,
       p.synthetic AS synthetic, null AS site, null AS address, null AS postal_code, null AS city, null AS phone,
       null AS email, null AS category_label
UNION ALL
MATCH (p:Professional)-[:HAS_ACTIVITY]->(a:Activity)
WHERE p.id IN $with_contacts
RETURN p.id AS actor, a.commune AS commune, null AS name, null AS synthetic, a.site_name AS site,
       a.address AS address, a.postal_code AS postal_code, a.city AS city, a.phone AS phone, a.email AS email,
       null AS category_label
UNION ALL
MATCH (s:Structure)
WHERE s.id IN $structures
RETURN s.id AS actor, s.commune AS commune, s.name AS name, s.synthetic AS synthetic, s.name AS site,
       s.address AS address, s.postal_code AS postal_code, s.city AS city, s.phone AS phone, s.email AS email,
       s.category_label AS category_label
