"""Shared pieces of the synthetic generators: identifiers, names, addresses, communes, projections.

Everything here is deterministic given a seeded :class:`random.Random`; nothing
iterates over a ``set`` of strings (whose order changes between runs).

Synthetic identifier ranges (documented in ``loaders/demo/README.md``):

- RPPS: ``199`` + 7-digit sequence + Luhn key (11 digits). Real RPPS numbers are
  allocated upward from ``10000000000`` (those in use start with ``10``), so a
  ``199…`` number cannot be a real professional's. The territory demo uses
  sequences below 1,000,000, the national benchmark sequences from 1,000,000.
- FINESS (national benchmark only; the demo uses the real FINESS sites):
  département + ``9`` + 5 digits + Luhn key for ET, département + ``8`` + 5
  digits + key for EJ; overseas ``970d``/``980d`` + 4 digits + key.
- Phones: only the blocks the national numbering plan keeps for fiction
  (:data:`FICTION_PHONE_BLOCKS`); e-mail and MSSanté addresses: only the
  reserved ``.example`` domains (:data:`EMAIL_DOMAIN`, :data:`MSSANTE_DOMAIN`).
"""
from __future__ import annotations

import bisect
import csv
import math
import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "REFERENCE_DATE",
    "VERIFIED_UNTIL",
    "Commune",
    "Picker",
    "read_communes",
    "luhn_key",
    "rpps_number",
    "synthetic_siren",
    "synthetic_siret",
    "ascii_upper",
    "email_part",
    "acheminement",
    "lambert93",
    "utm",
    "haversine_km",
    "random_date",
    "person_name",
    "FICTION_PHONE_BLOCKS",
    "EMAIL_DOMAIN",
    "MSSANTE_DOMAIN",
    "is_fiction_phone",
    "phone_number",
    "spaced_phone",
    "street",
    "DEPARTEMENTS",
    "TYPES_VOIE",
    "STREET_NAMES",
    "COMPLEMENTS_GEO",
    "LAST_NAMES",
    "FIRST_NAMES_F",
    "FIRST_NAMES_M",
]

#: "Today" for the synthetic files: partnerships expiring "soon" are counted from it.
REFERENCE_DATE = date(2026, 11, 22)
#: Roster verification dates are drawn before this day (the last roster review).
VERIFIED_UNTIL = date(2026, 11, 1)


# --- identifiers ------------------------------------------------------------


def luhn_key(body: str) -> str:
    """Return the Luhn check digit that makes ``body + key`` valid (RPPS, FINESS, SIREN, SIRET).

    >>> luhn_key("01000002"), luhn_key("1010647676")
    ('4', '4')
    """
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def rpps_number(seq: int) -> str:
    """Return the synthetic RPPS number of sequence ``seq``: ``199`` + 7 digits + Luhn key.

    >>> rpps_number(1), rpps_number(1_000_000)
    ('19900000019', '19910000009')
    """
    body = f"199{seq:07d}"
    return body + luhn_key(body)


def synthetic_siren(rng: random.Random) -> str:
    """Return a random Luhn-valid 9-digit SIREN starting with 9 (synthetic)."""
    body = f"9{rng.randrange(10_000_000):07d}"
    return body + luhn_key(body)


def synthetic_siret(siren: str, nic: int) -> str:
    """Return the Luhn-valid 14-digit SIRET of establishment ``nic`` of ``siren``."""
    body = f"{siren}{nic % 10000:04d}"
    return body + luhn_key(body)


# --- text -------------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'", "ß": "ss"})


@lru_cache(maxsize=65536)
def ascii_upper(text: str) -> str:
    """Upper-case ASCII form of a name, as FINESS and La Poste write it (``Gœulzin`` -> ``GOEULZIN``).

    >>> ascii_upper("Lambres-lez-Douai"), ascii_upper("Gœulzin")
    ('LAMBRES-LEZ-DOUAI', 'GOEULZIN')
    """
    t = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in t if not unicodedata.combining(c)).upper()


def email_part(text: str) -> str:
    """Lower-case ASCII e-mail local part of a name (``Jean-Marc`` -> ``jean-marc``, ``D'HONDT`` -> ``dhondt``)."""
    t = ascii_upper(text).lower().replace("'", "").replace(" ", "-")
    return "".join(c for c in t if c.isalnum() or c in "-.")


def acheminement(postal_code: str, name: str) -> str:
    """La Poste delivery line ``"59500 DOUAI"``: upper ASCII, no hyphen, SAINT -> ST, 32 characters at most.

    >>> acheminement("59128", "Flers-en-Escrebieux"), acheminement("62000", "Saint-Laurent-Blangy")
    ('59128 FLERS EN ESCREBIEUX', '62000 ST LAURENT BLANGY')
    """
    words = ascii_upper(name).replace("-", " ").replace("'", " ").split()
    words = ["ST" if w == "SAINT" else "STE" if w == "SAINTE" else w for w in words]
    return f"{postal_code} {' '.join(words)}"[:32]


# --- random helpers -----------------------------------------------------------


class Picker:
    """Weighted random choice over a fixed list, O(log n) per draw (cumulative weights + bisect)."""

    def __init__(self, items: Sequence, weights: Iterable[float]):
        """Prepare the cumulative weights; items with weight 0 are never drawn."""
        self.items = list(items)
        self.cum = list(accumulate(float(w) for w in weights))
        self.total = self.cum[-1] if self.cum else 0.0

    def __bool__(self) -> bool:
        """True when something can be drawn."""
        return self.total > 0

    def pick(self, rng: random.Random):
        """Draw one item."""
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in ``[start, end]``."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


# --- communes -----------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    """A commune (or a municipal arrondissement) with what the generators need."""

    insee: str
    name: str  # official name, with its article ("Le Cateau-Cambrésis")
    dep: str
    reg: str
    postal: str
    lat: float
    lon: float
    area: float
    pop: int


def read_communes(path: str | Path, deps: Iterable[str] | None = None) -> list[Commune]:
    """Read ``communes_france_2024.csv`` (or a subset in its format), one Commune per INSEE code.

    The file has one row per (commune, postal code); the first row wins. Communes
    (``COM``) and municipal arrondissements (``ARM``: Paris, Lyon, Marseille carry
    their population there) are kept, with coordinates; ``COMD`` are left out.
    """
    keep = set(deps) if deps is not None else None
    out: dict[str, Commune] = {}
    with open(path, encoding="utf-8-sig", newline="") as fp:
        for row in csv.DictReader(fp):
            if row["commune_type"] not in ("COM", "ARM") or not row["lat"] or not row["lng"]:
                continue
            if keep is not None and row["insee_dep"] not in keep:
                continue
            code = row["insee_com"]
            if code in out:
                continue
            out[code] = Commune(
                insee=code, name=row["commune_article"] or row["commune"], dep=row["insee_dep"],
                reg=row["insee_reg"], postal=row["code_postal"], lat=float(row["lat"]), lon=float(row["lng"]),
                area=float(row["superficie_km2"] or 1.0), pop=int(row["population_2021"] or 0),
            )
    return [out[k] for k in sorted(out)]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --- projections (forward; the inverse lives in loaders/geo.py) -----------------

_A = 6378137.0
_F = 1 / 298.257222101  # GRS80: RGF93 and the overseas RGxx datums agree with WGS84 to < 1 m
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)


def _lcc_t(phi: float) -> float:
    """Snyder's t(φ) for the conformal conic."""
    s = _E * math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - s) / (1 + s)) ** (_E / 2)


def _lcc_m(phi: float) -> float:
    """Snyder's m(φ) for the conformal conic."""
    return math.cos(phi) / math.sqrt(1 - _E2 * math.sin(phi) ** 2)


_P1, _P2, _P0, _L0 = (math.radians(v) for v in (44.0, 49.0, 46.5, 3.0))
_N = (math.log(_lcc_m(_P1)) - math.log(_lcc_m(_P2))) / (math.log(_lcc_t(_P1)) - math.log(_lcc_t(_P2)))
_BIGF = _lcc_m(_P1) / (_N * _lcc_t(_P1) ** _N)
_RHO0 = _A * _BIGF * _lcc_t(_P0) ** _N


def lambert93(lat: float, lon: float) -> tuple[float, float]:
    """Project WGS84 degrees to Lambert-93 (EPSG:2154) metres (Snyder, Map Projections, 15-1..15-9).

    >>> x, y = lambert93(46.5, 3.0); round(x), round(y)
    (700000, 6600000)
    """
    rho = _A * _BIGF * _lcc_t(math.radians(lat)) ** _N
    theta = _N * (math.radians(lon) - _L0)
    return 700000.0 + rho * math.sin(theta), 6600000.0 + _RHO0 - rho * math.cos(theta)


def utm(lat: float, lon: float, zone: int, south: bool) -> tuple[float, float]:
    """Project WGS84 degrees to UTM ``zone`` metres (Snyder's transverse Mercator series, 8-9..8-10)."""
    k0, ep2 = 0.9996, _E2 / (1 - _E2)
    phi = math.radians(lat)
    lam0 = math.radians(zone * 6 - 183)
    sin, cos, tan = math.sin(phi), math.cos(phi), math.tan(phi)
    n = _A / math.sqrt(1 - _E2 * sin * sin)
    t, c = tan * tan, ep2 * cos * cos
    a = (math.radians(lon) - lam0) * cos
    e4, e6 = _E2 * _E2, _E2 ** 3
    m = _A * ((1 - _E2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
              - (3 * _E2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
              + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
              - (35 * e6 / 3072) * math.sin(6 * phi))
    x = k0 * n * (a + (1 - t + c) * a ** 3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * ep2) * a ** 5 / 120)
    y = k0 * (m + n * tan * (a * a / 2 + (5 - t + 9 * c + 4 * c * c) * a ** 4 / 24
                             + (61 - 58 * t + t * t + 600 * c - 330 * ep2) * a ** 6 / 720))
    return 500000.0 + x, y + (10000000.0 if south else 0.0)


# --- names, streets, phones ------------------------------------------------------

#: Common French surnames, Nord-Pas-de-Calais ones (Flemish, Polish mining families) and others.
LAST_NAMES = """MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE
LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER LEFEVRE
FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT
MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR
MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD ROCHE RENARD
SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE
BOURGEOIS PIERRE BENOIT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT
BERGER CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN JACQUET
ADAM POIRIER MARTY AUBRY GUYOT CARRE CHARLES RENAULT CHARPENTIER MENARD MAILLARD BARON BERTIN BAILLY HERVE
SCHNEIDER FERNANDEZ COLLET LEGER BOUVIER JULIEN PREVOST MILLET PERROT DANIEL COUSIN GERMAIN BRETON BESSON
LANGLOIS REMY PELLETIER LEVEQUE PERRIER LEBLANC BARRE LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB
MONNIER MICHAUD RODRIGUEZ GUICHARD GILLET ETIENNE POULAIN TESSIER CHAUVIN LEMAITRE BENARD MARECHAL HUMBERT
ANTOINE PERRET BARTHELEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE DELATTRE
DESCAMPS DEVOS DEBRUYNE VANDENBERGHE DELANNOY DHALLUIN VERMEERSCH DECOCK DEWAELE DUHAMEL DELCROIX DEBAISIEUX
WATTEL DELEPINE LECOCQ DUBRULLE DESMET VANDAMME CUVELIER DELEBARRE DUJARDIN COQUELLE LAGACHE DELMOTTE BAUDUIN
MASCLET DELVAL PRUVOST WALLART DESRUMAUX DELECROIX BRASSART DHAINAUT DEMARET TAFFIN LEMPEREUR BOCQUET FLAHAUT
GOSSELIN LESAGE DUQUESNE HOUZE CATTEAU DESMARETZ BULTEZ VANHOVE KOWALSKI KOWALCZYK NOWAK WOJCIK KACZMAREK
MAZUR LEWANDOWSKI SZYMANSKI BENALI HADDAD BOUAZIZ MANSOURI AMRANI BOUZID CHAKIR NGUYEN TRAN DIALLO TRAORE
NDIAYE SANTOS FERREIRA PEREIRA RODRIGUES YILMAZ ROSSI""".split() + ["DA SILVA", "DE SOUSA", "D'HONDT",
                                                                     "LE GALL", "EL AMRANI", "VAN DE VELDE"]

FIRST_NAMES_F = """Marie Nathalie Isabelle Sylvie Catherine Sandrine Christine Valérie Véronique Stéphanie Céline
Aurélie Julie Émilie Camille Laura Sarah Pauline Claire Anne Sophie Caroline Élodie Mélanie Virginie Laetitia
Audrey Hélène Amandine Marion Manon Chloé Léa Justine Charlotte Lucie Anaïs Clémence Mathilde Agnès Florence
Béatrice Delphine Karine Fanny Alice Inès Mélissa Océane Morgane Coralie Sabrina Nadia Fatima Samira Myriam
Ludivine Jennifer Perrine Gaëlle Estelle Bérénice Françoise Martine Brigitte Monique Dominique Solène Margaux
Juliette Élise Aline Maëlle Cécile Laurence Emmanuelle Séverine Anne-Sophie Marie-Claire""".split()

FIRST_NAMES_M = """Jean Philippe Michel Alain Patrick Nicolas Christophe Pierre Christian Éric Frédéric Laurent
Stéphane David Olivier Julien Sébastien Thomas Vincent Jérôme François Guillaume Antoine Maxime Alexandre Romain
Mathieu Benoît Damien Arnaud Fabrice Thierry Pascal Bruno Didier Yves Bernard Hervé Gilles Denis Xavier Cédric
Ludovic Grégory Anthony Kevin Florian Quentin Hugo Lucas Adrien Clément Baptiste Paul Louis Mehdi Karim Youssef
Rachid Samir Mohamed Hakim Yannick Franck Jean-Marc Jean-Pierre Jean-François Pierre-Yves Marc Luc Emmanuel
Sylvain Cyril Rémi Jonathan Bastien Théo Victor Loïc Gaëtan""".split()

#: (code, label) of street types, as in the Annuaire Santé and FINESS extracts.
TYPES_VOIE = [("R", "Rue")] * 12 + [("AV", "Avenue")] * 4 + [("BD", "Boulevard")] * 2 + [
    ("PL", "Place"), ("PL", "Place"), ("CHE", "Chemin"), ("RTE", "Route"), ("ALL", "Allée"), ("IMP", "Impasse"),
    ("SQ", "Square"), ("QU", "Quai"), ("RES", "Résidence")]

STREET_NAMES = """DE LA REPUBLIQUE|JEAN JAURES|VICTOR HUGO|DU GENERAL DE GAULLE|PASTEUR|GAMBETTA|DE PARIS|DES FLEURS
|DU MOULIN|DE LA GARE|ROGER SALENGRO|JULES FERRY|ANATOLE FRANCE|DU 8 MAI 1945|DES TILLEULS|DE L EGLISE
|DU MARECHAL FOCH|LEON BLUM|GABRIEL PERI|EMILE ZOLA|PIERRE BROSSOLETTE|JEAN MOULIN|DES ECOLES|DU CHATEAU
|DE VERDUN|CARNOT|DES LILAS|DES ROSES|ARISTIDE BRIAND|DU STADE|DE LA LIBERATION|PAUL BERT|HENRI BARBUSSE
|DES MINEURS|DE LA FOSSE|DU MARAIS|DES PEUPLIERS|DU BOIS|DES PRES|SADI CARNOT|LOUIS PASTEUR|DE LA PAIX
|DU 11 NOVEMBRE|DES ACACIAS|DE LA MAIRIE|CHARLES DE GAULLE|ALBERT CALMETTE|JEAN BAPTISTE LEBAS|DU COMMERCE
|DES CHARMES|DU CANAL|DE LA SCARPE|DU BEFFROI|FRANCOIS MITTERRAND|MARCEL PAUL|SALVADOR ALLENDE|DES HORTENSIAS
|DU CALVAIRE|DE LA CHAPELLE|DES JARDINS|DU FAUBOURG|ALPHONSE DAUDET|GEORGES BRASSENS""".replace("\n", "").split("|")

COMPLEMENTS_GEO = ["RESIDENCE LES TILLEULS", "LE CLOS FLEURI", "CENTRE MEDICAL", "BATIMENT A", "1ER ETAGE",
                   "POLE MEDICAL", "ZAC DU MOULIN", "LES TERRASSES", "ESPACE SANTE", "REZ DE CHAUSSEE"]


def street(rng: random.Random) -> tuple[str, str, str, str, str]:
    """An invented street address: (number, repetition index, type code, type label, street name)."""
    code, label = rng.choice(TYPES_VOIE)
    number = str(rng.randint(1, 180)) if rng.random() < 0.93 else ""
    rep = "B" if number and rng.random() < 0.03 else ""
    return number, rep, code, label, rng.choice(STREET_NAMES)


def person_name(rng: random.Random, female: bool) -> tuple[str, str]:
    """An invented (last name, first name); first names are upper-case for a third, as in old registrations."""
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.03:
        last = f"{last}-{rng.choice(LAST_NAMES)}"
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    if rng.random() < 0.33:
        first = first.upper()
    return last, first


#: The numbers the national numbering plan keeps for fiction, by zone (first two digits): a 6-digit
#: root followed by any 4 digits, 10,000 numbers per block, never assigned to a subscriber.
#: Source: ARCEP, plan national de numérotation (annex 1 of décision n° 2018-0881, as amended), §2.5.12
#: « numéros pour œuvres audiovisuelles », https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000037263033
#: — roots 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49 (geographic) and 06 39 98 (mobile), as quoted by
#: the État's design system (DSFR, « Numéro de téléphone » block, systeme-de-design.gouv.fr). There is no
#: block in 07 nor an overseas one: overseas numbers (0590…, 0262…) take the block of their zone, 07 the 06 one.
FICTION_PHONE_BLOCKS = {"01": "019900", "02": "026191", "03": "035301", "04": "046571", "05": "053649",
                        "06": "063998"}

#: E-mail domain of the synthetic cabinets and MSSanté domain of the synthetic roster: under ``.example``,
#: reserved for examples by RFC 2606 §2 and RFC 6761 §6.5, so they can never be registered nor reach anyone.
EMAIL_DOMAIN = "sante.example"
MSSANTE_DOMAIN = "mssante.example"

#: The real prefix numbers of an INSEE region start with: its zone picks the fiction block, its length how
#: many digits :func:`phone_number` draws.
_PHONE_ZONE = {"11": "01", "24": "02", "28": "02", "52": "02", "53": "02", "27": "03", "32": "03", "44": "03",
               "84": "04", "93": "04", "94": "04", "75": "05", "76": "05", "01": "0590", "02": "0596",
               "03": "0594", "04": "0262", "06": "0269"}


def phone_number(rng: random.Random, prefix: str = "0327", region: str | None = None) -> str:
    """A fictional 10-digit phone number: the fiction block of the zone of ``prefix`` + 4 random digits.

    ``prefix`` is the real prefix the number stands for (or, with ``region``, that region's zone); its
    first two digits pick the block of :data:`FICTION_PHONE_BLOCKS`. As many digits are drawn as a real
    number has after ``prefix`` and the last four kept: the same random stream as when the numbers were
    real-looking, so moving them to the fiction blocks changed no other field of the synthetic files.

    >>> phone_number(random.Random(1)), phone_number(random.Random(1), region="11")
    ('0353010891', '0199004063')
    """
    if region is not None:
        prefix = _PHONE_ZONE.get(region, "03")
    drawn = rng.randrange(10 ** (10 - len(prefix)))
    zone = "06" if prefix[:2] == "07" else prefix[:2]
    return f"{FICTION_PHONE_BLOCKS.get(zone, FICTION_PHONE_BLOCKS['03'])}{drawn % 10_000:04d}"


def is_fiction_phone(number: str) -> bool:
    """True when ``number`` (spaces and dots allowed) is in one of the :data:`FICTION_PHONE_BLOCKS`.

    >>> is_fiction_phone("03 53 01 08 91"), is_fiction_phone("0327930909")
    (True, False)
    """
    digits = number.replace(" ", "").replace(".", "")
    return len(digits) == 10 and digits.isdigit() and digits[:6] in FICTION_PHONE_BLOCKS.values()


def spaced_phone(number: str) -> str:
    """``0353011234`` -> ``03 53 01 12 34``, the way people write it in their own files."""
    return " ".join(number[i:i + 2] for i in range(0, len(number), 2))


#: FINESS ``libdepartement`` (upper-case, no accent) by INSEE département code.
DEPARTEMENTS = dict(line.split(":", 1) for line in """01:AIN|02:AISNE|03:ALLIER|04:ALPES-DE-HAUTE-PROVENCE
|05:HAUTES-ALPES|06:ALPES-MARITIMES|07:ARDECHE|08:ARDENNES|09:ARIEGE|10:AUBE|11:AUDE|12:AVEYRON
|13:BOUCHES-DU-RHONE|14:CALVADOS|15:CANTAL|16:CHARENTE|17:CHARENTE-MARITIME|18:CHER|19:CORREZE
|2A:CORSE-DU-SUD|2B:HAUTE-CORSE|21:COTE-D'OR|22:COTES-D'ARMOR|23:CREUSE|24:DORDOGNE|25:DOUBS|26:DROME|27:EURE
|28:EURE-ET-LOIR|29:FINISTERE|30:GARD|31:HAUTE-GARONNE|32:GERS|33:GIRONDE|34:HERAULT|35:ILLE-ET-VILAINE|36:INDRE
|37:INDRE-ET-LOIRE|38:ISERE|39:JURA|40:LANDES|41:LOIR-ET-CHER|42:LOIRE|43:HAUTE-LOIRE|44:LOIRE-ATLANTIQUE
|45:LOIRET|46:LOT|47:LOT-ET-GARONNE|48:LOZERE|49:MAINE-ET-LOIRE|50:MANCHE|51:MARNE|52:HAUTE-MARNE|53:MAYENNE
|54:MEURTHE-ET-MOSELLE|55:MEUSE|56:MORBIHAN|57:MOSELLE|58:NIEVRE|59:NORD|60:OISE|61:ORNE|62:PAS-DE-CALAIS
|63:PUY-DE-DOME|64:PYRENEES-ATLANTIQUES|65:HAUTES-PYRENEES|66:PYRENEES-ORIENTALES|67:BAS-RHIN|68:HAUT-RHIN
|69:RHONE|70:HAUTE-SAONE|71:SAONE-ET-LOIRE|72:SARTHE|73:SAVOIE|74:HAUTE-SAVOIE|75:PARIS|76:SEINE-MARITIME
|77:SEINE-ET-MARNE|78:YVELINES|79:DEUX-SEVRES|80:SOMME|81:TARN|82:TARN-ET-GARONNE|83:VAR|84:VAUCLUSE|85:VENDEE
|86:VIENNE|87:HAUTE-VIENNE|88:VOSGES|89:YONNE|90:TERRITOIRE DE BELFORT|91:ESSONNE|92:HAUTS-DE-SEINE
|93:SEINE-SAINT-DENIS|94:VAL-DE-MARNE|95:VAL-D'OISE|971:GUADELOUPE|972:MARTINIQUE|973:GUYANE|974:LA REUNION
|976:MAYOTTE""".replace("\n", "").split("|"))
