// title: Tout sur un professionnel
// description: La fiche d'un professionnel : identité et profession, lieux d'exercice (site, adresse, commune, contacts, structure FINESS), adhésions à la CPTS avec leurs indicateurs et la date de dernière vérification, étapes de parcours auxquelles il participe, communes de sa zone d'intervention, partenariats (avec les autres parties et les parcours) et parcours dont il est référent.
// param: id string "810000000001" — identifiant du professionnel (identification nationale PP)
MATCH (n:Professional {id: $id})
OPTIONAL MATCH (n)-[:HAS_ACTIVITY]->(a:Activity)
OPTIONAL MATCH (a)-[:AT_STRUCTURE]->(st:Structure)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(ac:Commune)
WITH n, collect(a {.*, structure_name: st.name, commune_name: ac.name}) AS activities
OPTIONAL MATCH (n)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory)
WITH n, activities, collect(m {.*, territory_name: t.name}) AS memberships
OPTIONAL MATCH (n)-[:PARTICIPATES]->(pa:Participation)-[:IN_STAGE]->(s:Stage)<-[:HAS_STAGE]-(pw:Pathway)
WITH n, activities, memberships,
     collect(pa {.*, stage_name: s.name, stage_key: s.key, stage_order: s.order, pathway: pw.id,
                 pathway_name: pw.name}) AS participations
OPTIONAL MATCH (n)-[:INTERVENES_IN]->(ic:Commune)
WITH n, activities, memberships, participations, collect(ic {.id, .name}) AS interventions
OPTIONAL MATCH (rp:Pathway)-[:HAS_REFERENT]->(n)
WITH n, activities, memberships, participations, interventions, collect(rp {.id, .name}) AS referent_of
OPTIONAL MATCH (n)-[:PARTY_TO]->(pt:Partnership)
OPTIONAL MATCH (pt)<-[:PARTY_TO]-(o)
WHERE o.id <> n.id
WITH n, activities, memberships, participations, interventions, referent_of, pt,
     collect(o {.id, .name, .first_name, .last_name, label: labels(o)[0]}) AS others
OPTIONAL MATCH (pt)-[:FOR_PATHWAY]->(ppw:Pathway)
WITH n, activities, memberships, participations, interventions, referent_of, pt, others,
     collect(ppw {.id, .name}) AS pathways
RETURN n {.*} AS actor, activities, memberships, participations, interventions, referent_of,
       collect(pt {.*, others: others, pathways: pathways}) AS partnerships
