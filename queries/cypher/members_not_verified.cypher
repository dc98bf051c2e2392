// title: Adhérents dont les données ne sont pas vérifiées depuis N jours
// description: Les adhérents de la CPTS dont la ligne n'a pas été revue avec eux depuis
//   plus de N jours (ou jamais) : leurs disponibilités et leurs coordonnées sont peut-être
//   fausses. Les plus anciennes d'abord, jamais vérifiées en tête.
// param: days int = 365 — ancienneté maximale en jours
// param: territory string = null — identifiant de la CPTS ; vide : toutes
// param: cutoff date — computed: days_ago(days) — vérifié avant cette date = trop ancien
// column: actor — Identifiant
// column: name — Adhérent
// column: kind — Type
// column: last_verified — Dernière vérification
// column: phone — Téléphone
// column: mssante — MSSanté
// example: days=365
MATCH (x)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory)
WHERE ($territory IS NULL OR t.id = $territory)
  AND (m.last_verified IS NULL OR m.last_verified < $cutoff)
RETURN x.id AS actor,
       coalesce(x.name, trim(coalesce(x.first_name, '') + ' ' + coalesce(x.last_name, ''))) AS name,
       CASE WHEN x:Professional THEN 'professionnel' ELSE 'structure' END AS kind,
       m.last_verified AS last_verified, m.phone AS phone, m.mssante AS mssante
ORDER BY coalesce(last_verified, ''), name, actor
