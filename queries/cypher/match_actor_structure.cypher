// title: Tout sur une structure
// description: La fiche d'une structure (établissement FINESS) : identité, catégorie, adresse et commune, entité juridique, adhésions à la CPTS avec leurs indicateurs et la date de dernière vérification, étapes de parcours auxquelles elle participe, zone d'intervention, partenariats, parcours dont elle est référente, CPTS qu'elle représente et professionnels qui y exercent.
// param: id string "590000620" — identifiant de la structure (FINESS ET)
MATCH (n:Structure {id: $id})
OPTIONAL MATCH (n)-[:LOCATED_IN]->(c:Commune)
OPTIONAL MATCH (n)-[:PART_OF]->(le:LegalEntity)
OPTIONAL MATCH (tr:Territory)-[:REGISTERED_AS]->(n)
WITH n, c, le, collect(tr {.id, .name}) AS registered_as
OPTIONAL MATCH (pro:Professional)-[:HAS_ACTIVITY]->(:Activity)-[:AT_STRUCTURE]->(n)
WITH n, c, le, registered_as,
     collect(DISTINCT pro {.id, .first_name, .last_name, .profession_label, .specialty_label}) AS professionals
OPTIONAL MATCH (n)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory)
WITH n, c, le, registered_as, professionals, collect(m {.*, territory_name: t.name}) AS memberships
OPTIONAL MATCH (n)-[:PARTICIPATES]->(pa:Participation)-[:IN_STAGE]->(s:Stage)<-[:HAS_STAGE]-(pw:Pathway)
WITH n, c, le, registered_as, professionals, memberships,
     collect(pa {.*, stage_name: s.name, stage_key: s.key, stage_order: s.order, pathway: pw.id,
                 pathway_name: pw.name}) AS participations
OPTIONAL MATCH (n)-[:INTERVENES_IN]->(ic:Commune)
WITH n, c, le, registered_as, professionals, memberships, participations, collect(ic {.id, .name}) AS interventions
OPTIONAL MATCH (rp:Pathway)-[:HAS_REFERENT]->(n)
WITH n, c, le, registered_as, professionals, memberships, participations, interventions,
     collect(rp {.id, .name}) AS referent_of
OPTIONAL MATCH (n)-[:PARTY_TO]->(pt:Partnership)
OPTIONAL MATCH (pt)<-[:PARTY_TO]-(o)
WHERE o.id <> n.id
WITH n, c, le, registered_as, professionals, memberships, participations, interventions, referent_of, pt,
     collect(o {.id, .name, .first_name, .last_name, label: labels(o)[0]}) AS others
OPTIONAL MATCH (pt)-[:FOR_PATHWAY]->(ppw:Pathway)
WITH n, c, le, registered_as, professionals, memberships, participations, interventions, referent_of, pt, others,
     collect(ppw {.id, .name}) AS pathways
RETURN n {.*, commune_name: c.name, legal_entity_name: le.name} AS actor, registered_as, professionals, memberships,
       participations, interventions, referent_of, collect(pt {.*, others: others, pathways: pathways}) AS partnerships
