"""Annuaire Santé ``PS_LibreAcces_Personne_activite`` lines: professions, densities, codes, row layout.

The 2021 header (52 columns, trailing ``|``) is copied from the real December-2021
extraction (``../shared/data/rpps/PS_LibreAcces_Personne_activite_sample_2021.txt``);
2023+ extractions add ``Code rôle|Libellé rôle|Code genre activité|Libellé genre
activité`` before the trailing ``|``. Codes are the ANS ones: TRE_G15 professions,
TRE_R38 savoir-faire, TRE_R23 modes, TRE_R02 secteurs (with the labels the
extraction prints, e.g. ``Etab. Privé Non PSPH``), TRE_G05 sections of the
pharmacists' register, TRE_R21 rôles (fonctions) and TRE_R22 genres d'activité.

Densities (professionals per 100,000 inhabitants) are orders of magnitude from
DREES (démographie des professionnels de santé, RPPS/ADELI 2021-2023) and the
ordres (CNOM atlas, CNOP, ONI, CNOMK):

- ``national`` — every professional with an activity, all modes, used for the
  département / region / France benchmark files (about 2,170 per 100,000, i.e.
  1.47 million with an activity in France, plus 8 % registered without one);
- ``territory`` — the demo territory: (libéral, salarié) densities. Libéral
  densities are the national ones (médecins généralistes 80, infirmiers 150,
  masseurs-kinésithérapeutes 100, chirurgiens-dentistes 50, …); hospital salaried
  staff are only sampled (e.g. 50 salaried nurses per 100,000 instead of ~790)
  so that the committed file stays small: the demo is about community care.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.synth_base import ascii_upper, email_part, person_name

__all__ = [
    "HEADER_2021",
    "HEADER_2023_EXTRA",
    "header_line",
    "Profession",
    "PROFESSIONS",
    "PROFESSION_BY_KEY",
    "Person",
    "Site",
    "new_person",
    "activity_line",
    "bare_line",
    "site_part",
    "cabinet_part",
    "secteur_for_category",
    "employer_class",
    "cabinet_name",
    "SITE_WEIGHT",
    "SECTEURS",
    "SECTIONS",
    "SECTION_BY_KEY",
    "ROLES",
    "GENRES",
]

HEADER_2021 = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|"
    "Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|"
    "Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|"
    "Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|"
    "Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|"
    "Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|"
    "Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|"
    "Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|"
    "Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|"
    "Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|"
    "Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|"
    "Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|"
    "Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|"
    "Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens"
).split("|")
HEADER_2023_EXTRA = ["Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité"]


def header_line(fmt: str) -> str:
    """The header line (with its trailing ``|`` and newline) of format ``"2021"`` or ``"2023"``."""
    cols = HEADER_2021 + (HEADER_2023_EXTRA if fmt == "2023" else [])
    return "|".join(cols) + "|\n"


#: TRE_R02 secteurs d'activité, with the labels printed in the extraction where they differ.
SECTEURS = {
    "SA01": "Etablissement Public de santé", "SA03": "Etab. Privé PSPH", "SA04": "Etab. Privé Non PSPH",
    "SA05": "Centre de santé", "SA07": "Cabinet individuel", "SA08": "Cabinet de groupe",
    "SA09": "Exercice en société", "SA12": "Etablissement de soins et prévention",
    "SA15": "PMI et Planification familiale", "SA16": "Etab. pour Handicapés",
    "SA17": "Etablissement pour personnes âgées", "SA18": "Etablissement aide à la famille",
    "SA19": "Etablissements FINESS de formation aux professions sanitaires et sociales",
    "SA20": "Etablissement pour la protection de l'enfance", "SA25": "Laboratoire de biologie médicale (LBM)",
    "SA30": "Autre établissement sanitaire", "SA32": "Fab. Exploit. Import. Méd. DM",
    "SA33": "Pharmacie d'officine", "SA34": "Centre de dialyse", "SA38": "Pharmacie minière",
    "SA39": "Pharmacie mutualiste", "SA41": "Autre établissement du domaine social ou médico-social",
    "SA42": "Appareillage médical", "SA52": "Maison de santé ou Pôle de santé",
    "SA61": "Structure Dispensatrice à domicile d'Oxygène à usage médical",
    "SA63": "Structures de coordination et d'orientation",
}
#: TRE_G05 sections of the pharmacists' register (A titulaires, D adjoints, G biologistes, H établissements).
SECTIONS = {"A": "Pharmacien titulaire d'officine", "B": "Pharmacien d'entreprise - industrie",
            "D": "Pharmacien adjoint, remplaçant ou gérant", "E": "Pharmacien d'Outre-Mer",
            "G": "Pharmacien biologiste", "H": "Pharmacien d'établissement de santé"}
#: TRE_R21 fonctions, printed as "rôle" in 2023+ extractions.
ROLES = {"FON-01": "Titulaire de cabinet", "FON-02": "Associé dans une société d'exercice (SEL ou SCP)",
         "FON-03": "Titulaire d'officine", "FON-05": "Adjoint", "FON-17": "Collaborateur",
         "FON-22": "Remplaçant, intérimaire, intermittent", "FON-33": "Salarié en poste fixe",
         "FON-41": "Biologiste médical", "FON-63": "Coordonnateur en EHPAD"}
#: TRE_R22 genres d'activité.
GENRES = {"GENR01": "Activité de soin et de pharmacie",
          "GENR02": "Activité de soins ou de pharmacien en tant que remplaçant",
          "GENR04": "Activité non soignante"}
#: Section of the pharmacists' register of each pharmacist profession key.
SECTION_BY_KEY = {"pharm_a": "A", "pharm_d": "D", "pharm_g": "G", "pharm_h": "H", "pharm_b": "B"}
MODES = {"L": "Libéral", "S": "Salarié", "B": "Bénévole", "": ""}
CIVILITES = {"M": "Monsieur", "MME": "Madame", "MLLE": "Mademoiselle"}


@dataclass(frozen=True)
class Profession:
    """One profession × savoir-faire, with its densities and where its salaried members work."""

    key: str
    code: str  # TRE_G15
    label: str
    sf: str  # TRE_R38 savoir-faire (type S), or ""
    sf_label: str
    authority: str  # registering authority as printed ("CNOM" -> "CNOM/CNOM/CNOM")
    national: float  # per 100,000 inhabitants, all modes (benchmark files)
    liberal: float  # share of libéral activities (national)
    female: float
    territory: tuple[float, float] = (0.0, 0.0)  # demo territory (libéral, salarié) per 100,000
    employers: dict[str, float] = field(default_factory=dict)  # salaried: employer class -> weight
    dr: float = 0.0  # share with civilité d'exercice "Docteur"


_HOSP = {"hopital": 1.0}
_MED = {"hopital": 85, "cds": 6, "psy": 4, "other": 5}
_P = Profession
#: Professions, densities and employers (see the module docstring for the sources of the densities).
PROFESSIONS: list[Profession] = [
    _P("mg", "10", "Médecin", "SM54", "Médecine générale", "CNOM", 147, 0.62, 0.52, (80, 10),
       {"hopital": 35, "cds": 25, "ehpad": 15, "pmi": 5, "domicile": 5, "other": 15}, 1.0),
    _P("cardio", "10", "Médecin", "SM04", "Cardiologie et Maladies vasculaires", "CNOM", 9, 0.55, 0.25, (5, 2),
       _MED, 1.0),
    _P("pneumo", "10", "Médecin", "SM41", "Pneumologie", "CNOM", 5, 0.40, 0.45, (2, 2), _MED, 1.0),
    _P("endoc", "10", "Médecin", "SM62", "Endocrinologie, diabétologie, nutrition", "CNOM", 3.5, 0.50, 0.65,
       (1.5, 1.5), _MED, 1.0),
    _P("geriatre", "10", "Médecin", "SM18", "Gériatrie", "CNOM", 3.5, 0.05, 0.60, (0, 3),
       {"hopital": 70, "ehpad": 20, "domicile": 10}, 1.0),
    _P("ophtalmo", "10", "Médecin", "SM38", "Ophtalmologie", "CNOM", 9, 0.80, 0.45, (5, 1), _MED, 1.0),
    _P("nephro", "10", "Médecin", "SM30", "Néphrologie", "CNOM", 3, 0.30, 0.45, (1, 1.5),
       {"hopital": 60, "dialyse": 40}, 1.0),
    _P("psychiatre", "10", "Médecin", "SM42", "Psychiatrie", "CNOM", 21, 0.40, 0.50, (4, 6),
       {"psy": 60, "hopital": 35, "handicap": 5}, 1.0),
    _P("pediatre", "10", "Médecin", "SM40", "Pédiatrie", "CNOM", 13, 0.30, 0.70, (3, 3),
       {"hopital": 70, "pmi": 20, "handicap": 10}, 1.0),
    _P("gyneco", "10", "Médecin", "SM20", "Gynécologie-obstétrique", "CNOM", 8, 0.45, 0.60, (3, 3), _MED, 1.0),
    _P("dermato", "10", "Médecin", "SM15", "Dermatologie et Vénéréologie", "CNOM", 6, 0.85, 0.70, (2.5, 0.5),
       _MED, 1.0),
    _P("gastro", "10", "Médecin", "SM24", "Gastro-entérologie et Hépatologie", "CNOM", 6, 0.50, 0.35, (2, 2),
       _MED, 1.0),
    _P("rhumato", "10", "Médecin", "SM48", "Rhumatologie", "CNOM", 4, 0.65, 0.50, (1.5, 0.5), _MED, 1.0),
    _P("radiologue", "10", "Médecin", "SM44", "Radio-diagnostic", "CNOM", 13, 0.60, 0.35, (5, 2), _HOSP, 1.0),
    _P("neuro", "10", "Médecin", "SM32", "Neurologie", "CNOM", 4, 0.35, 0.50, (1, 1), _HOSP, 1.0),
    _P("orl", "10", "Médecin", "SM34", "ORL et Chirurgie cervico-faciale", "CNOM", 4.5, 0.60, 0.35, (1.5, 0.5),
       _HOSP, 1.0),
    _P("chir_ortho", "10", "Médecin", "SM08", "Chirurgie orthopédique et Traumatologie", "CNOM", 6, 0.55, 0.10,
       (1.5, 1), _HOSP, 1.0),
    _P("mpr", "10", "Médecin", "SM29", "Médecine physique et de réadaptation", "CNOM", 3, 0.20, 0.50, (0, 1.5),
       {"hopital": 70, "handicap": 30}, 1.0),
    _P("med_vasc", "10", "Médecin", "SM61", "Médecine vasculaire", "CNOM", 2, 0.70, 0.50, (1, 0), _HOSP, 1.0),
    _P("anesth", "10", "Médecin", "SM02", "Anesthésie-réanimation", "CNOM", 18, 0.30, 0.40, (0, 0), _HOSP, 1.0),
    _P("urgence", "10", "Médecin", "SM59", "Médecine d'urgence", "CNOM", 8, 0.02, 0.45, (0, 0), _HOSP, 1.0),
    _P("chir_visc", "10", "Médecin", "SM14", "Chirurgie viscérale et digestive", "CNOM", 5, 0.30, 0.20, (0, 0),
       _HOSP, 1.0),
    _P("med_interne", "10", "Médecin", "SM27", "Médecine interne", "CNOM", 5, 0.10, 0.45, (0, 0), _HOSP, 1.0),
    _P("med_travail", "10", "Médecin", "SM25", "Médecine du travail", "CNOM", 7, 0.01, 0.60, (0, 0),
       {"other": 80, "hopital": 20}, 1.0),
    _P("biologiste", "10", "Médecin", "SM03", "Biologie médicale", "CNOM", 4, 0.50, 0.45, (0, 0),
       {"lbm": 70, "hopital": 30}, 1.0),
    _P("sante_pub", "10", "Médecin", "SM49", "Santé publique et médecine sociale", "CNOM", 2.5, 0.0, 0.55, (0, 0),
       {"other": 60, "pmi": 20, "hopital": 20}, 1.0),
    _P("anapath", "10", "Médecin", "SM01", "Anatomie et Cytologie pathologiques", "CNOM", 2.5, 0.40, 0.55, (0, 0),
       _HOSP, 1.0),
    _P("onco", "10", "Médecin", "SM36", "Oncologie, option médicale", "CNOM", 2.5, 0.20, 0.55, (0, 0), _HOSP, 1.0),
    _P("urologie", "10", "Médecin", "SM12", "Chirurgie urologique", "CNOM", 2, 0.60, 0.10, (0, 0), _HOSP, 1.0),
    _P("gyn_med", "10", "Médecin", "SM19", "Gynécologie médicale", "CNOM", 2, 0.80, 0.90, (0, 0), _MED, 1.0),
    _P("autres_spe", "10", "Médecin", "SM46", "Médecine intensive-réanimation", "CNOM", 12, 0.25, 0.40, (0, 0),
       _HOSP, 1.0),
    _P("pharm_a", "21", "Pharmacien", "", "", "CNOP", 38, 1.0, 0.62, (0, 0), {}, 0.3),
    _P("pharm_d", "21", "Pharmacien", "", "", "CNOP", 40, 0.0, 0.72, (0, 0), {"officine": 1}, 0.2),
    _P("pharm_h", "21", "Pharmacien", "", "", "CNOP", 12, 0.0, 0.70, (0, 3), _HOSP, 0.4),
    _P("pharm_g", "21", "Pharmacien", "", "", "CNOP", 9, 0.45, 0.60, (0, 2), {"lbm": 1}, 0.4),
    _P("pharm_b", "21", "Pharmacien", "", "", "CNOP", 6, 0.0, 0.60, (0, 0), {"industrie": 1}, 0.2),
    _P("dentiste", "40", "Chirurgien-Dentiste", "", "", "ONCD", 62, 0.88, 0.48, (48, 4),
       {"cds": 80, "hopital": 20}, 0.7),
    _P("odf", "40", "Chirurgien-Dentiste", "SCD01", "Orthopédie dento-faciale", "ONCD", 4, 0.95, 0.60, (2, 0),
       {"cds": 1}, 0.8),
    _P("sage_femme", "50", "Sage-Femme", "", "", "CNOSF", 35, 0.35, 0.97, (15, 20),
       {"hopital": 85, "pmi": 10, "cds": 5}),
    _P("infirmier", "60", "Infirmier", "", "", "ONI", 882, 0.16, 0.87, (150, 50),
       {"hopital": 60, "ehpad": 15, "domicile": 7, "cds": 3, "psy": 6, "handicap": 5, "pmi": 1, "dialyse": 2,
        "other": 1}),
    _P("ipa", "60", "Infirmier", "SI01",
       "Infirmier(ère) en pratique avancée Pathologies chroniques stabilisées", "ONI", 3, 0.50, 0.85, (2, 0),
       {"hopital": 60, "cds": 40}),
    _P("puericultrice", "60", "Infirmier", "SI08", "Infirmier(ère) puériculteur(trice)", "ONI", 30, 0.04, 0.98,
       (0, 0), {"hopital": 60, "pmi": 40}),
    _P("iade", "60", "Infirmier", "SI07", "Infirmier(ère) anesthésiste", "ONI", 15, 0.0, 0.70, (0, 0), _HOSP),
    _P("ibode", "60", "Infirmier", "SI06", "Infirmier(ère) de bloc opératoire", "ONI", 10, 0.0, 0.85, (0, 0),
       _HOSP),
    _P("kine", "70", "Masseur-Kinésithérapeute", "", "", "CNOMK", 147, 0.83, 0.50, (100, 12),
       {"hopital": 50, "handicap": 20, "ehpad": 20, "other": 10}),
    _P("podologue", "80", "Pédicure-Podologue", "", "", "ONPP", 22, 0.97, 0.70, (20, 0), {"hopital": 1}),
    _P("orthophoniste", "91", "Orthophoniste", "", "", "ARS", 38, 0.82, 0.97, (28, 3),
       {"handicap": 50, "hopital": 50}),
    _P("orthoptiste", "92", "Orthoptiste", "", "", "ARS", 9, 0.50, 0.90, (4, 1), {"hopital": 60, "other": 40}),
    _P("ergo", "94", "Ergothérapeute", "", "", "ARS", 23, 0.18, 0.87, (4, 12),
       {"hopital": 45, "handicap": 30, "ehpad": 15, "domicile": 10}),
    _P("psychomot", "96", "Psychomotricien", "", "", "ARS", 22, 0.20, 0.88, (3, 8),
       {"handicap": 50, "hopital": 30, "ehpad": 10, "psy": 10}),
    _P("dieteticien", "95", "Diététicien", "", "", "ARS", 18, 0.45, 0.92, (6, 6),
       {"hopital": 70, "ehpad": 15, "other": 15}),
    _P("psychologue", "93", "Psychologue", "", "", "ARS", 117, 0.42, 0.85, (20, 15),
       {"hopital": 30, "psy": 20, "handicap": 25, "ehpad": 10, "other": 15}),
    _P("audioprothesiste", "26", "Audioprothésiste", "", "", "ARS", 6.6, 0.25, 0.45, (0, 0), {"appareillage": 1}),
    _P("opticien", "28", "Opticien-Lunetier", "", "", "ARS", 62, 0.15, 0.55, (0, 0), {"appareillage": 1}),
    _P("manip_erm", "98", "Manipulateur ERM", "", "", "ARS", 56, 0.0, 0.70, (0, 0),
       {"hopital": 70, "imagerie": 30}),
    _P("tech_labo", "86", "Technicien de laboratoire médical", "", "", "ARS", 74, 0.0, 0.80, (0, 0),
       {"lbm": 60, "hopital": 40}),
    _P("assist_dentaire", "31", "Assistant dentaire", "", "", "ARS", 30, 0.0, 0.95, (0, 0), {"cabinet": 1}),
    _P("physicien", "32", "Physicien médical", "", "", "ARS", 1.5, 0.0, 0.40, (0, 0), _HOSP),
    _P("orthopediste", "83", "Orthopédiste-Orthésiste", "", "", "ARS", 3.5, 0.50, 0.30, (0, 0),
       {"appareillage": 1}),
]
PROFESSION_BY_KEY = {p.key: p for p in PROFESSIONS}


@dataclass
class Person:
    """A synthetic professional; ``prefix`` holds the first 17 fields of each of their lines."""

    seq: int
    rpps: str
    prof: Profession
    female: bool
    last: str
    first: str
    civ: str  # M, MME, MLLE
    dr: bool  # civilité d'exercice "Docteur"
    prefix: str

    @property
    def national_id(self) -> str:
        """Identification nationale PP: ``8`` + RPPS."""
        return "8" + self.rpps

    @property
    def display_name(self) -> str:
        """``Prénom NOM`` as a CPTS would write it."""
        return f"{self.first.title() if self.first.isupper() else self.first} {self.last}"

    def email(self, domain: str) -> str:
        """``prenom.nom@domain``."""
        return f"{email_part(self.first)}.{email_part(self.last)}@{domain}"


def new_person(rng: random.Random, seq: int, rpps: str, prof: Profession) -> Person:
    """Draw a professional of profession ``prof`` (sex, names, civilités) with RPPS ``rpps``."""
    female = rng.random() < prof.female
    last, first = person_name(rng, female)
    civ = ("MLLE" if rng.random() < 0.01 else "MME") if female else "M"
    dr = rng.random() < prof.dr
    sf_type, sf_type_label = ("S", "Spécialité ordinale") if prof.sf else ("", "")
    prefix = "|".join((
        "8", rpps, "8" + rpps, "DR" if dr else "", "Docteur" if dr else "", civ, CIVILITES[civ], last, first,
        prof.code, prof.label, "C", "Civil", sf_type, sf_type_label, prof.sf, prof.sf_label,
    ))
    return Person(seq, rpps, prof, female, last, first, civ, dr, prefix)


def site_part(
    *, siret: str = "", finess: str = "", finess_ej: str = "", tech_id: str = "", rs: str = "",
    enseigne: str = "", dest: str = "", geo: str = "", num: str = "", rep: str = "", typ: str = "",
    typ_label: str = "", voie: str = "", distrib: str = "", bureau: str = "", cp: str = "", insee: str = "",
    commune: str = "", tel: str = "", tel2: str = "", fax: str = "", email: str = "", ancien: str = "",
) -> str:
    """The 28 structure fields (``Numéro SIRET site`` … ``Ancien identifiant de la structure``) joined by ``|``."""
    return "|".join((siret, "", finess, finess_ej, tech_id, rs, enseigne, dest, geo, num, rep, typ, typ_label,
                     voie, distrib, bureau, cp, insee, commune, "", "", tel, tel2, fax, email, "", "", ancien))


@dataclass
class Site:
    """A FINESS établissement where professionals work (real in the demo, generated for the benchmark)."""

    finess: str
    ej: str
    rs: str
    cat: str
    sph: str
    num: str
    typ: str
    typ_label: str
    voie: str
    distrib: str
    cp: str
    bureau: str
    insee: str
    commune: str
    tel: str
    siret: str
    lat: float
    lon: float
    part: str = ""

    def __post_init__(self) -> None:
        """Build the structure fields once: every line at this site shares them."""
        self.part = site_part(siret=self.siret, finess=self.finess, finess_ej=self.ej, tech_id="F" + self.finess,
                              rs=self.rs, num=self.num, typ=self.typ, typ_label=self.typ_label, voie=self.voie,
                              distrib=self.distrib, bureau=self.bureau, cp=self.cp, insee=self.insee,
                              commune=self.commune, tel=self.tel, ancien="1" + self.finess)


def cabinet_part(
    rng: random.Random, person: Person, cab_seq: int, *, num: str, rep: str, typ: str, typ_label: str, voie: str,
    cp: str, bureau: str, insee: str, commune: str, tel: str, rs: str | None = None, email: str = "",
    siret: str = "", geo: str = "",
) -> str:
    """Structure fields of a libéral cabinet (``R`` technical id, ``4``-prefixed former id, invented address)."""
    if rs is None:
        rs = f"CABINET {'DR' if person.dr else person.civ} {person.last}"[:38]
    tech = f"R{cab_seq:014d}" if not siret else "C" + siret
    return site_part(siret=siret, tech_id=tech, rs=rs, dest=rs, geo=geo, num=num, rep=rep, typ=typ,
                     typ_label=typ_label, voie=voie, bureau=bureau, cp=cp, insee=insee, commune=commune, tel=tel,
                     email=email, ancien=("3" + siret) if siret else f"4{cab_seq:014d}")


def activity_line(
    person: Person, mode: str, part: str, secteur: str, section: str = "", extra: tuple[str, str] | None = None,
) -> str:
    """One ``Personne_activite`` line (2021 layout, or 2023+ when ``extra`` = (rôle, genre) codes)."""
    auth = person.prof.authority
    tail = f"{secteur}|{SECTEURS[secteur]}|{section}|{SECTIONS[section] if section else ''}|"
    line = f"{person.prefix}|{mode}|{MODES[mode]}|{part}|{auth}/{auth}/{auth}|{tail}"
    if extra is not None:
        role, genre = extra
        line += f"{role}|{ROLES.get(role, '')}|{genre}|{GENRES.get(genre, '')}|"
    return line + "\n"


def bare_line(person: Person, fmt: str) -> str:
    """The line of a registered professional with no declared activity (as in the real extraction)."""
    empty = "|" * 28
    line = f"{person.prefix}|||{empty}{person.prof.authority}//|||||"
    if fmt == "2023":
        line += "||||"
    return line + "\n"


_PSPH = {"2", "3", "5", "6", "7"}
_SECTEUR_BY_CAT = {
    "124": "SA05", "636": "SA05", "603": "SA52", "604": "SA63", "606": "SA63", "146": "SA34", "141": "SA34",
    "611": "SA25", "610": "SA25", "612": "SA25", "620": "SA33", "627": "SA33", "628": "SA38", "629": "SA39",
    "632": "SA61", "223": "SA15", "228": "SA15", "230": "SA15", "224": "SA15", "231": "SA15",
}
_ELDERLY = {"500", "501", "502", "202", "207", "381", "354", "209"}


def secteur_for_category(cat: str, agr: str, sph: str) -> str:
    """TRE_R02 secteur of a salaried activity at a FINESS site of category ``cat`` (agrégat ``agr``)."""
    if cat in _SECTEUR_BY_CAT:
        return _SECTEUR_BY_CAT[cat]
    if cat in _ELDERLY:
        return "SA17"
    if agr.startswith(("11", "12", "13")) or cat in ("127", "422", "156"):
        return "SA01" if sph == "1" else "SA03" if sph in _PSPH else "SA04" if sph == "0" else "SA01"
    if agr.startswith(("41", "43")):
        return "SA16"
    if agr.startswith("45"):
        return "SA20"
    if agr.startswith("22"):
        return "SA12"
    if agr.startswith("6"):
        return "SA19"
    if agr.startswith("5"):
        return "SA18"
    if agr.startswith(("1", "3")):
        return "SA30"
    return "SA41"


_CLASS_BY_CAT = {
    "101": "hopital", "106": "hopital", "355": "hopital", "365": "hopital", "128": "hopital", "129": "hopital",
    "109": "hopital", "362": "hopital", "114": "hopital", "122": "hopital", "131": "hopital", "292": "psy",
    "156": "psy", "161": "psy", "425": "psy", "430": "psy", "444": "psy", "500": "ehpad", "501": "ehpad",
    "502": "ehpad", "202": "ehpad", "354": "domicile", "127": "domicile", "209": "domicile", "422": "domicile",
    "124": "cds", "636": "cds", "603": "msp", "611": "lbm", "610": "lbm", "612": "lbm", "620": "officine",
    "628": "officine", "629": "officine", "223": "pmi", "228": "pmi", "230": "pmi", "146": "dialyse",
    "141": "dialyse", "182": "handicap", "183": "handicap", "186": "handicap", "188": "handicap", "189": "handicap",
    "190": "handicap", "192": "handicap", "255": "handicap", "437": "handicap", "448": "handicap",
    "195": "handicap", "194": "handicap",
}
#: Relative size (staff) of a site of each category: a CHR employs far more than an EHPAD.
SITE_WEIGHT = {"101": 60, "355": 20, "292": 12, "106": 4, "365": 8, "128": 5, "129": 3, "109": 4, "131": 10,
               "362": 2, "114": 8, "122": 2}


def employer_class(cat: str) -> str:
    """The employer class (``hopital``, ``ehpad``, ``lbm``…) of a FINESS category, ``other`` otherwise."""
    return _CLASS_BY_CAT.get(cat, "other")


def cabinet_name(rng: random.Random, prof: Profession, street_name: str, last: str) -> str:
    """Name of a group cabinet of ``prof``'s profession."""
    kind = {"10": "CABINET MEDICAL", "60": "CABINET INFIRMIER", "70": "CABINET DE KINESITHERAPIE",
            "40": "CABINET DENTAIRE", "91": "CABINET D'ORTHOPHONIE", "80": "CABINET DE PODOLOGIE",
            "50": "CABINET DE SAGES-FEMMES"}.get(prof.code, "CABINET PARAMEDICAL")
    return rng.choice([f"{kind} {street_name}"[:38], f"{kind} {last}"[:38], f"SCM {ascii_upper(last)}"[:38]])
