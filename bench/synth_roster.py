"""A synthetic CPTS roster and its partnerships, drawn from the actors of a territory.

The roster (``roster.csv``) and partnerships (``partnerships.csv``) follow the
project's templates (``;``, UTF-8, header). Who joins, for which pathway stages,
is drawn per profession so that about 40 % of the territory's professionals are
members, with structures (the hospital, HAD, SSIAD, some EHPAD, the MSP,
pharmacies…). Gaps are left on purpose, so that a demo of *points de rupture*
has something to show:

- ``bpco.diagnostic``: a single participant, one pneumologist;
- ``dt2.education``: two participants (a dietitian and the IPA), ``pa_domicile.evaluation``
  two (a geriatrician and an occupational therapist), ``ic.decompensation`` one
  cardiologist plus the hospital;
- the south of the territory (communes below 50.31° N, around Arleux) has no
  member for ``pa_domicile.maintien`` (home care) and its SSIAD is not a member;
- one référent per pathway, each listing only the stages of their pathway;
- about 10 % of rows last verified more than 18 months ago (stale).
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from bench.synth_base import (MSSANTE_DOMAIN, REFERENCE_DATE, VERIFIED_UNTIL, Commune, email_part, haversine_km,
                              random_date, spaced_phone)

__all__ = ["Actor", "STAGES", "ROSTER_HEADER", "PARTNERSHIP_HEADER", "build_roster", "build_partnerships",
           "to_csv", "MSSANTE_DOMAIN"]

ROSTER_HEADER = ["identifiant", "type", "nom", "parcours_etapes", "accepte_nouveaux_patients", "visites_domicile",
                 "communes_intervention", "role", "adherent_depuis", "derniere_verification", "mssante", "telephone"]
PARTNERSHIP_HEADER = ["identifiant", "nom", "type", "parties", "parcours", "date_debut", "date_fin", "signe",
                      "description"]
CPTS_CREATED = date(2020, 2, 6)  # dateouv of the CPTS du Grand Douai in FINESS
STALE_BEFORE = date(2025, 5, 1)  # 18 months before VERIFIED_UNTIL
SOUTH_LATITUDE = 50.31

STAGES = {
    "ic": ["depistage", "diagnostic", "initiation", "suivi", "decompensation", "sortie_hospitalisation"],
    "bpco": ["depistage", "diagnostic", "prise_en_charge_initiale", "rehabilitation", "suivi", "exacerbation"],
    "dt2": ["depistage", "initiation", "education", "suivi_complications", "suivi"],
    "pa_domicile": ["reperage", "evaluation", "plan", "maintien", "hospitalisation"],
}


def _s(*items: str) -> list[str]:
    """Expand ``"ic:suivi,initiation"`` shorthands into stage ids."""
    out = []
    for item in items:
        pathway, stages = item.split(":")
        out += [f"{pathway}.{s}" for s in stages.split(",")]
    return out


#: Stages each profession (key of bench.synth_rpps.PROFESSIONS) can take part in.
FIT: dict[str, list[str]] = {
    "mg": _s("ic:depistage,diagnostic,initiation,suivi,decompensation,sortie_hospitalisation",
             "bpco:depistage,prise_en_charge_initiale,suivi,exacerbation",
             "dt2:depistage,initiation,suivi,suivi_complications",
             "pa_domicile:reperage,evaluation,plan,maintien,hospitalisation"),
    "cardio": _s("ic:diagnostic,initiation,suivi,decompensation,sortie_hospitalisation"),
    "pneumo": _s("bpco:diagnostic,prise_en_charge_initiale,exacerbation,suivi"),
    "endoc": _s("dt2:initiation,education,suivi_complications"),
    "geriatre": _s("pa_domicile:evaluation,plan,hospitalisation", "ic:suivi"),
    "ophtalmo": _s("dt2:suivi_complications"),
    "nephro": _s("dt2:suivi_complications", "ic:suivi"),
    "mpr": _s("bpco:rehabilitation", "pa_domicile:evaluation"),
    "infirmier": _s("ic:suivi,sortie_hospitalisation", "bpco:suivi", "dt2:education,suivi",
                    "pa_domicile:reperage,maintien"),
    "ipa": _s("ic:suivi", "dt2:education,suivi,suivi_complications"),
    "kine": _s("bpco:rehabilitation,suivi", "pa_domicile:maintien"),
    "pharm_a": _s("ic:suivi", "bpco:depistage,suivi", "dt2:depistage,suivi", "pa_domicile:reperage"),
    "pharm_d": _s("bpco:depistage", "dt2:depistage"),
    "pharm_h": _s("ic:sortie_hospitalisation"),
    "dieteticien": _s("dt2:education,initiation", "ic:suivi"),
    "podologue": _s("dt2:suivi_complications"),
    "dentiste": _s("dt2:suivi_complications"),
    "ergo": _s("pa_domicile:evaluation,maintien"),
    "orthophoniste": _s("pa_domicile:evaluation"),
    "psychologue": _s("pa_domicile:evaluation"),
    "sage_femme": [],
    "psychiatre": [],
}
#: Stages each FINESS category can take part in, and how many of its sites join.
ES_FIT: dict[str, tuple[list[str], Callable[[int], int]]] = {
    "355": (_s("ic:diagnostic,initiation,decompensation,sortie_hospitalisation",
               "bpco:prise_en_charge_initiale,exacerbation", "dt2:suivi_complications",
               "pa_domicile:hospitalisation"), lambda n: 1),
    "101": (_s("ic:diagnostic,decompensation,sortie_hospitalisation", "bpco:exacerbation"), lambda n: 1),
    "127": (_s("ic:sortie_hospitalisation", "pa_domicile:hospitalisation"), lambda n: 1),
    "354": (_s("pa_domicile:maintien,plan"), lambda n: max(1, n - 1)),
    "500": (_s("pa_domicile:plan,hospitalisation"), lambda n: min(n, 3)),
    "603": (_s("ic:suivi", "dt2:depistage,suivi", "bpco:suivi", "pa_domicile:reperage"), lambda n: max(1, n - 1)),
    "620": (_s("bpco:depistage", "dt2:depistage", "ic:suivi"), lambda n: max(1, n // 5)),
    "109": (_s("bpco:rehabilitation"), lambda n: 1),
    "146": (_s("dt2:suivi_complications"), lambda n: 1),
    "463": (_s("pa_domicile:reperage,evaluation"), lambda n: 1),
    "124": (_s("ic:suivi", "dt2:depistage,suivi"), lambda n: min(n, 2)),
    "632": (_s("bpco:suivi"), lambda n: 1),
}
#: Base probability that a professional of the territory is a member (libéral; salaried x 0.35).
MEMBER_P = {"mg": .6, "cardio": .5, "endoc": .6, "geriatre": .7, "ophtalmo": .3, "nephro": .5, "mpr": .5,
            "psychiatre": .25, "pediatre": .3, "gyneco": .25, "dermato": .1, "gastro": .2, "rhumato": .2,
            "radiologue": .1, "neuro": .2, "orl": .15, "chir_ortho": .1, "med_vasc": .3, "pharm_a": .7,
            "pharm_d": .15, "pharm_h": .5, "pharm_g": .2, "dentiste": .25, "odf": .15, "sage_femme": .45,
            "infirmier": .55, "ipa": 1.0, "kine": .5, "podologue": .45, "orthophoniste": .35, "orthoptiste": .2,
            "ergo": .5, "psychomot": .2, "dieteticien": .6, "psychologue": .3, "pneumo": 0.0}
#: Stages only a few professionals may take part in: stage -> {profession: how many}.
CAPS = {"bpco.diagnostic": {"pneumo": 1}, "dt2.education": {"dieteticien": 1, "ipa": 1},
        "pa_domicile.evaluation": {"geriatre": 1, "ergo": 1}, "ic.decompensation": {"cardio": 1}}
VISITS = {"infirmier": .95, "ipa": .6, "kine": .6, "mg": .55, "podologue": .4, "ergo": .7, "sage_femme": .4,
          "orthophoniste": .15, "geriatre": .3, "dieteticien": .2, "psychologue": .1}
TOURNEE = {"infirmier": (2, 6), "ipa": (1, 4), "kine": (1, 3), "mg": (0, 3), "ergo": (2, 5)}
REFUSES_NEW = {"mg": .35, "cardio": .4, "pneumo": .3, "endoc": .4, "ophtalmo": .5, "infirmier": .1, "kine": .25}


@dataclass
class Actor:
    """A professional (PS, Identification nationale PP) or a structure (ES, FINESS ET) of the territory."""

    kind: str
    id: str
    name: str
    what: str  # profession key (PS) or FINESS category (ES)
    insee: str
    liberal: bool
    phone: str
    first: str
    last: str
    in_territory: bool
    site: str = ""  # FINESS of the main site (PS at an MSP, a clinic…), or the ES itself


@dataclass
class _Member:
    """A roster row being built."""

    actor: Actor
    stages: list[str]
    role: str = "membre"


def _nearest(communes: dict[str, Commune], insee: str, k: int, exclude: set[str]) -> list[str]:
    """The ``k`` territory communes nearest to ``insee`` (itself first), leaving out ``exclude``."""
    c0 = communes[insee]
    ranked = sorted(communes.values(), key=lambda c: (haversine_km(c0.lat, c0.lon, c.lat, c.lon), c.insee))
    return [c.insee for c in ranked if c.insee not in exclude][:k + 1]


def _pick_stages(rng: random.Random, fit: list[str], p: float = 0.6) -> list[str]:
    """A random non-empty subset of ``fit`` (each stage kept with probability ``p``), in ``fit`` order."""
    if not fit:
        return []
    chosen = [s for s in fit if rng.random() < p]
    return chosen or [rng.choice(fit)]


def _choose_members(rng: random.Random, actors: list[Actor], south: set[str]) -> list[_Member]:
    """Draw the members: professionals at ~40 % overall, then structures per category."""
    ps = [a for a in actors if a.kind == "PS"]
    weights = [MEMBER_P.get(a.what, .15) * (1 if a.liberal else .35) * (1 if a.in_territory else .4) for a in ps]
    target = 0.40 * sum(1 for a in ps if a.in_territory)
    scale = target / max(1e-9, sum(w for w, a in zip(weights, ps, strict=True) if a.in_territory))
    members: list[_Member] = []
    pneumos = [a for a in ps if a.what == "pneumo" and a.liberal and a.in_territory] or \
              [a for a in ps if a.what == "pneumo"]
    chosen_pneumo = pneumos[0] if pneumos else None
    for a, w in zip(ps, weights, strict=True):
        if a is chosen_pneumo or rng.random() < min(0.95, w * scale):
            stages = _pick_stages(rng, FIT.get(a.what, []))
            if a.insee in south:
                stages = [s for s in stages if s not in ("pa_domicile.maintien", "dt2.education")]
            members.append(_Member(a, stages))
    by_cat: dict[str, list[Actor]] = {}
    for a in actors:
        if a.kind == "ES" and a.what in ES_FIT:
            by_cat.setdefault(a.what, []).append(a)
    for cat, (fit, how_many) in ES_FIT.items():
        sites = [a for a in by_cat.get(cat, []) if not (cat == "354" and a.insee in south)]
        if cat in ("355", "101"):  # the main hospital site: the one most professionals work at
            counts = {a.id: sum(1 for p in ps if p.site == a.id) for a in sites}
            sites = sorted(sites, key=lambda a: (-counts[a.id], a.id))
        else:
            sites = sorted(sites, key=lambda a: a.id)
            rng.shuffle(sites)
        for a in sites[:how_many(len(by_cat.get(cat, [])))]:
            members.append(_Member(a, list(fit)))
    return members


def _apply_caps(members: list[_Member]) -> None:
    """Keep capped stages (``CAPS``) only for the first allowed members; force them on those."""
    for stage, allowed in CAPS.items():
        kept: dict[str, int] = {}
        for m in members:
            if m.actor.kind != "PS":
                continue
            what = m.actor.what
            if kept.get(what, 0) < allowed.get(what, 0) and m.actor.in_territory and stage in FIT.get(what, []):
                if stage not in m.stages:
                    m.stages = [s for s in FIT[what] if s in m.stages or s == stage]
                kept[what] = kept.get(what, 0) + 1
            elif stage in m.stages:
                m.stages.remove(stage)


def _assign_roles(rng: random.Random, members: list[_Member]) -> dict[str, str]:
    """One référent per pathway (only their pathway's stages), five bureau members, one coordinator."""
    wanted = {"ic": "mg", "bpco": "kine", "dt2": "ipa", "pa_domicile": "mg"}
    referents: dict[str, str] = {}
    for pathway, what in wanted.items():
        pool = [m for m in members if m.actor.kind == "PS" and m.actor.what == what and m.role == "membre"
                and m.actor.in_territory and m.actor.liberal]
        if not pool:
            pool = [m for m in members if m.actor.kind == "PS" and m.role == "membre" and m.actor.in_territory
                    and any(s.startswith(pathway + ".") for s in FIT.get(m.actor.what, []))]
        if not pool:
            continue
        m = pool[rng.randrange(len(pool))]
        own = [s for s in FIT.get(m.actor.what, []) if s.startswith(pathway + ".")]
        capped = [s for s in own if s in CAPS and s not in m.stages]
        m.stages = [s for s in own if s not in capped]
        m.role = "referent"
        referents[pathway] = m.actor.id
    for what in ("mg", "infirmier", "pharm_a", "kine", "sage_femme"):
        pool = [m for m in members if m.actor.kind == "PS" and m.actor.what == what and m.role == "membre"
                and m.actor.in_territory]
        if pool:
            pool[rng.randrange(len(pool))].role = "bureau"
    pool = [m for m in members if m.actor.kind == "PS" and m.actor.what == "infirmier" and m.role == "membre"
            and m.actor.in_territory]
    if pool:
        pool[rng.randrange(len(pool))].role = "coordination"
    return referents


def build_roster(
    rng: random.Random, actors: list[Actor], communes: dict[str, Commune],
    outside: dict[str, Commune] | None = None,
) -> tuple[list[list[str]], dict]:
    """Draw the roster rows of a CPTS whose territory is ``communes``.

    A member practising outside the territory (``outside`` gives its commune's point)
    serves the territory: its intervention zone is the two territory communes nearest
    to its practice, as a CPTS requires of its members.

    Returns
    -------
    (rows, info): the rows (header first) and a dict with the référents, the
    member ids and counts.
    """
    south = {c.insee for c in communes.values() if c.lat < SOUTH_LATITUDE}
    members = _choose_members(rng, actors, south)
    _apply_caps(members)
    referents = _assign_roles(rng, members)
    rows = [list(ROSTER_HEADER)]
    for m in members:
        a = m.actor
        visits = a.kind == "ES" and a.what in ("127", "354") or \
            a.kind == "PS" and rng.random() < VISITS.get(a.what, 0.0)
        zone: list[str] = []
        if a.kind == "ES" and a.what == "127":
            zone = sorted(communes)
        elif a.kind == "ES" and a.what == "354" and a.insee in communes:
            zone = _nearest(communes, a.insee, rng.randint(6, 12), south)
        elif visits and a.insee in communes and a.kind == "PS":
            lo, hi = TOURNEE.get(a.what, (0, 2))
            exclude = south if "pa_domicile.maintien" in m.stages else set()
            zone = _nearest(communes, a.insee, rng.randint(lo, hi), exclude)
        if a.kind == "PS" and a.insee not in communes and outside and a.insee in outside:
            c0 = outside[a.insee]
            zone = sorted(communes, key=lambda code: (haversine_km(c0.lat, c0.lon, communes[code].lat,
                                                                   communes[code].lon), code))[:2]
        refuses = REFUSES_NEW.get(a.what, .15) if a.kind == "PS" else (.5 if a.what == "500" else .05)
        since = _membership_date(rng, m.role)
        checked = _verification_date(rng, since)
        mssante = ""
        if a.kind == "PS" and rng.random() < 0.6:
            mssante = f"{email_part(a.first)}.{email_part(a.last)}@{MSSANTE_DOMAIN}"
        elif a.kind == "ES" and rng.random() < 0.5:
            mssante = f"secretariat.{a.id}@{MSSANTE_DOMAIN}"
        rows.append([
            a.id, a.kind, a.name, ",".join(m.stages), "non" if rng.random() < refuses else "oui",
            "oui" if visits else "non", " ".join(zone), m.role, since.isoformat(), checked.isoformat(), mssante,
            spaced_phone(a.phone) if a.phone and rng.random() < 0.9 else "",
        ])
    ps_total = sum(1 for a in actors if a.kind == "PS" and a.in_territory)
    ps_members = sum(1 for m in members if m.actor.kind == "PS" and m.actor.in_territory)
    info = {"referents": referents, "members": members, "ps_members": ps_members, "ps_total": ps_total,
            "es_members": sum(1 for m in members if m.actor.kind == "ES"),
            "stale": sum(1 for r in rows[1:] if r[9] < STALE_BEFORE.isoformat())}
    return rows, info


def _membership_date(rng: random.Random, role: str) -> date:
    """Date of joining: early for the bureau, spread (more early) for the others."""
    if role in ("bureau", "coordination"):
        return random_date(rng, CPTS_CREATED, date(2020, 12, 31))
    span = (date(2026, 9, 30) - CPTS_CREATED).days
    return CPTS_CREATED + timedelta(days=int(span * rng.random() ** 1.6))


def _verification_date(rng: random.Random, since: date) -> date:
    """Last verification: within the last year for 90 %, older than 18 months for ~10 %."""
    if rng.random() < 0.11 and since < STALE_BEFORE - timedelta(days=30):
        return random_date(rng, max(since, date(2023, 3, 1)), STALE_BEFORE - timedelta(days=1))
    return random_date(rng, max(since, VERIFIED_UNTIL - timedelta(days=364)), VERIFIED_UNTIL)


def build_partnerships(
    rng: random.Random, info: dict, actors: list[Actor], cpts_id: str,
) -> list[list[str]]:
    """Conventions, protocoles de coopération and informal links between the roster's actors.

    Each row is built only when its parties exist in the territory; dates are
    relative to :data:`bench.synth_base.REFERENCE_DATE` (one convention expires
    within 60 days of it, one has expired).
    """
    members: list[_Member] = info["members"]
    cpts = f"CPTS:{cpts_id}"
    es = {}
    for m in members:
        if m.actor.kind == "ES":
            es.setdefault(m.actor.what, []).append(m.actor)
    all_es = {}
    for a in actors:
        if a.kind == "ES":
            all_es.setdefault(a.what, []).append(a)

    def ps(what: str, n: int = 1, site: str | None = None) -> list[Actor]:
        """The first ``n`` member professionals of profession ``what`` (at ``site`` if given)."""
        pool = [m.actor for m in members if m.actor.kind == "PS" and m.actor.what == what and m.actor.in_territory
                and (site is None or m.actor.site == site)]
        return pool[:n]

    def ids(parties: list[Actor]) -> str:
        """``PS:<id>``/``ES:<finess>`` parties."""
        return ",".join(f"{a.kind}:{a.id}" for a in parties)

    rows = [list(PARTNERSHIP_HEADER)]

    def add(ident: str, name: str, kind: str, parties: list[Actor], pathways: str, start: date,
            end: date | None, signed: bool, description: str, with_cpts: bool = True, minimum: int = 1) -> None:
        """Append a row when it has enough parties."""
        if len(parties) < minimum:
            return
        party_ids = (cpts + "," if with_cpts else "") + ids(parties)
        rows.append([ident, name, kind, party_ids, pathways, start.isoformat(), end.isoformat() if end else "",
                     "oui" if signed else "non", description])

    ref = REFERENCE_DATE
    hospital = (es.get("355") or es.get("101") or [])[:1]
    add("conv-ch-ville-hopital", "Convention lien ville-hôpital avec le centre hospitalier", "convention", hospital,
        "ic,bpco", date(2024, 3, 1), date(2027, 2, 28), True,
        "Sorties d'hospitalisation IC et BPCO : lettre de liaison par MSSanté sous 48 h, ligne directe "
        "cardiologie et pneumologie pour les médecins traitants")
    add("conv-had", "Convention avec l'HAD", "convention", es.get("127", [])[:1], "pa_domicile,ic",
        date(2025, 1, 15), date(2028, 1, 14), True,
        "Admissions en HAD depuis le domicile, coordination avec les IDEL et le médecin traitant")
    add("conv-ssiad", "Convention avec les SSIAD", "convention", es.get("354", []), "pa_domicile",
        date(2024, 6, 1), date(2027, 5, 31), True, "Maintien à domicile : relais SSIAD / IDEL, astreinte partagée")
    ehpads = es.get("500", [])
    add("conv-ehpad-1", f"Convention avec l'{ehpads[0].name}" if ehpads else "", "convention", ehpads[:1],
        "pa_domicile", ref - timedelta(days=365 * 3 - 49), ref + timedelta(days=49), True,
        "Hébergement temporaire en sortie d'hospitalisation, convention à renouveler")
    add("conv-ehpad-2", f"Convention avec l'{ehpads[1].name}" if len(ehpads) > 1 else "", "convention",
        ehpads[1:2], "pa_domicile", date(2025, 5, 1), date(2028, 4, 30), True,
        "Accueil de jour et hébergement temporaire, intervention des médecins traitants")
    msp = next((a for a in es.get("603", []) if ps("mg", site=a.id) and ps("kine", site=a.id)),
               (es.get("603") or [None])[0])
    if msp is not None:
        mgs, kines = ps("mg", 3, msp.id), ps("kine", 2, msp.id)
        for ident, title, start in (
                ("proto-kine-cheville", "Prise en charge du traumatisme en torsion de la cheville par le "
                 "masseur-kinésithérapeute dans le cadre d'une structure pluri-professionnelle", date(2025, 4, 1)),
                ("proto-kine-lombalgie", "Prise en charge de la douleur lombaire aiguë inférieure à 4 semaines par "
                 "le masseur-kinésithérapeute dans le cadre d'une structure pluri-professionnelle", date(2025, 9, 1))):
            add(ident, "Protocole de coopération : accès direct au masseur-kinésithérapeute", "protocole_cooperation",
                mgs + kines + [msp], "", start, None, True,
                f"Protocole national « {title} » : le médecin traitant délègue au masseur-kinésithérapeute formé "
                "le diagnostic et les premiers soins, sans prescription préalable", with_cpts=False, minimum=3)
    add("proto-asalee-dt2", "Protocole de coopération Asalée : suivi du diabète de type 2", "protocole_cooperation",
        ps("ipa", 1) + ps("mg", 2), "dt2", date(2023, 10, 1), date(2027, 9, 30), True,
        "Consultations infirmières déléguées (éducation, suivi des complications), réunion mensuelle avec les "
        "médecins délégants", with_cpts=False, minimum=2)
    add("conv-smr-rehab", "Convention réhabilitation respiratoire avec le SMR", "convention",
        es.get("109", [])[:1] + ps("pneumo", 1), "bpco", date(2025, 2, 1), date(2028, 1, 31), True,
        "Programme de réhabilitation respiratoire après exacerbation, retour vers les kinésithérapeutes de ville")
    add("conv-dialyse", "Convention avec l'unité de dialyse", "convention", es.get("146", [])[:1] + ps("nephro", 1),
        "dt2", date(2024, 9, 1), date(2027, 8, 31), True, "Dépistage et suivi de la maladie rénale du diabétique")
    add("conv-clic", "Convention avec le CLIC", "convention", es.get("463", [])[:1], "pa_domicile",
        date(2023, 1, 1), None, True, "Repérage de la fragilité, évaluation médico-sociale à domicile")
    clinic = (all_es.get("365") or all_es.get("128") or [])[:1]
    add("conv-clinique-2021", "Convention cardiologie avec la clinique (échue)", "convention", clinic, "ic",
        date(2021, 9, 1), date(2024, 8, 31), True, "Consultations avancées de cardiologie, non renouvelée")
    for i, a in enumerate(es.get("603", [])[:3], 1):
        add(f"conv-msp-{i}", f"Convention de partenariat avec la {a.name} ({a.id})", "convention", [a], "ic,dt2",
            date(2022, 1, 1) + timedelta(days=120 * i), date(2027, 6, 30), True,
            "Participation de l'équipe de la MSP aux parcours IC et DT2, partage des protocoles")
    add("projet-oxygene", "Projet de convention avec le prestataire d'oxygénothérapie", "convention",
        es.get("632", [])[:1], "bpco", date(2026, 6, 1), None, False,
        "Suivi des patients sous oxygène à domicile, en cours de signature")
    informal = [
        ("info-mg-pharmacie", "Dépistage du diabète en officine", ps("mg", 1) + es.get("620", [])[:1], "dt2"),
        ("info-idel-mg", "Tournées IDEL et médecin traitant", ps("infirmier", 2) + ps("mg", 1)[-1:], "pa_domicile"),
        ("info-kine-pneumo", "Adressage kinésithérapie respiratoire", ps("kine", 2)[-1:] + ps("pneumo", 1), "bpco"),
        ("info-diet-endoc", "Éducation nutritionnelle du diabétique", ps("dieteticien", 1) + ps("endoc", 1), "dt2"),
        ("info-podo-mg", "Bilan podologique du pied diabétique", ps("podologue", 1) + ps("mg", 4)[-1:], "dt2"),
        ("info-cardio-idel", "Télésurveillance de l'insuffisance cardiaque", ps("cardio", 1) + ps("infirmier", 3)[1:],
         "ic"),
        ("info-pharma-idel", "Observance et conciliation médicamenteuse", ps("pharm_a", 1) + ps("infirmier", 4)[-1:],
         "ic"),
        ("info-geriatre-ssiad", "Avis gériatrique pour les patients du SSIAD",
         ps("geriatre", 1) + es.get("354", [])[:1], "pa_domicile"),
        ("info-ergo-mg", "Aménagement du domicile", ps("ergo", 1) + ps("mg", 5)[-1:], "pa_domicile"),
    ]
    for i, (ident, name, parties, pathways) in enumerate(informal):
        add(ident, name, "informel", parties, pathways, date(2024, 1, 15) + timedelta(days=61 * i), None, False,
            "Lien informel déclaré par les professionnels", with_cpts=False, minimum=2)
    return rows


def to_csv(rows: list[list[str]]) -> str:
    """``;``-separated UTF-8 text, ``\\n`` line ends, quoting only when a value needs it."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    return buf.getvalue()
