"""The maillage vocabulary in Python: ``MAI`` mirrors ``ontology/maillage.ttl`` term for term.

The Turtle file is the source of truth; ``MAI`` is a ``DefinedNamespace`` (the
shape of ``rdflib.namespace.SKOS``), so a typo such as ``MAI.Profesional``
raises ``AttributeError``, and ``tests/test_ontology.py`` checks both ways that
the class and the file declare the same terms. The comment of each term gives
its name in the property graph in brackets.

Also here: the namespaces of the data (``MAI_ID``: stable IRIs built from the
national identifiers), of the shapes (``MAISH``) and of FHIR, the paths of the
Turtle files, and :func:`bind_namespaces`, the one place prefixes are bound.

Examples
--------
>>> MAI.Professional
rdflib.term.URIRef('https://maillage.fr/ontology#Professional')
>>> MAI.Profesional
Traceback (most recent call last):
...
AttributeError: term 'Profesional' not in namespace 'https://maillage.fr/ontology#'
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, GEO, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

__all__ = [
    "MAI",
    "MAISH",
    "MAI_ID",
    "FHIR",
    "IGEO",
    "ONTOLOGY_IRI",
    "SHAPES_IRI",
    "ONTOLOGY_PATH",
    "SHAPES_PATH",
    "PREFIXES",
    "bind_namespaces",
]

ONTOLOGY_IRI = URIRef("https://maillage.fr/ontology")
SHAPES_IRI = URIRef("https://maillage.fr/shapes")
ONTOLOGY_PATH = Path(__file__).with_name("maillage.ttl")
SHAPES_PATH = Path(__file__).with_name("shapes.ttl")

#: the data: one IRI per node, ``https://maillage.fr/id/<kind>/<id>``
MAI_ID = Namespace("https://maillage.fr/id/")
#: the SHACL shapes of ontology/shapes.ttl
MAISH = Namespace("https://maillage.fr/shapes#")
#: HL7 FHIR R4 resources and elements, as FHIR RDF names them
FHIR = Namespace("http://hl7.org/fhir/")
#: INSEE's geographic ontology
IGEO = Namespace("http://rdf.insee.fr/def/geo#")


class MAI(DefinedNamespace):
    """The maillage ontology (``ontology/maillage.ttl``)."""

    _NS = Namespace("https://maillage.fr/ontology#")
    _fail = True

    # Classes: node labels
    Activity: URIRef  # [Activity] A professional's practice at a site: one Personne_activite row of…
    Commune: URIRef  # [Commune] An INSEE commune (or commune déléguée, arrondissement municipal),…
    Concept: URIRef  # [Concept] A code of an ANS MOS/NOS nomenclature (TRE_G15 profession, TRE_R38…
    Epci: URIRef  # [Epci] An EPCI à fiscalité propre (communauté d'agglomération, de…
    LegalEntity: URIRef  # [LegalEntity] A FINESS entité juridique (EJ): the legal body that runs one or…
    Membership: URIRef  # [Membership] A roster row: a professional or a structure member of a CPTS, with…
    Participation: URIRef  # [Participation] An actor's declared part in one stage of a pathway, with whether…
    Partnership: URIRef  # [Partnership] A convention, protocole de coopération or informal link between…
    Pathway: URIRef  # [Pathway] A parcours coordonné pluriprofessionnel: a theme (IC, BPCO, DT2,…
    Professional: URIRef  # [Professional] A health professional of the Annuaire Santé, identified by the…
    RoleRequirement: URIRef  # [RoleRequirement] A role a stage requires: the professions (TRE_G15), specialties…
    Source: URIRef  # [Source] A source file of a load (FINESS extract, Annuaire Santé extract,…
    Stage: URIRef  # [Stage] One stage of a pathway (the fiche action): qui, quoi, quand,…
    Structure: URIRef  # [Structure] A FINESS établissement (ET): a health, social or medico-social…
    Territory: URIRef  # [Territory] A Communauté Professionnelle Territoriale de Santé: the…

    # Object properties: relationship types
    atStructure: URIRef  # [AT_STRUCTURE] The FINESS site of a practice, when the site is in the loaded…
    broader: URIRef  # [BROADER] A nomenclature code's broader code (a FINESS category's agrégat)
    covers: URIRef  # [COVERS] A commune of the CPTS's territory
    forPathway: URIRef  # [FOR_PATHWAY] A pathway a partnership serves
    hasActivity: URIRef  # [HAS_ACTIVITY] A professional's practice at a site
    hasCategory: URIRef  # [HAS_CATEGORY] A site's FINESS category
    hasMembership: URIRef  # [HAS_MEMBERSHIP] An actor's membership of a CPTS
    hasProfession: URIRef  # [HAS_PROFESSION] A professional's profession (TRE_G15)
    hasReferent: URIRef  # [HAS_REFERENT] The actor who leads a pathway (its référent)
    hasSpecialty: URIRef  # [HAS_SPECIALTY] A professional's specialty (TRE_R38 savoir-faire)
    hasStage: URIRef  # [HAS_STAGE] A stage of a pathway; the relationship carries the stage's order,…
    inEpci: URIRef  # [IN_EPCI] A commune's EPCI
    inStage: URIRef  # [IN_STAGE] The pathway stage of a participation
    intervenesIn: URIRef  # [INTERVENES_IN] A commune an actor declares in its intervention zone (home visits,…
    locatedIn: URIRef  # [LOCATED_IN] The commune of a site or of a practice
    next: URIRef  # [NEXT] The stage that follows this one in its pathway
    ofTerritory: URIRef  # [OF_TERRITORY] The CPTS of a membership
    partOf: URIRef  # [PART_OF] A FINESS site's legal entity
    participates: URIRef  # [PARTICIPATES] An actor's participation in a pathway stage
    partyTo: URIRef  # [PARTY_TO] A partnership an actor (professional, structure, the CPTS) is a…
    registeredAs: URIRef  # [REGISTERED_AS] The FINESS site (category 604) under which the CPTS is registered
    requires: URIRef  # [REQUIRES] A role a stage requires (qui)

    # Datatype properties: node properties
    acceptingNewPatients: URIRef  # [accepting_new_patients] Whether the member accepts new patients (for the stage, on a…
    address: URIRef  # [address] Street address of a site or a practice
    aggregateCode: URIRef  # [aggregate_code] A site's FINESS category agrégat (categagretab)
    aggregateLabel: URIRef  # [aggregate_label] The label of a site's FINESS agrégat
    ape: URIRef  # [ape] A site's APE/NAF rev
    categories: URIRef  # [categories] FINESS category codes that fit a role, one value each
    categoryCode: URIRef  # [category_code] A site's FINESS category (categetab) or a professional's category…
    categoryLabel: URIRef  # [category_label] The label of a site's FINESS category
    city: URIRef  # [city] City label of a site or a practice, as the source writes it
    civility: URIRef  # [civility] A professional's civility of practice (Docteur, Madame...)
    closed: URIRef  # [closed] A site's closing date, when a source gives one (the FINESS open…
    code: URIRef  # [code] A concept's code in its nomenclature
    comment: URIRef  # [comment] How a stage is carried out (the « comment » of the fiche action,…
    commune: URIRef  # [commune] The INSEE code of the commune of a site or a practice, as resolved…
    contactEmail: URIRef  # [contact_email] The contact e-mail of a CPTS
    department: URIRef  # [department] The INSEE code of a commune's département (59, 2A, 971...)
    description: URIRef  # [description] A free-text description
    email: URIRef  # [email] An e-mail address of a site or a practice
    end: URIRef  # [end] The end date of a partnership; never before its start
    endDate: URIRef  # [end_date] The date a concept stopped being used (dateFin of the NOS)
    extracted: URIRef  # [extracted] The extraction date a source file states (the FINESS comment line)
    file: URIRef  # [file] The file name of a source, or the definition file of a pathway
    finess: URIRef  # [finess] The FINESS number (ET, category 604) of a CPTS, as its territory…
    firstName: URIRef  # [first_name] A professional's first name of practice
    homeVisit: URIRef  # [home_visit] Whether the role is carried out at the patient's home
    homeVisits: URIRef  # [home_visits] Whether the member makes home visits
    id: URIRef  # [id] The node's unique id in the property graph, built from the…
    idType: URIRef  # [id_type] The kind of a professional's national identifier: RPPS or ADELI
    identifier: URIRef  # [identifier] A professional's RPPS (11 digits) or ADELI (9 characters) number
    key: URIRef  # [key] The short key of a stage within its pathway, or of a role within…
    kind: URIRef  # [kind] A coded kind: commune type (COM, COMD, ARM), EPCI type (CA, CC,…
    label: URIRef  # [label] The label of a concept or of a required role
    lastName: URIRef  # [last_name] A professional's last name of practice
    lastVerified: URIRef  # [last_verified] The date the CPTS last checked this member's data; data older than…
    lat: URIRef  # [lat] WGS84 latitude of a commune's point or a site
    legalEntity: URIRef  # [legal_entity] The FINESS number of a site's legal entity (EJ), as given by the…
    loadedAt: URIRef  # [loaded_at] The date and time the source was loaded into the graph: the date…
    lon: URIRef  # [lon] WGS84 longitude of a commune's point or a site
    longName: URIRef  # [long_name] A site's long name (rslongue)
    modeCode: URIRef  # [mode_code] The mode of a practice (TRE_R23: L libéral, S salarié, B bénévole)
    modeLabel: URIRef  # [mode_label] The label of a practice's mode
    mssante: URIRef  # [mssante] A member's MSSanté (secure health mail) address
    name: URIRef  # [name] The name of a place, organisation, partnership, pathway or stage
    opened: URIRef  # [opened] A site's opening date (FINESS dateouv)
    optional: URIRef  # [optional] Whether the role may be left unfilled without breaking the stage
    order: URIRef  # [order] The position of a stage in its pathway, from 1 (also carried by…
    partage: URIRef  # [partage] The means of sharing information at a stage (MSSanté, DMP, visio,…
    pathway: URIRef  # [pathway] The id of the pathway a stage belongs to (mai:hasStage links them)
    phone: URIRef  # [phone] A phone number (digits only)
    population: URIRef  # [population] Population municipale (INSEE) of a commune or an EPCI
    postalCode: URIRef  # [postal_code] Postal code of a site or a practice
    postalCodes: URIRef  # [postal_codes] The postal codes of a commune (one value each)
    professionCode: URIRef  # [profession_code] A professional's profession code (TRE_G15); mai:hasProfession…
    professionLabel: URIRef  # [profession_label] The label of a professional's profession
    professions: URIRef  # [professions] TRE_G15 profession codes that fit a role, one value each
    quand: URIRef  # [quand] When (or within what delay) a stage takes place
    qui: URIRef  # [qui] Who acts at a stage, in words (the roles are mai:requires)
    quoi: URIRef  # [quoi] What is done at a stage
    radiusKm: URIRef  # [radius_km] The distance within which an actor serves a commune for this role,…
    references: URIRef  # [references] Secondary guidelines a pathway draws on, one citation each
    region: URIRef  # [region] The INSEE code of a commune's région
    role: URIRef  # [role] A member's role: membre, referent, bureau or coordination
    roleCode: URIRef  # [role_code] The role of a practice (Code rôle of 2023+ Annuaire Santé extracts)
    rows: URIRef  # [rows] How many rows of a source were loaded
    scheme: URIRef  # [scheme] The code of the nomenclature a concept belongs to (TRE_G15,…
    sectorCode: URIRef  # [sector_code] The sector of a practice (TRE_R02)
    sectorLabel: URIRef  # [sector_label] The label of a practice's sector
    sha256: URIRef  # [sha256] The SHA-256 of a source file (empty for a folder)
    shortLabel: URIRef  # [short_label] A concept's short label
    signed: URIRef  # [signed] Whether the partnership is a signed agreement
    since: URIRef  # [since] The date a member joined the CPTS
    siret: URIRef  # [siret] The SIRET (14 digits) of a site or of the place of a practice
    siteName: URIRef  # [site_name] The name of the site of a practice, as the Annuaire Santé gives it
    source: URIRef  # [source] Where the record comes from: the source file (roster, FINESS,…
    sourceLine: URIRef  # [source_line] The line of the source file the record was read from
    sourceUrl: URIRef  # [source_url] The web address of the guideline a pathway was written from
    specialties: URIRef  # [specialties] TRE_R38 specialty codes that fit a role, one value each
    specialtyCode: URIRef  # [specialty_code] A professional's specialty code (TRE_R38); mai:hasSpecialty links…
    specialtyLabel: URIRef  # [specialty_label] The label of a professional's specialty
    sphCode: URIRef  # [sph_code] A site's service public hospitalier code (FINESS codesph)
    start: URIRef  # [start] The start date of a partnership
    status: URIRef  # [status] A concept's status in its nomenclature (active, deprecated)
    structure: URIRef  # [structure] The FINESS number (ET) of the site of a practice, as the Annuaire…
    structureRef: URIRef  # [structure_ref] The Annuaire Santé technical id of the structure of a practice…
    synthetic: URIRef  # [synthetic] True for rows generated for the demonstration (not real open data)
    theme: URIRef  # [theme] The theme of a pathway (a disease or a population problem)
    updated: URIRef  # [updated] Date the source last updated the record (FINESS datemaj, pathway…
    version: URIRef  # [version] The version of a pathway definition

    # Annotation properties: the mapping to the property graph
    pgEdgeProperty: URIRef  # A datatype property a relationship of this type carries in the…
    pgName: URIRef  # Name of the term in the property graph: node label of a class,…
    schemeCode: URIRef  # The `scheme` value of Concept nodes in the property graph…


#: prefix -> namespace, bound on every graph maillage writes
PREFIXES: dict[str, str] = {
    "mai": str(MAI._NS),
    "maish": str(MAISH),
    "id": str(MAI_ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "org": str(ORG),
    "sdo": str(SDO),
    "geo": str(GEO),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "fhir": str(FHIR),
    "igeo": str(IGEO),
}


def bind_namespaces(graph: Graph) -> Graph:
    """Bind maillage's prefixes on ``graph`` (replacing rdflib's defaults) and return it.

    Examples
    --------
    >>> g = bind_namespaces(Graph())
    >>> dict(g.namespaces())["mai"]
    rdflib.term.URIRef('https://maillage.fr/ontology#')
    """
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)
    return graph
