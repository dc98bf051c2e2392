// title: Partenariats qui arrivent à échéance
// description: Les partenariats (conventions, protocoles de coopération, liens informels)
//   dont la date de fin tombe dans les N prochains jours : à renouveler avant que le
//   parcours ne perde le lien.
// param: days int = 90 — horizon en jours
// param: today date — computed: today()
// param: horizon date — computed: days_ahead(days) — date de fin la plus lointaine retenue
// column: partnership — Partenariat
// column: name — Intitulé
// column: kind — Type
// column: signed — Signé
// column: end_date — Date de fin
// column: parties — Parties
// column: pathways — Parcours
// example: days=90
MATCH (k:Partnership)
WHERE k.end IS NOT NULL AND k.end >= $today AND k.end <= $horizon
OPTIONAL MATCH (party)-[:PARTY_TO]->(k)
WITH k, coalesce(party.name, trim(coalesce(party.first_name, '') + ' ' + coalesce(party.last_name, ''))) AS party_name
ORDER BY party_name
WITH k, collect(party_name) AS parties
OPTIONAL MATCH (k)-[:FOR_PATHWAY]->(pw:Pathway)
WITH k, parties, pw
ORDER BY pw.id
WITH k, parties, collect(pw.id) AS pathways
RETURN k.id AS partnership, k.name AS name, k.kind AS kind, coalesce(k.signed, false) AS signed,
       k.end AS end_date, parties, pathways
ORDER BY end_date, partnership
