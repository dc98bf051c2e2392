"""The one model of the territory: typed records that every projection reads.

Loaders turn source files into these records; ``graph.writer`` writes them to a
property-graph store, the RDF projection turns them into triples, and the
NetworkX view is built from the store. Nothing downstream re-parses files.

Every record has a stable ``id`` (built from national identifiers where there
is one), a ``LABEL`` (the node label, declared in ``ontology/maillage.ttl``),
``node_props()`` (the node's properties) and ``edges()`` (the relationships
leaving it). Property names are snake_case; relationship types UPPER_SNAKE.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Iterator, NamedTuple

__all__ = [
    "Edge",
    "Record",
    "Concept",
    "Commune",
    "Epci",
    "LegalEntity",
    "Structure",
    "Professional",
    "Activity",
    "Territory",
    "Membership",
    "Participation",
    "Intervention",
    "Partnership",
    "Pathway",
    "Stage",
    "RoleRequirement",
    "Source",
    "RECORD_TYPES",
]


class Edge(NamedTuple):
    """A relationship between two nodes, addressed by label and id."""

    type: str
    src_label: str
    src: str
    dst_label: str
    dst: str
    props: dict[str, Any]


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    """Drop None values and empty lists (stores treat a null SET as a removal)."""
    return {k: v for k, v in props.items() if v is not None and v != []}


@dataclass(slots=True)
class Record:
    """Base of every record: an id, a label, node properties, edges."""

    LABEL: ClassVar[str] = ""
    #: fields that become edges rather than node properties
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ()

    def node_props(self) -> dict[str, Any]:
        """Properties of the node (edge-only fields left out, None dropped)."""
        props = asdict(self)
        for name in self.EDGE_FIELDS:
            props.pop(name, None)
        return _clean(props)

    def edges(self) -> Iterator[Edge]:
        """Relationships leaving this record's node."""
        return iter(())


# --- nomenclatures ---------------------------------------------------------


@dataclass(slots=True)
class Concept(Record):
    """A code of a nomenclature (TRE_G15 profession, TRE_R38 specialty, FINESS category...).

    ``id`` is ``<scheme>:<code>``, e.g. ``TRE_G15:60`` (infirmier).
    """

    LABEL: ClassVar[str] = "Concept"
    id: str
    scheme: str
    code: str
    label: str
    short_label: str | None = None
    status: str | None = None
    end_date: str | None = None
    broader: str | None = None  # id of the broader concept (FINESS agrégat)
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("broader",)

    def edges(self) -> Iterator[Edge]:
        if self.broader:
            yield Edge("BROADER", "Concept", self.id, "Concept", self.broader, {})


# --- geography -------------------------------------------------------------


@dataclass(slots=True)
class Commune(Record):
    """An INSEE commune (or arrondissement municipal) with its point and population."""

    LABEL: ClassVar[str] = "Commune"
    id: str  # INSEE code, e.g. "59178", "2A004"
    name: str
    department: str
    region: str | None = None
    postal_codes: list[str] = field(default_factory=list)
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    kind: str = "COM"  # COM, COMD, ARM
    parent: str | None = None
    epci: str | None = None
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("epci", "parent")

    def edges(self) -> Iterator[Edge]:
        if self.epci:
            yield Edge("IN_EPCI", "Commune", self.id, "Epci", self.epci, {})


@dataclass(slots=True)
class Epci(Record):
    """An EPCI à fiscalité propre (CA, CC, CU, métropole), id = SIREN."""

    LABEL: ClassVar[str] = "Epci"
    id: str
    name: str
    kind: str | None = None
    population: int | None = None


# --- structures (FINESS) ---------------------------------------------------


@dataclass(slots=True)
class LegalEntity(Record):
    """A FINESS entité juridique (EJ)."""

    LABEL: ClassVar[str] = "LegalEntity"
    id: str  # nofinessej
    name: str | None = None


@dataclass(slots=True)
class Structure(Record):
    """A FINESS établissement (ET, a site), id = nofinesset."""

    LABEL: ClassVar[str] = "Structure"
    id: str
    name: str
    category_code: str | None = None
    category_label: str | None = None
    aggregate_code: str | None = None
    aggregate_label: str | None = None
    legal_entity: str | None = None
    long_name: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    commune: str | None = None  # INSEE code
    phone: str | None = None
    email: str | None = None
    siret: str | None = None
    ape: str | None = None
    sph_code: str | None = None
    opened: str | None = None  # ISO date
    closed: str | None = None  # ISO date of closing, when the source says the site is closed
    updated: str | None = None  # ISO date (datemaj)
    lat: float | None = None
    lon: float | None = None
    source: str | None = None
    source_line: int | None = None
    synthetic: bool = False
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ()

    def edges(self) -> Iterator[Edge]:
        if self.commune:
            yield Edge("LOCATED_IN", "Structure", self.id, "Commune", self.commune, {})
        if self.legal_entity:
            yield Edge("PART_OF", "Structure", self.id, "LegalEntity", self.legal_entity, {})
        if self.category_code:
            yield Edge(
                "HAS_CATEGORY", "Structure", self.id, "Concept", f"FINESS_CAT:{self.category_code}", {}
            )


# --- professionals (Annuaire Santé) ----------------------------------------


@dataclass(slots=True)
class Professional(Record):
    """A health professional, id = Identification nationale PP (type + identifiant)."""

    LABEL: ClassVar[str] = "Professional"
    id: str
    id_type: str  # "RPPS" or "ADELI"
    identifier: str
    last_name: str
    first_name: str | None = None
    civility: str | None = None
    profession_code: str | None = None
    profession_label: str | None = None
    category_code: str | None = None
    specialty_code: str | None = None
    specialty_label: str | None = None
    source: str | None = None
    source_line: int | None = None
    synthetic: bool = False

    def edges(self) -> Iterator[Edge]:
        if self.profession_code:
            yield Edge("HAS_PROFESSION", "Professional", self.id, "Concept", f"TRE_G15:{self.profession_code}", {})
        if self.specialty_code:
            yield Edge("HAS_SPECIALTY", "Professional", self.id, "Concept", f"TRE_R38:{self.specialty_code}", {})


@dataclass(slots=True)
class Activity(Record):
    """A professional's practice at a site (FHIR PractitionerRole): one Personne_activite row."""

    LABEL: ClassVar[str] = "Activity"
    id: str
    professional: str
    mode_code: str | None = None  # TRE_R23: L libéral, S salarié, B bénévole
    mode_label: str | None = None
    sector_code: str | None = None  # TRE_R02
    sector_label: str | None = None
    role_code: str | None = None
    site_name: str | None = None
    structure: str | None = None  # FINESS ET of the site, when any
    structure_ref: str | None = None  # Identifiant technique de la structure
    siret: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    commune: str | None = None  # INSEE code
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    source_line: int | None = None
    synthetic: bool = False
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("professional",)

    def edges(self) -> Iterator[Edge]:
        yield Edge("HAS_ACTIVITY", "Professional", self.professional, "Activity", self.id, {})
        if self.structure:
            yield Edge("AT_STRUCTURE", "Activity", self.id, "Structure", self.structure, {})
        if self.commune:
            yield Edge("LOCATED_IN", "Activity", self.id, "Commune", self.commune, {})


# --- the CPTS's own files --------------------------------------------------


@dataclass(slots=True)
class Territory(Record):
    """A CPTS and the communes it covers."""

    LABEL: ClassVar[str] = "Territory"
    id: str
    name: str
    finess: str | None = None  # FINESS ET of the CPTS (category 604)
    communes: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    contact_email: str | None = None
    source: str | None = None
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("communes", "epcis")

    def edges(self) -> Iterator[Edge]:
        for code in self.communes:
            yield Edge("COVERS", "Territory", self.id, "Commune", code, {})
        if self.finess:
            yield Edge("REGISTERED_AS", "Territory", self.id, "Structure", self.finess, {})


@dataclass(slots=True)
class Membership(Record):
    """A member of the CPTS (roster row): a professional or a structure, with its flags."""

    LABEL: ClassVar[str] = "Membership"
    id: str
    territory: str
    actor_label: str  # "Professional" or "Structure"
    actor: str
    role: str | None = None  # membre, référent, bureau...
    since: str | None = None
    accepting_new_patients: bool | None = None
    home_visits: bool | None = None
    last_verified: str | None = None
    mssante: str | None = None
    phone: str | None = None
    source: str | None = None
    source_line: int | None = None
    synthetic: bool = False
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("territory", "actor_label", "actor")

    def edges(self) -> Iterator[Edge]:
        yield Edge("HAS_MEMBERSHIP", self.actor_label, self.actor, "Membership", self.id, {})
        yield Edge("OF_TERRITORY", "Membership", self.id, "Territory", self.territory, {})


@dataclass(slots=True)
class Participation(Record):
    """An actor's declared part in one pathway stage (from the roster)."""

    LABEL: ClassVar[str] = "Participation"
    id: str
    actor_label: str
    actor: str
    stage: str
    accepting_new_patients: bool | None = None
    home_visits: bool | None = None
    last_verified: str | None = None
    source: str | None = None
    synthetic: bool = False
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("actor_label", "actor", "stage")

    def edges(self) -> Iterator[Edge]:
        yield Edge("PARTICIPATES", self.actor_label, self.actor, "Participation", self.id, {})
        yield Edge("IN_STAGE", "Participation", self.id, "Stage", self.stage, {})


@dataclass(slots=True)
class Intervention(Record):
    """A commune an actor declares in its intervention zone (home visits, tournées)."""

    LABEL: ClassVar[str] = ""  # edge-only record
    actor_label: str = ""
    actor: str = ""
    commune: str = ""

    def node_props(self) -> dict[str, Any]:
        return {}

    def edges(self) -> Iterator[Edge]:
        yield Edge("INTERVENES_IN", self.actor_label, self.actor, "Commune", self.commune, {})


@dataclass(slots=True)
class Partnership(Record):
    """A convention, protocole de coopération or informal link between actors."""

    LABEL: ClassVar[str] = "Partnership"
    id: str
    name: str
    kind: str  # convention | protocole_cooperation | informel
    parties: list[tuple[str, str]] = field(default_factory=list)  # (label, id)
    pathways: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    signed: bool = False
    description: str | None = None
    source: str | None = None
    source_line: int | None = None
    synthetic: bool = False
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("parties", "pathways")

    def edges(self) -> Iterator[Edge]:
        for label, actor in self.parties:
            yield Edge("PARTY_TO", label, actor, "Partnership", self.id, {})
        for pathway in self.pathways:
            yield Edge("FOR_PATHWAY", "Partnership", self.id, "Pathway", pathway, {})


@dataclass(slots=True)
class Pathway(Record):
    """A PCPP: a theme and its ordered stages, written from a named guideline."""

    LABEL: ClassVar[str] = "Pathway"
    id: str
    name: str
    theme: str | None = None
    description: str | None = None
    source: str | None = None  # the guideline (HAS...)
    source_url: str | None = None
    referent: str | None = None  # actor id of the référent, when named
    referent_label: str | None = None
    version: str | None = None
    updated: str | None = None
    references: list[str] = field(default_factory=list)  # secondary guidelines
    file: str | None = None
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("referent", "referent_label")

    def edges(self) -> Iterator[Edge]:
        if self.referent:
            yield Edge("HAS_REFERENT", "Pathway", self.id, self.referent_label or "Professional", self.referent, {})


@dataclass(slots=True)
class Stage(Record):
    """One stage of a pathway (the fiche action): qui, quoi, quand, comment, partage."""

    LABEL: ClassVar[str] = "Stage"
    id: str  # "<pathway>.<key>"
    pathway: str
    key: str
    order: int
    name: str
    qui: str | None = None
    quoi: str | None = None
    quand: str | None = None
    comment: str | None = None
    partage: list[str] = field(default_factory=list)
    next_stage: str | None = None
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("next_stage",)

    def edges(self) -> Iterator[Edge]:
        yield Edge("HAS_STAGE", "Pathway", self.pathway, "Stage", self.id, {"order": self.order})
        if self.next_stage:
            yield Edge("NEXT", "Stage", self.id, "Stage", self.next_stage, {})


@dataclass(slots=True)
class RoleRequirement(Record):
    """A role a stage requires: professions, specialties or structure categories that fit."""

    LABEL: ClassVar[str] = "RoleRequirement"
    id: str  # "<stage id>.<key>"
    stage: str
    key: str
    label: str
    professions: list[str] = field(default_factory=list)  # TRE_G15 codes
    specialties: list[str] = field(default_factory=list)  # TRE_R38 codes
    categories: list[str] = field(default_factory=list)  # FINESS categetab codes
    radius_km: float | None = None
    home_visit: bool = False
    optional: bool = False
    order: int | None = None  # position of the role in its stage's definition
    EDGE_FIELDS: ClassVar[tuple[str, ...]] = ("stage",)

    def edges(self) -> Iterator[Edge]:
        yield Edge("REQUIRES", "Stage", self.stage, "RoleRequirement", self.id, {})


@dataclass(slots=True)
class Source(Record):
    """A source file of a load: provenance of the facts it gave (PROV-O ``prov:Entity``)."""

    LABEL: ClassVar[str] = "Source"
    id: str  # "<kind>:<file name>"
    kind: str  # communes, epci, nomenclature, finess, rpps, roster, partnerships, pathway
    file: str
    sha256: str
    rows: int = 0
    loaded_at: str | None = None  # ISO timestamp of the load
    extracted: str | None = None  # extraction date when the file says it (FINESS comment line)
    synthetic: bool = False


RECORD_TYPES: tuple[type[Record], ...] = (
    Concept,
    Commune,
    Epci,
    LegalEntity,
    Structure,
    Professional,
    Activity,
    Territory,
    Membership,
    Participation,
    Intervention,
    Partnership,
    Pathway,
    Stage,
    RoleRequirement,
    Source,
)
