// title: Version du graphe chargé
// description: Nombre de fichiers sources chargés et date du dernier chargement : les données dérivées (index des communes, catalogue des parcours) sont reconstruites quand elles changent.
MATCH (s:Source)
RETURN count(s) AS sources, max(s.loaded_at) AS loaded_at
