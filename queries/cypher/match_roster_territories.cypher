// title: CPTS, leur structure et les communes qu'elles couvrent
// description: Chaque CPTS avec l'établissement FINESS sous lequel elle est enregistrée et les communes de son territoire : une structure ainsi enregistrée couvre ces communes.
MATCH (t:Territory)
OPTIONAL MATCH (t)-[:REGISTERED_AS]->(s:Structure)
OPTIONAL MATCH (t)-[:COVERS]->(c:Commune)
RETURN t.id AS territory, t.name AS name, s.id AS structure, collect(c.id) AS communes
