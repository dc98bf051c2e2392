"""Judge and rank the actors who could take a patient at one pathway stage: pure functions, no I/O.

:mod:`graph.matching` fetches actors from the store and turns them into
:class:`Actor` records; this module decides, for one :class:`Role` of the stage,
whether each actor *fits* (profession, specialty or structure category), whether
it *serves* the patient's commune, why it is a candidate or why it is set aside,
and in which order the candidates come.

The rules, each named by the ``rule`` of the reason it gives:

Serving the commune (at least one is needed, else ``too_far``):
``within_radius`` practises (a professional's activity, a structure's site) within the radius;
``intervention_zone`` declares the commune in its intervention zone;
``covers_commune`` is the structure registered as the CPTS that covers the commune.

Set aside (every reason that applies is given; :mod:`graph.matching` lists those of the
search zone, 1.5 times the radius, nearest first):
``too_far`` none of the above; ``not_accepting`` declares it takes no new patients;
``no_home_visits`` declares no home visits, for a role that happens at home (the
pathway's ``home_visit``) when the user asks for a home visit; ``stale`` its CPTS
data were last verified more than ``stale_days`` days ago.

Ranking, criterion by criterion (the first difference decides):
``participates`` takes part in this stage; ``member`` CPTS member;
``accepting`` accepts new patients (yes before not known); ``home_visits`` when a
home visit is asked (yes, not known, no); distance in whole kilometres;
``partnership`` a partnership with an actor of the previous or next stage;
``verified`` the most recently verified data first (never verified last); then the
exact distance and the id.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

__all__ = [
    "Place",
    "Actor",
    "Role",
    "Assessment",
    "fits",
    "assess",
    "rank",
    "assessment_dict",
    "reason",
    "format_km",
    "DISTANCE_STEP_KM",
    "PARTNERSHIP_KINDS",
]

#: distances are compared in steps of this many km before partnership and freshness
DISTANCE_STEP_KM = 1.0

#: French names of the partnership kinds, for the reasons
PARTNERSHIP_KINDS = {
    "convention": "Convention",
    "protocole_cooperation": "Protocole de coopération",
    "informel": "Partenariat informel",
}


def format_km(km: float) -> str:
    """A distance in km, French style (decimal comma).

    >>> format_km(2.456), format_km(12.0)
    ('2,5 km', '12 km')
    """
    text = f"{km:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text} km"


def reason(rule: str, text: str) -> dict[str, str]:
    """One reason: the rule that gave it and its French text.

    >>> reason("member", "Adhérent de la CPTS")
    {'rule': 'member', 'text': 'Adhérent de la CPTS'}
    """
    return {"rule": rule, "text": text}


@dataclass
class Place:
    """Where an actor practises: a professional's activity or a structure's site."""

    commune: str | None
    commune_name: str | None = None
    distance_km: float | None = None
    site: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class Actor:
    """A professional or a structure, with what the ranking needs to know about it."""

    id: str
    kind: str  # "professional" or "structure"
    name: str
    profession_code: str | None = None
    profession_label: str | None = None
    specialty_code: str | None = None
    specialty_label: str | None = None
    category_code: str | None = None
    category_label: str | None = None
    places: list[Place] = field(default_factory=list)
    intervenes: bool = False
    covers: bool = False
    memberships: list[dict[str, Any]] = field(default_factory=list)
    participation: dict[str, Any] | None = None
    partners: list[dict[str, Any]] = field(default_factory=list)
    synthetic: bool = False
    named: bool = False  # the name (and contacts) were read; only the actors shown need them
    _near: tuple[int, Place | None] = field(default=(0, None), repr=False, compare=False)
    _facts: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    def facts(self, today: date) -> tuple[bool | None, bool | None, str | None, int | None, bool]:
        """What does not depend on the role, computed once: accepting, home visits, verified, age in days, partnered."""
        if self._facts is None or self._facts[0] != today:
            verified = self.last_verified
            age = _days_since(verified, today) if verified else None
            partnered = any(p.get("id") and p.get("other") for p in self.partners)
            self._facts = (today, self.flag("accepting_new_patients"), self.flag("home_visits"), verified, age,
                           partnered)
        return self._facts[1:]

    @property
    def nearest(self) -> Place | None:
        """The place nearest to the patient (a place of unknown distance comes last)."""
        if self._near[0] != len(self.places):  # places were added since last time
            best = min(self.places, key=lambda p: (p.distance_km is None, p.distance_km or 0.0), default=None)
            self._near = (len(self.places), best)
        return self._near[1]

    @property
    def distance_km(self) -> float | None:
        """Distance from the patient's commune to the nearest place, or None when unknown."""
        near = self.nearest
        return near.distance_km if near else None

    def flag(self, name: str) -> bool | None:
        """A roster flag: the stage participation's value, else the memberships' (any yes wins)."""
        if self.participation and self.participation.get(name) is not None:
            return bool(self.participation[name])
        values = [m.get(name) for m in self.memberships if m.get(name) is not None]
        if any(values):
            return True
        return False if values else None

    @property
    def last_verified(self) -> str | None:
        """The most recent verification date (ISO) of its CPTS data, or None."""
        dates = [m.get("last_verified") for m in self.memberships]
        if self.participation:
            dates.append(self.participation.get("last_verified"))
        dates = [d for d in dates if d]
        return max(dates) if dates else None

    @property
    def member_of(self) -> list[str]:
        """Names of the CPTS it is a member of."""
        return [m.get("territory_name") or m.get("territory") or "CPTS" for m in self.memberships]


@dataclass
class Role:
    """A role a stage requires (a :class:`graph.model.RoleRequirement`)."""

    key: str
    label: str
    professions: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    radius_km: float | None = None
    home_visit: bool = False
    optional: bool = False
    id: str | None = None


@dataclass
class Assessment:
    """What the rules say of one actor for one role."""

    actor: Actor
    radius_km: float
    reasons: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    set_aside: list[dict[str, str]] = field(default_factory=list)
    key: tuple = ()

    @property
    def candidate(self) -> bool:
        """True when nothing sets the actor aside."""
        return not self.set_aside

    @property
    def only_too_far(self) -> bool:
        """True when distance is the one reason it is set aside."""
        return [r["rule"] for r in self.set_aside] == ["too_far"]


def fits(actor: Actor, role: Role, profession: str | None = None) -> bool:
    """True when the actor's profession and specialty, or its structure category, fit the role.

    ``profession`` (a TRE_G15 code) keeps only professionals of that profession.

    Examples
    --------
    >>> gp = Role("mt", "Médecin traitant", professions=["10"], specialties=["SM54"])
    >>> fits(Actor("p1", "professional", "A", profession_code="10", specialty_code="SM54"), gp)
    True
    >>> fits(Actor("p2", "professional", "B", profession_code="10", specialty_code="SM04"), gp)
    False
    >>> fits(Actor("s1", "structure", "C", category_code="620"), Role("ph", "Pharmacie", categories=["620"]))
    True
    """
    if actor.kind == "professional":
        if actor.profession_code not in role.professions:
            return False
        if profession is not None and actor.profession_code != profession:
            return False
        return not role.specialties or actor.specialty_code in role.specialties
    if profession is not None:
        return False
    return actor.category_code in role.categories


def _days_since(iso: str, today: date) -> int | None:
    """Days between an ISO date and today (None when the date does not parse)."""
    try:
        return (today - date.fromisoformat(iso[:10])).days
    except ValueError:
        return None


def assess(actor: Actor, role: Role, *, radius_km: float, commune_name: str, stage_name: str,
           home_visit: bool = False, today: date, stale_days: int = 365,
           stage_names: dict[str, str] | None = None, explain: bool = True) -> Assessment:
    """Apply the rules of this module to one fitting actor for one role.

    Parameters
    ----------
    actor : the actor (its places carry their distance to the patient's commune).
    role : the role of the stage.
    radius_km : the search radius for this role.
    commune_name : the patient's commune, for the texts.
    stage_name : the stage's name, for the texts.
    home_visit : the user asks for a home visit.
    today : the date freshness is measured from.
    stale_days : data verified longer ago than this set the actor aside.
    stage_names : stage id -> name, to name the stage of a partner.
    explain : write the reasons and notes (False: only the set-aside reasons and the key, faster).

    Returns
    -------
    Assessment
        Its reasons, notes, set-aside reasons and ranking key.

    Examples
    --------
    >>> nurse = Role("inf", "Infirmier", professions=["60"], home_visit=True)
    >>> a = Actor("p1", "professional", "Mme A", profession_code="60",
    ...           places=[Place("59178", "Douai", 12.0)], memberships=[{"home_visits": False}])
    >>> res = assess(a, nurse, radius_km=5, commune_name="Douai", stage_name="Suivi",
    ...              home_visit=True, today=date(2026, 1, 1))
    >>> [r["rule"] for r in res.set_aside]
    ['too_far', 'no_home_visits']
    """
    res = Assessment(actor=actor, radius_km=radius_km)
    near = actor.nearest
    dist = near.distance_km if near else None
    say = res.reasons.append if explain else _ignore
    note = res.notes.append if explain else _ignore

    # serving the commune
    within = dist is not None and dist <= radius_km
    if within and explain:
        if dist == 0:
            say(reason("within_radius", f"Exerce dans la commune du patient ({near.commune_name or commune_name})"))
        else:
            say(reason("within_radius", f"Exerce à {near.commune_name or near.commune} ({format_km(dist)}, "
                                        f"rayon de {format_km(radius_km)})"))
    if actor.intervenes:
        say(reason("intervention_zone", f"Déclare intervenir à {commune_name}"))
    if actor.covers:
        say(reason("covers_commune", f"Structure de la CPTS qui couvre {commune_name}"))
    if not (within or actor.intervenes or actor.covers):
        if dist is None:
            res.set_aside.append(reason("too_far", "Lieu d'exercice inconnu ou sans coordonnées"))
        else:
            res.set_aside.append(reason("too_far", f"Trop loin : {format_km(dist)} pour un rayon de "
                                                   f"{format_km(radius_km)}"))

    participates = actor.participation is not None
    if participates:
        say(reason("participates", f"Participe à l'étape « {stage_name} » de ce parcours"))
    member = bool(actor.memberships)
    if member and explain:
        say(reason("member", "Adhérent de la " + ", ".join(actor.member_of)))

    accepting, home, verified, age, partnered = actor.facts(today)
    if accepting is True:
        say(reason("accepting", "Accepte de nouveaux patients"))
    elif accepting is False:
        res.set_aside.append(reason("not_accepting", "N'accepte pas de nouveaux patients"))
    else:
        note(reason("accepting", "Acceptation de nouveaux patients non renseignée"))

    home_rank = 0
    if home_visit:
        home_rank = {True: 0, None: 1, False: 2}[home]
        if home is True:
            say(reason("home_visits", "Fait des visites à domicile"))
        elif home is None:
            note(reason("home_visits", "Visites à domicile non renseignées"))
        elif role.home_visit:
            res.set_aside.append(reason("no_home_visits", "Ne fait pas de visites à domicile"))
        else:
            note(reason("home_visits", "Ne fait pas de visites à domicile"))

    if partnered and explain:
        res.reasons.extend(_partner_reasons(actor, stage_names or {}))

    if verified and age is not None:
        if age > stale_days:
            res.set_aside.append(reason("stale", f"Données non vérifiées depuis {age} jours (plus de {stale_days})"))
        else:
            say(reason("verified", f"Données vérifiées le {_fr_date(verified)} (il y a {age} jours)"))
    else:
        note(reason("verified", "Jamais vérifié par la CPTS"))

    res.key = (
        0 if participates else 1,
        0 if member else 1,
        0 if accepting else 1,
        home_rank,
        math.floor(dist / DISTANCE_STEP_KM) if dist is not None else math.inf,
        0 if partnered else 1,
        age if age is not None else math.inf,
        dist if dist is not None else math.inf,
        actor.id,
    )
    return res


def _ignore(_item: Any) -> None:
    """Drop a reason (assessments that need no explanation)."""


def _fr_date(iso: str) -> str:
    """An ISO date as JJ/MM/AAAA.

    >>> _fr_date("2026-10-01")
    '01/10/2026'
    """
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"


def _partner_reasons(actor: Actor, stage_names: dict[str, str]) -> list[dict[str, str]]:
    """One reason per partnership with an actor of the previous or next stage (one per partner)."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for p in sorted(actor.partners, key=lambda p: (p.get("name") or "", p.get("other") or "", p.get("stage") or "")):
        if not p.get("id") or not p.get("other") or (p["id"], p["other"]) in seen:
            continue
        seen.add((p["id"], p["other"]))
        other = p.get("other_name") or " ".join(x for x in (p.get("other_first_name"), p.get("other_last_name")) if x)
        kind = PARTNERSHIP_KINDS.get(p.get("kind") or "", "Partenariat")
        stage = stage_names.get(p.get("stage") or "", p.get("stage") or "")
        out.append(reason("partnership", f"{kind} « {p.get('name') or p['id']} » avec {other or p['other']}, "
                                         f"qui participe à l'étape « {stage} »"))
    return out


def rank(assessments: Iterable[Assessment]) -> list[Assessment]:
    """Sort assessments by their ranking key (best first).

    >>> r = Role("inf", "Infirmier", professions=["60"])
    >>> near = Actor("a", "professional", "A", profession_code="60", places=[Place("1", "X", 1.0)])
    >>> member = Actor("b", "professional", "B", profession_code="60", places=[Place("2", "Y", 4.0)],
    ...                memberships=[{"territory_name": "CPTS"}])
    >>> kw = dict(radius_km=5, commune_name="X", stage_name="S", today=date(2026, 1, 1))
    >>> [a.actor.id for a in rank([assess(near, r, **kw), assess(member, r, **kw)])]
    ['b', 'a']
    """
    return sorted(assessments, key=lambda a: a.key)


def assessment_dict(a: Assessment, label: Callable[[str, str], str] | None = None,
                    rank_no: int | None = None, brief: bool = False) -> dict[str, Any]:
    """The JSON view of an assessed actor: identity, nearest place, contacts, flags, reasons.

    ``label(scheme, code)`` names codes the actor's node does not label itself; ``brief``
    leaves out the site, the contacts and the reasons it would fit (set-aside actors: their
    ``set_aside`` reasons stay).

    >>> a = Actor("p1", "professional", "Mme A", profession_code="60", places=[Place("59178", "Douai", 0.0)])
    >>> d = assessment_dict(assess(a, Role("inf", "Infirmier", professions=["60"]), radius_km=5,
    ...                            commune_name="Douai", stage_name="Suivi", today=date(2026, 1, 1)), rank_no=1)
    >>> d["rank"], d["commune"], d["profession"], [r["rule"] for r in d["reasons"]]
    (1, {'id': '59178', 'name': 'Douai'}, '60', ['within_radius'])
    """
    label = label or (lambda scheme, code: code)
    actor = a.actor
    near = actor.nearest
    member = next(iter(actor.memberships), {})

    def named(own: str | None, scheme: str, code: str | None) -> str | None:
        """The node's own label, else the nomenclature's."""
        return own or (label(scheme, code) if code else None)

    out: dict[str, Any] = {} if rank_no is None else {"rank": rank_no}
    out.update({
        "id": actor.id,
        "kind": actor.kind,
        "name": actor.name,
        "profession": named(actor.profession_label, "TRE_G15", actor.profession_code),
        "specialty": named(actor.specialty_label, "TRE_R38", actor.specialty_code),
        "category": named(actor.category_label, "FINESS_CAT", actor.category_code),
        "site": near.site if near else None,
        "address": " ".join(x for x in ((near.address, near.postal_code, near.city) if near else ()) if x) or None,
        "commune": {"id": near.commune, "name": near.commune_name} if near and near.commune else None,
        "distance_km": actor.distance_km,
        "phone": member.get("phone") or (near.phone if near else None),
        "email": near.email if near else None,
        "mssante": next((m["mssante"] for m in actor.memberships if m.get("mssante")), None),
        "member": bool(actor.memberships),
        "participates": actor.participation is not None,
        "accepting_new_patients": actor.flag("accepting_new_patients"),
        "home_visits": actor.flag("home_visits"),
        "last_verified": actor.last_verified,
        "synthetic": actor.synthetic,
        "reasons": a.reasons,
        "notes": a.notes,
    })
    if brief:
        for key in ("site", "address", "phone", "email", "mssante", "reasons", "notes"):
            del out[key]
    if a.set_aside:
        out["set_aside"] = a.set_aside
    return out
