"""The smart-match scoring engine (rules §11).

Score 0-100 for a viewer V and a candidate C, the sum of five parts, rounded half up to an
integer at the end (parts are kept as floats until then):

1. **Age fit, max 25** = 15 x own + 10 x mutual.
   ``own`` = 1 - |age(C) - mid| / (half + 5) where ``mid`` = (min + max) / 2 and ``half`` =
   (max - min) / 2 of V's preferred age range (every candidate is inside it, so ``own`` lies in
   [half/(half+5), 1]: the middle of the range scores 1). ``mutual`` = 1 when age(V) is inside
   C's preferred range, else 0.
2. **Location, max 20.** When both have coordinates: distance ``d`` (haversine, R = 6371 km,
   between the two ~2 km grid cells, :func:`miel.geo.grid_distance_from`, as everywhere
   else in Miel) and
   20 x max(0, 1 - d / D) with D = V's ``max_distance`` km (default 50). When either has no
   location: 10 if both name the same city (case-insensitive), else 0.
3. **Shared interests, max 25** = 25 x min(1, shared / min(|I(V)|, 4)); 0 when V chose none.
4. **Bio similarity, max 15** = 15 x min(1, |W(V) ∩ words(C)| / min(|W(V)|, 8)): the share of
   V's content words (up to 8) that C's description also uses. ``W(x)`` = the set of
   lower-cased words of 3+ letters (any script, so Hebrew too) of the description, minus a
   short English + Hebrew stop-word list. 0 when V's set is empty.
5. **Behaviour, max 15** = 15 x min(1, B / 5) where B = sum of ``UserInteraction.weight`` from
   V to C plus from C to V (rules §11 weights: like 2.0, message 3.0, profile click 1.5, view
   0.5-1.0): a like each way already gives 12 of the 15 points.
6. **Intention, max 6** (issue 18): 6 when both gave the same dating intention (other than
   "still figuring it out"), else 0.
7. **Life details, max 10** (issue 18) = children (max 5) + religious outlook (max 5):

   - *children plans*, when both said whether they want children: both want 5, neither wants
     5, one "open to children" and the other wants or is open 3, open and not wanting 2, wants
     and does not want 0 (``CHILDREN_WANT_POINTS``); when either left "want" empty: 2 when both
     have children, else 0.
   - *religious outlook distance* ``d`` on the secular - traditional - religious - Orthodox
     scale (``profiles.models.OBSERVANCE_SCALE``): 5 x (1 - d / 2), >= 0: the same outlook 5,
     neighbours 2.5, further apart 0; "other" only matches "other" (5).

   Nothing when either left a detail empty. Parts 6 and 7 are a bonus on top of parts 1-5
   (which reach 100 on their own): the total is capped at 100, so a member who leaves these
   empty loses nothing.

Candidates: every listed member other than V (``Member.listed``: active account, complete
profile - the members list's "discoverable"), whose gender is one of V's preferred genders and
whose age is in V's preferred range, who want V back (V's gender among their preferred genders
and V's age in their range: issue 15), not passed on by V in the last 30 days, excluding
blocked pairs (either direction). So ``mutual`` in part 1 is now always 1. Results are
sorted by score descending, then by user id ascending, so the same data always gives the same
order.

Bulk, bounded work (rules §16: one statement whatever the candidate count). On PostgreSQL the
whole score is computed **in the database** (:func:`_score_in_sql`): one statement selects the
candidates from ``profiles_member`` alone (``listed`` and each candidate's preferred age range
are copies on the member row; blocks and passes are subqueries), computes every part per
candidate with the same floating-point operations as the Python formula, and returns only the
top ``top`` rows (ordered by score, then user id) with the statistics over all candidates as
window aggregates; the facts for the reasons are then built in Python for those rows only.
Shared interests are a correlated index-only count restricted to V's interests (an InitPlan),
bio words a split of each bio into letter runs intersected with V's words (only for bios that
contain one of them), the interaction weight summed only for members V interacted with.
Elsewhere (SQLite in development) :func:`score_in_python` runs the same formula as a Python
loop over the candidate rows; tests check that both give the same scores, parts and facts.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from matching.models import Block, UserInteraction
from miel.geo import EARTH_RADIUS_KM, GRID_DEGREES, grid_cell, grid_distance_from
from profiles.models import OBSERVANCE_SCALE, ChildrenHave, ChildrenWant, Member, Observance, age_on

AGE_MAX = 25.0
AGE_OWN_MAX = 15.0
AGE_MUTUAL_MAX = 10.0
LOCATION_MAX = 20.0
LOCATION_SAME_CITY = 10.0
INTERESTS_MAX = 25.0
INTERESTS_FULL_AT = 4
BIO_MAX = 15.0
BIO_FULL_AT = 8
BEHAVIOUR_MAX = 15.0
BEHAVIOUR_FULL_AT = 5.0
INTENTION_MAX = 6.0
SAME_INTENTION = 6.0
LIFE_MAX = 10.0
CHILDREN_MAX = 5.0
OUTLOOK_MAX = 5.0
#: Part 7, children plans: points for the pair of "want children" answers (order-free).
CHILDREN_WANT_POINTS = {
    frozenset({"want"}): (5.0, "want"),
    frozenset({"no"}): (5.0, "none"),
    frozenset({"open", "want"}): (3.0, "open"),
    frozenset({"open"}): (3.0, "open"),
    frozenset({"open", "no"}): (2.0, "open"),
    frozenset({"want", "no"}): (0.0, ""),
}
BOTH_PARENTS = 2.0

#: Factor keys in the fixed order used in cached ``parts`` lists.
FACTORS = ("age", "location", "interests", "bio", "behaviour", "intention", "life")
FACTOR_MAX = {
    "age": AGE_MAX,
    "location": LOCATION_MAX,
    "interests": INTERESTS_MAX,
    "bio": BIO_MAX,
    "behaviour": BEHAVIOUR_MAX,
    "intention": INTENTION_MAX,
    "life": LIFE_MAX,
}


def _shown(field: str) -> Case:
    """The candidate's ``field`` as others may see it: ``""`` when the member hid that detail
    (``Member.details_hidden``, issue 18), so a hidden detail neither scores nor shows up in a
    reason. The same text test as the discovery filters (works on SQLite and PostgreSQL)."""
    return Case(
        When(details_hidden__icontains=f'"{field}"', then=Value("")),
        default=F(field),
        output_field=TextField(),
    )


def intention_points(my_intention: str, intention: str) -> float:
    """Part 6 (see module docstring): 6 for the same dating intention, unless it is "still
    figuring it out"; 0 when either is empty. Pure."""
    same = bool(my_intention) and my_intention != "figuring" and intention == my_intention
    return SAME_INTENTION if same else 0.0


def children_points(my_have: str, my_want: str, have: str, want: str) -> tuple[float, str]:
    """Part 7, children plans: (points, kind) with kind "want" (both want children), "none"
    (neither wants), "open" (compatible, one is open), "parents" (both have children) or "".
    Pure."""
    if my_want and want:
        return CHILDREN_WANT_POINTS.get(frozenset({my_want, want}), (0.0, ""))
    if my_have == "yes" and have == "yes":
        return BOTH_PARENTS, "parents"
    return 0.0, ""


def outlook_points(my_observance: str, observance: str) -> tuple[float, str]:
    """Part 7, religious outlook distance: (points, "same" / "near" / "") - 5 x (1 - d / 2)
    for the distance d on :data:`profiles.models.OBSERVANCE_SCALE`; "other" matches only
    "other". Pure."""
    if not my_observance or not observance:
        return 0.0, ""
    if observance == my_observance:
        return OUTLOOK_MAX, "same"
    a, b = OBSERVANCE_SCALE.get(my_observance), OBSERVANCE_SCALE.get(observance)
    if a is None or b is None:
        return 0.0, ""
    points = OUTLOOK_MAX * (1 - abs(a - b) / 2)
    return (points, "near") if points > 0 else (0.0, "")


def life_points(mine: tuple[str, str, str], theirs: tuple[str, str, str]) -> tuple[float, str, str]:
    """Part 7 (see module docstring) for ``(children have, children want, observance)`` of V
    and of C: (points, children kind, outlook closeness). Pure."""
    kids, kind = children_points(mine[0], mine[1], theirs[0], theirs[1])
    outlook, closeness = outlook_points(mine[2], theirs[2])
    return kids + outlook, kind, closeness


_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_STOP_WORDS_DIR = Path(__file__).resolve().parent / "stopwords"
#: One-letter Hebrew prefixes (and, the, in, to, from, that, as): "ובדרך" is "בדרך" + ו.
_HEBREW_PREFIXES = "והבלמשכ"


def _load_stop_words() -> frozenset[str]:
    """Every word of ``stopwords/*.txt`` (Hebrew and English data files; # starts a comment),
    lower-cased."""
    words: set[str] = set()
    for path in sorted(_STOP_WORDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                words.update(w.lower() for w in line.split())
    return frozenset(words)


STOP_WORDS = _load_stop_words()


def is_stop_word(word: str) -> bool:
    """True for a stop word of ``stopwords/*.txt``, also behind up to two one-letter Hebrew
    prefixes ("ובדרך", "שהבאה"), so such words never count as shared content or get quoted."""
    word = word.lower()
    if word in STOP_WORDS:
        return True
    for _ in range(2):
        if len(word) > 3 and word[0] in _HEBREW_PREFIXES:
            word = word[1:]
            if word in STOP_WORDS:
                return True
        else:
            break
    return False


def bio_words(text: str) -> frozenset[str]:
    """Content words of a description (see module docstring, part 4)."""
    return frozenset(w for w in _WORD_RE.findall(text.lower()) if not is_stop_word(w))


def years_before(today: date, years: int) -> date:
    """``today`` moved back ``years`` years; 29 February becomes 28 February in common years,
    which matches :func:`profiles.models.age_on` (age >= n  <=>  dob <= years_before(today, n))."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class ScoredMatch:
    """One candidate's score and the data its reason is rendered from.

    ``parts`` = points per factor in :data:`FACTORS` order; ``facts`` = language-neutral data
    (age, km, same_city, shared interest ids, shared bio words, behaviour weight) so the reason
    can be re-rendered in any viewer language later.
    """

    user_id: str
    score: int
    parts: tuple[float, ...]
    facts: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"u": self.user_id, "s": self.score, "p": list(self.parts), "f": self.facts}

    @classmethod
    def from_json(cls, data: dict) -> ScoredMatch:
        """A cached match; rows cached before a factor was added get 0 points for it."""
        parts = tuple(data["p"]) + (0.0,) * (len(FACTORS) - len(data["p"]))
        return cls(user_id=data["u"], score=data["s"], parts=parts, facts=data["f"])


@dataclass(frozen=True)
class SmartMatchStats:
    """Statistics over all scored candidates (shown on /smart-matches/)."""

    total: int
    excellent: int  # >= 90
    good: int  # 75-89
    fair: int  # 60-74
    average: float
    highest: int

    def to_json(self) -> dict:
        return self.__dict__.copy()


class _ArrayOf(Subquery):
    """``ARRAY(subquery)`` (PostgreSQL only): the values of a one-column subquery as one array,
    empty when there are no rows (an ``ARRAY()`` sublink is cheaper than an aggregate)."""

    template = "ARRAY(%(subquery)s)"
    output_field = TextField()


class _InSet(Func):
    """``column IN (subquery)`` for an uncorrelated ``subquery`` used inside a correlated one.
    On PostgreSQL it is written ``column = ANY(ARRAY(subquery))`` so the subquery runs once (an
    InitPlan) instead of once per outer row."""

    output_field = BooleanField()
    conditional = True
    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):
        (column_sql, column_params), (sub_sql, sub_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(ARRAY{sub_sql})", (*column_params, *sub_params)
        return f"{column_sql} IN {sub_sql}", (*column_params, *sub_params)


class _AsIs(Func):
    """``expression`` unchanged, its values taken as the driver returns them: no per-row Python
    converter (``float()``/``int()`` on 10 000 rows costs more than some scoring parts)."""

    template = "%(expressions)s"

    @property
    def convert_value(self):
        return self._convert_value_noop


def _id_text(field: str):
    """``field`` (a UUID column) as text on PostgreSQL: building 10 000 ``uuid.UUID`` objects
    costs more than the scoring. Elsewhere the column as it is (callers ``str()`` it)."""
    if connection.vendor == "postgresql":
        return Cast(field, TextField())
    return F(field)


def candidate_queryset(*, member: Member, today: date | None = None):
    """Members V may be matched with (see module docstring): listed (complete, active),
    within V's preferred genders and age range (read from V's user, the source of truth), not
    V, no block either way; and (issue 15, both sides' preferences) only members whose own
    preferred genders and age range hold V, and none V passed on in the last 30 days. Blocks
    and passes are subqueries so the whole set is one SQL statement on ``profiles_member``
    alone (the candidates' preferences are the member row's copies)."""
    from matching.selectors.discovery import not_passed_q, wants_viewer_q

    user = member.user
    today = today or timezone.localdate()
    oldest_dob_exclusive = years_before(today, user.preferred_age_max + 1)
    youngest_dob = years_before(today, user.preferred_age_min)
    blocked_by_me = Block.objects.filter(blocker_id=user.pk).values("blocked_id")
    blocked_me = Block.objects.filter(blocked_id=user.pk).values("blocker_id")
    return (
        Member.objects.filter(
            wants_viewer_q(viewer_member=member, today=today),
            not_passed_q(viewer_member=member, now=timezone.now()),
            listed=True,
            gender__in=user.preferred_gender_list,
            date_of_birth__gt=oldest_dob_exclusive,
            date_of_birth__lte=youngest_dob,
        )
        .exclude(pk=member.pk)
        .exclude(user_id__in=blocked_by_me)
        .exclude(user_id__in=blocked_me)
    )


@dataclass(frozen=True)
class _Viewer:
    """What the formula needs of V, worked out once per scoring run."""

    member: Member
    today: date
    my_age: int
    mid: float
    half_plus: float
    cell: tuple[float, float] | None  # V's grid cell (degrees), None without a location
    max_km: float
    city: str  # stripped and case-folded, "" when none
    words: frozenset[str]
    intention: str
    life: tuple[str, str, str]  # children have, children want, observance

    @classmethod
    def of(cls, member: Member, today: date) -> _Viewer:
        user = member.user
        age_min, age_max = user.preferred_age_min, user.preferred_age_max
        lat, lon = member.latitude, member.longitude
        return cls(
            member=member,
            today=today,
            my_age=age_on(member.date_of_birth, today),
            mid=(age_min + age_max) / 2,
            half_plus=(age_max - age_min) / 2 + 5,
            cell=grid_cell(lat, lon) if lat is not None and lon is not None else None,
            max_km=float(member.max_distance or 50),
            city=(member.city or "").strip().casefold(),
            words=bio_words(member.description or ""),
            intention=member.intention or "",
            life=(member.children_have or "", member.children_want or "", member.observance or ""),
        )

    @property
    def scores_intention(self) -> bool:
        return bool(self.intention) and self.intention != "figuring"

    def word_finder(self):
        """``findall`` of V's words at letter boundaries (any script), or None without words."""
        if not self.words:
            return None
        alternatives = "|".join(map(re.escape, sorted(self.words, key=len, reverse=True)))
        return re.compile(r"(?<![^\W\d_])(?:" + alternatives + r")(?![^\W\d_])").findall


#: One kept candidate, as both scoring paths hand it to :func:`_result`: (score, user id,
#: parts (7 floats), age, own, mutual, km, city, shared interest ids ("3,7" / None), shared bio
#: words (set / None), weight, intention, observance, children have, children want).
_Kept = tuple


def _result(v: _Viewer, kept: _Kept) -> ScoredMatch:
    """The :class:`ScoredMatch` of one kept candidate with its language-neutral facts."""
    (score, uid, parts, age, own, mutual, km, city, shared, common, weight, *details) = kept
    intention, observance, have, want = (d or "" for d in details)
    facts: dict = {"age": age, "own": round(own, 3), "mutual": mutual}
    if km is not None:
        facts["km"] = round(km, 1)
    elif parts[1]:
        facts["city"] = city.strip()
    if shared and parts[2]:
        facts["interests"] = sorted(map(int, shared.split(",")))
    if common:
        facts["words"] = sorted(common)[:3]
    if weight:
        facts["weight"] = round(weight, 2)
    if parts[5]:
        facts["intention"] = intention
    if parts[6]:
        _pts, kind, closeness = life_points(v.life, (have, want, observance))
        if closeness:
            facts["observance"] = [closeness, observance]
        if kind:
            facts["children"] = kind
    return ScoredMatch(
        user_id=str(uid),
        score=max(0, min(100, score)),
        parts=tuple(round(p, 2) for p in parts),
        facts=facts,
    )


def score_candidates(
    *, member: Member, today: date | None = None, top: int | None = None
) -> tuple[list[ScoredMatch], SmartMatchStats]:
    """Score every candidate of ``member`` (rules §11, docs/rules.md §11) in one query.

    Returns the results sorted by (score desc, user id asc) - all of them, or the first
    ``top`` - and statistics over all candidates. Pure read, no side effects. ``today`` (local
    date) is for tests; ages use completed years. On PostgreSQL the scores are computed in the
    database (:func:`_score_in_sql`), elsewhere by :func:`score_in_python`; both give the same
    results.
    """
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        return _score_in_sql(_Viewer.of(member, today), top=top)
    return score_in_python(member=member, today=today, top=top)


# --- The formula in SQL (PostgreSQL) ------------------------------------------------------------


def _f(value: float) -> str:
    """A float constant of the formula as a float8 SQL literal (never user input: numbers
    only), so PostgreSQL computes in doubles exactly as Python does (a bare ``0.5`` would be
    ``numeric``)."""
    return f"{float(value)!r}::float8"


def _inner_candidates(v: _Viewer) -> tuple[str, tuple]:
    """SQL and parameters of the candidate rows (see :func:`candidate_queryset`) with the
    per-candidate inputs of the formula: ``c_pk, c_uid, c_dob, c_lat, c_lon, c_city, c_bio,
    c_min, c_max, c_int, c_obs, c_have, c_want, c_shared`` (number of V's interests they
    have), ``c_weight`` (interaction weight both ways, NULL without interactions)."""
    me = v.member.pk
    through = Member.interests.through
    my_interests = through.objects.filter(member_id=me).values("interest_id")
    shared = (
        through.objects.filter(_InSet(F("interest_id"), Subquery(my_interests)))
        .filter(member_id=OuterRef("pk"))
        .order_by()
        .values(n=Func("interest_id", function="COUNT", output_field=IntegerField()))
    )
    interacted = Q(pk__in=UserInteraction.objects.filter(user_id=me).values("target_id")) | Q(
        pk__in=UserInteraction.objects.filter(target_id=me).values("user_id")
    )
    pair_weight = (
        UserInteraction.objects.filter(
            Q(user_id=me, target_id=OuterRef("pk")) | Q(user_id=OuterRef("pk"), target_id=me)
        )
        .order_by()
        .values(total=Func("weight", function="SUM", output_field=FloatField()))
    )
    rows = (
        candidate_queryset(member=v.member, today=v.today)
        .annotate(
            c_pk=F("pk"),
            c_uid=_id_text("user_id"),
            c_dob=F("date_of_birth"),
            c_lat=F("latitude"),
            c_lon=F("longitude"),
            c_city=F("city"),
            c_bio=F("description"),
            c_lbio=Lower("description"),
            c_min=F("preferred_age_min"),  # the member's copies of the user's range
            c_max=F("preferred_age_max"),
            c_int=_shown("intention"),
            c_obs=_shown("observance"),
            c_have=_shown("children_have"),
            c_want=_shown("children_want"),
            c_shared=_AsIs(Subquery(shared)),
            c_weight=_AsIs(Case(When(interacted, then=Subquery(pair_weight)), default=None)),
        )
        .values(
            "c_pk",
            "c_uid",
            "c_dob",
            "c_lat",
            "c_lon",
            "c_city",
            "c_bio",
            "c_lbio",
            "c_min",
            "c_max",
            "c_int",
            "c_obs",
            "c_have",
            "c_want",
            "c_shared",
            "c_weight",
        )
    )
    return rows.query.get_compiler(using=rows.db).as_sql()


def _km_sql(v: _Viewer) -> str:
    """Km between V's grid cell and the candidate's (NULL without coordinates): the arithmetic
    of :func:`miel.geo.grid_cell` and :func:`miel.geo.grid_distance_from`, operation
    for operation, so the result is the same double."""
    if v.cell is None:
        return "NULL::float8"
    rad, g = _f(math.pi / 180), _f(GRID_DEGREES)
    lat1, lon1 = v.cell
    p1 = math.radians(lat1)
    lat_c = f"((FLOOR(c_lat / {g}) + {_f(0.5)}) * {g})"
    step = f"({_f(360)} / GREATEST({_f(1)}, FLOOR({_f(360)} * COS({lat_c} * {rad}) / {g})))"
    lon_c = f"({_f(-180)} + (FLOOR((c_lon + {_f(180)}) / {step}) + {_f(0.5)}) * {step})"
    p2 = f"({lat_c} * {rad})"
    a = (
        f"POWER(SIN(({p2} - {_f(p1)}) / {_f(2)}), 2)"
        f" + {_f(math.cos(p1))} * COS({p2})"
        f" * POWER(SIN((({lon_c} - {_f(lon1)}) * {rad}) / {_f(2)}), 2)"
    )
    return (
        "CASE WHEN c_lat IS NULL OR c_lon IS NULL THEN NULL ELSE "
        f"{_f(2 * EARTH_RADIUS_KM)} * ASIN(LEAST(SQRT({a}), {_f(1)})) END"
    )


def _life_sql(v: _Viewer) -> str:
    """Part 7 as SQL: a CASE over the candidate's answers, its points taken from
    :func:`children_points` and :func:`outlook_points` (the only definition of the rule)."""

    kids = []
    for have in ("", *ChildrenHave.values):
        for want in ("", *ChildrenWant.values):
            points, _kind = children_points(v.life[0], v.life[1], have, want)
            if points:
                kids.append(f"WHEN c_have = '{have}' AND c_want = '{want}' THEN {_f(points)}")
    outlook = []
    for observance in Observance.values:
        points, _closeness = outlook_points(v.life[2], observance)
        if points:
            outlook.append(f"WHEN c_obs = '{observance}' THEN {_f(points)}")
    zero = _f(0)
    kids_sql = f"CASE {' '.join(kids)} ELSE {zero} END" if kids else zero
    outlook_sql = f"CASE {' '.join(outlook)} ELSE {zero} END" if outlook else zero
    return f"({kids_sql} + {outlook_sql})"


def _score_in_sql(v: _Viewer, *, top: int | None) -> tuple[list[ScoredMatch], SmartMatchStats]:
    """The whole formula in one PostgreSQL statement (see module docstring): every part per
    candidate, the score, the statistics over all candidates (window aggregates) and the first
    ``top`` rows in (score desc, user id) order, with the shared interest ids and the bio
    (for the shared words) fetched for those rows only.

    The statement is built in layers, each a subquery of the next: the candidates' inputs
    (:func:`_inner_candidates`), age / km / bio word count (:func:`_inputs_sql`), the parts
    (:func:`_parts_sql`), the score and statistics (:func:`_ranked_sql`); the rows are turned
    into results by :func:`_results_from_rows`."""
    sql, params = _ranked_sql(v, top=top)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _results_from_rows(v, rows)


def _age_sql(v: _Viewer) -> str:
    """The candidate's age in completed years on ``v.today`` (as :func:`profiles.models.age_on`)."""
    ty, tm, td = v.today.year, v.today.month, v.today.day
    return (
        f"({ty} - EXTRACT(YEAR FROM c_dob)::int - CASE WHEN (EXTRACT(MONTH FROM c_dob)::int, "
        f"EXTRACT(DAY FROM c_dob)::int) > ({tm}, {td}) THEN 1 ELSE 0 END)"
    )


def _bio_count_sql(v: _Viewer) -> tuple[str, list]:
    """The number of V's words the candidate's bio uses, and its parameters. Per V's word: a
    substring test on the lower-cased bio, then (only where it occurs) a test at letter
    boundaries in any script ([[:alpha:]] under the database's UTF-8 ctype), as the Python
    regex does."""
    if not v.words:
        return "0", []
    tests, params = [], []
    for word in sorted(v.words):
        tests.append("CASE WHEN c_lbio LIKE %s AND c_lbio ~ %s THEN 1 ELSE 0 END")
        params += [f"%{word}%", f"(?<![[:alpha:]]){word}(?![[:alpha:]])"]
    return "(" + " + ".join(tests) + ")", params


def _inputs_sql(v: _Viewer) -> tuple[str, list]:
    """Layer a: the candidate rows with ``age``, ``km``, ``n_words`` (V's words in their bio)
    and ``my_count`` (number of V's interests); SQL and parameters."""
    inner_sql, inner_params = _inner_candidates(v)
    through = Member.interests.through._meta.db_table
    n_words, word_params = _bio_count_sql(v)
    sql = (
        f"SELECT c.*, {_age_sql(v)} AS age, {_km_sql(v)} AS km, {n_words} AS n_words, "  # noqa: S608 - numbers and code constants only
        f"(SELECT COUNT(*) FROM {through} WHERE member_id = %s) AS my_count "
        f"FROM ({inner_sql} OFFSET 0) c"
    )
    return sql, [*word_params, v.member.pk, *inner_params]


def _parts_sql(v: _Viewer) -> tuple[str, list]:
    """Layer b: each part of the formula (``own``, ``p_age`` ... ``p_life``) over layer a; SQL
    and parameters (those of the select list come before layer a's)."""
    zero = _f(0)
    params: list = []
    own = f"({_f(1)} - ABS(age - {_f(v.mid)}) / {_f(v.half_plus)})"
    age_pts = (
        f"{_f(AGE_OWN_MAX)} * {own} + CASE WHEN c_min <= {v.my_age} AND {v.my_age} <= c_max "
        f"THEN {_f(AGE_MUTUAL_MAX)} ELSE {zero} END"
    )
    closeness = f"({_f(1)} - km / {_f(v.max_km)})"
    city_pts = ""
    if v.city:
        city_pts = (
            "WHEN c_city <> '' AND LOWER(BTRIM(c_city, E' \\t\\n\\r\\f\\x0b')) = %s "
            f"THEN {_f(LOCATION_SAME_CITY)} "
        )
        params.append(v.city)
    loc_pts = (
        f"CASE WHEN km IS NOT NULL THEN CASE WHEN {closeness} > {zero} "
        f"THEN {_f(LOCATION_MAX)} * {closeness} ELSE {zero} END {city_pts}ELSE {zero} END"
    )
    int_pts = (
        f"CASE WHEN c_shared > 0 AND my_count > 0 THEN {_f(INTERESTS_MAX)} * LEAST({_f(1)}, "
        f"c_shared::float8 / LEAST(my_count, {INTERESTS_FULL_AT})) ELSE {zero} END"
    )
    bio_den = min(len(v.words), BIO_FULL_AT)
    bio_pts = (
        f"CASE WHEN n_words > 0 THEN {_f(BIO_MAX)} * LEAST({_f(1)}, n_words::float8 / "
        f"{bio_den}) ELSE {zero} END"
        if bio_den
        else zero
    )
    beh_pts = (
        f"CASE WHEN c_weight IS NOT NULL AND c_weight <> 0 THEN {_f(BEHAVIOUR_MAX)} * "
        f"LEAST({_f(1)}, c_weight / {_f(BEHAVIOUR_FULL_AT)}) ELSE {zero} END"
    )
    intention_pts = zero
    if v.scores_intention:
        intention_pts = f"CASE WHEN c_int = %s THEN {_f(SAME_INTENTION)} ELSE {zero} END"
        params.append(v.intention)
    layer_a, a_params = _inputs_sql(v)
    sql = (
        f"SELECT a.*, {own} AS own, {age_pts} AS p_age, {loc_pts} AS p_loc, {int_pts} AS p_int, "  # noqa: S608 - numbers and code constants only
        f"{bio_pts} AS p_bio, {beh_pts} AS p_beh, {intention_pts} AS p_intent, "
        f"{_life_sql(v)} AS p_life FROM ({layer_a} OFFSET 0) a"
    )
    return sql, [*params, *a_params]


def _ranked_sql(v: _Viewer, *, top: int | None) -> tuple[str, list]:
    """The whole statement: the score (rounded half up, capped) over layer b, the statistics
    over all candidates as window aggregates, the first ``top`` rows with the shared interest
    ids and the bio (for the shared words) of those rows only; SQL and parameters."""
    layer_b, b_params = _parts_sql(v)
    through = Member.interests.through._meta.db_table
    layer_c = (
        "SELECT b.*, LEAST(100, FLOOR(p_age + p_loc + p_int + p_bio + p_beh + p_intent + p_life"  # noqa: S608 - numbers and code constants only
        f" + {_f(0.5)})::int) AS score FROM ({layer_b} OFFSET 0) b"
    )
    limit = f" LIMIT {int(top)}" if top is not None else ""
    order = 'score DESC, c_uid COLLATE "C"'
    ranked = (
        "SELECT s.*, COUNT(*) OVER () AS n_all, COUNT(*) FILTER (WHERE score >= 90) OVER () AS "  # noqa: S608 - numbers and code constants only
        "n_90, COUNT(*) FILTER (WHERE score >= 75 AND score < 90) OVER () AS n_75, "
        "COUNT(*) FILTER (WHERE score >= 60 AND score < 75) OVER () AS n_60, "
        "SUM(score) OVER () AS total, MAX(score) OVER () AS highest "
        f"FROM ({layer_c}) s ORDER BY {order}{limit}"
    )
    shared_ids = (
        f"ARRAY_TO_STRING(ARRAY(SELECT interest_id FROM {through} WHERE member_id = t.c_pk AND "  # noqa: S608 - numbers and code constants only
        f"interest_id = ANY(ARRAY(SELECT interest_id FROM {through} WHERE member_id = %s))), ',')"
    )
    sql = (
        "SELECT score, c_uid, p_age, p_loc, p_int, p_bio, p_beh, p_intent, p_life, age, own, "  # noqa: S608 - numbers and code constants only
        f"c_min <= {v.my_age} AND {v.my_age} <= c_max, km, c_city, CASE WHEN c_shared > 0 THEN "
        f"{shared_ids} END, CASE WHEN n_words > 0 THEN c_bio END, c_weight, c_int, c_obs, "
        "c_have, c_want, n_all, n_90, n_75, n_60, total, highest "
        f"FROM ({ranked}) t ORDER BY {order}"
    )
    return sql, [v.member.pk, *b_params]


def _results_from_rows(v: _Viewer, rows: list[tuple]) -> tuple[list[ScoredMatch], SmartMatchStats]:
    """The :class:`ScoredMatch` of each row of :func:`_ranked_sql` (shared bio words found in
    Python, for these rows only) and the statistics the rows carry."""
    if not rows:
        return [], stats_for([])
    find_words = v.word_finder()
    results = []
    for row in rows:
        score, uid, *parts = row[:9]
        age, own, mutual, km, city, shared, bio, weight, *details = row[9:21]
        common = set(find_words(bio.lower())) if bio and find_words else None
        kept = (score, uid, parts, age, own, mutual, km, city, shared, common, weight, *details)
        results.append(_result(v, kept))
    n_all, n_90, n_75, n_60, total, highest = rows[0][21:]
    stats = SmartMatchStats(
        total=n_all,
        excellent=n_90,
        good=n_75,
        fair=n_60,
        average=round(total / n_all, 1),
        highest=highest,
    )
    return results, stats


# --- The formula in Python (SQLite, and the reference the SQL is tested against) ----------------


def _scoring_rows(*, v: _Viewer, with_bios: bool) -> list[tuple]:
    """The candidate rows for :func:`score_in_python`: per candidate ``(user id, date of
    birth, latitude, longitude, city, description, their preferred age min, max (the member
    row's copies), shared interest ids, interaction weight, number of V's interests,
    intention, observance, children have, children want)``. Shared ids are only V's
    interests, as a ``"3,7"`` string ("" or None when none); the weight sums both directions
    and is None without interactions; the count is the same on every row. Without
    ``with_bios`` descriptions are not fetched (None)."""
    me = v.member.pk
    through = Member.interests.through
    my_interests = through.objects.filter(member_id=me).values("interest_id")
    shared = (
        through.objects.filter(_InSet(F("interest_id"), Subquery(my_interests)))
        .filter(member_id=OuterRef("pk"))
        .order_by()
    )
    shared_ids: Func | Subquery
    if connection.vendor == "postgresql":
        shared_ids = Func(
            _ArrayOf(shared.values("interest_id")),
            Value(","),
            function="array_to_string",
            output_field=TextField(),
        )
    else:
        group_concat = Func("interest_id", function="GROUP_CONCAT", output_field=TextField())
        shared_ids = Subquery(shared.values(ids=group_concat))
    interacted = Q(pk__in=UserInteraction.objects.filter(user_id=me).values("target_id")) | Q(
        pk__in=UserInteraction.objects.filter(target_id=me).values("user_id")
    )
    pair_weight = (
        UserInteraction.objects.filter(
            Q(user_id=me, target_id=OuterRef("pk")) | Q(user_id=OuterRef("pk"), target_id=me)
        )
        .order_by()
        .values(total=Func("weight", function="SUM", output_field=FloatField()))
    )
    my_count = (
        through.objects.filter(member_id=me)
        .order_by()
        .values(n=Func("interest_id", function="COUNT", output_field=IntegerField()))
    )
    rows = (
        candidate_queryset(member=v.member, today=v.today)
        .annotate(
            uid=_id_text("user_id"),
            bio=F("description") if with_bios else Value(None, output_field=TextField()),
            shared_ids=shared_ids,
            weight=_AsIs(Case(When(interacted, then=Subquery(pair_weight)), default=None)),
            my_count=_AsIs(Subquery(my_count)),
            shown_intention=_shown("intention"),
            shown_observance=_shown("observance"),
            shown_have=_shown("children_have"),
            shown_want=_shown("children_want"),
        )
        .values_list(
            "uid",
            "date_of_birth",
            "latitude",
            "longitude",
            "city",
            "bio",
            "preferred_age_min",
            "preferred_age_max",
            "shared_ids",
            "weight",
            "my_count",
            "shown_intention",
            "shown_observance",
            "shown_have",
            "shown_want",
        )
    )
    return list(rows)


def score_in_python(
    *, member: Member, today: date | None = None, top: int | None = None
) -> tuple[list[ScoredMatch], SmartMatchStats]:
    """:func:`score_candidates` as a Python loop over the candidate rows (one query): what
    SQLite runs, and the reference the SQL formula is tested against."""
    v = _Viewer.of(member, today or timezone.localdate())
    rows = _scoring_rows(v=v, with_bios=bool(v.words))
    km_from_me = grid_distance_from(*v.cell) if v.cell is not None else None
    my_interest_count = (rows[0][10] or 0) if rows else 0
    interests_den = min(my_interest_count, INTERESTS_FULL_AT)
    bio_den = min(len(v.words), BIO_FULL_AT)
    find_my_words = v.word_finder()
    ty, tm, td = v.today.year, v.today.month, v.today.day
    scored: list[tuple] = []
    for (
        uid,
        dob,
        lat,
        lon,
        city,
        description,
        their_min,
        their_max,
        shared,
        weight,
        _,
        intention,
        observance,
        have,
        want,
    ) in rows:
        age = ty - dob.year - ((tm, td) < (dob.month, dob.day))
        own = 1 - abs(age - v.mid) / v.half_plus
        mutual = their_min <= v.my_age <= their_max
        age_pts = AGE_OWN_MAX * own + (AGE_MUTUAL_MAX if mutual else 0.0)
        km = None
        if km_from_me is not None and lat is not None and lon is not None:
            km = km_from_me(lat, lon)
            closeness = 1 - km / v.max_km
            loc_pts = LOCATION_MAX * closeness if closeness > 0.0 else 0.0
        elif v.city and city and city.strip().casefold() == v.city:
            loc_pts = LOCATION_SAME_CITY
        else:
            loc_pts = 0.0
        n_shared = shared.count(",") + 1 if shared else 0
        int_pts = (
            INTERESTS_MAX * min(1.0, n_shared / interests_den)
            if n_shared and interests_den
            else 0.0
        )
        common = set(find_my_words(description.lower())) if find_my_words and description else None
        bio_pts = BIO_MAX * min(1.0, len(common) / bio_den) if common else 0.0
        if weight:
            beh_pts = BEHAVIOUR_MAX * min(1.0, weight / BEHAVIOUR_FULL_AT)
        else:
            weight = beh_pts = 0.0
        intention_pts = intention_points(v.intention, intention or "")
        life_pts = life_points(v.life, (have or "", want or "", observance or ""))[0]
        parts = (age_pts, loc_pts, int_pts, bio_pts, beh_pts, intention_pts, life_pts)
        total = age_pts + loc_pts + int_pts + bio_pts + beh_pts + intention_pts + life_pts
        score = min(100, math.floor(total + 0.5))
        scored.append(
            (-score, uid, parts, age, own, mutual, km, city, shared, common, weight,
             intention, observance, have, want)
        )  # fmt: skip
    stats = stats_for([-t[0] for t in scored])
    # (-score, user id) is unique, so the rest of the tuple is never compared.
    scored = sorted(scored) if top is None or top >= len(scored) else heapq.nsmallest(top, scored)
    return [_result(v, (-t[0], *t[1:])) for t in scored], stats


def stats_for(scores: list[int]) -> SmartMatchStats:
    """Bands (>= 90, 75-89, 60-74), average (1 decimal) and highest of ``scores``."""
    counts = Counter(scores)  # a few dozen distinct scores, whatever the candidate count
    return SmartMatchStats(
        total=len(scores),
        excellent=sum(n for s, n in counts.items() if s >= 90),
        good=sum(n for s, n in counts.items() if 75 <= s < 90),
        fair=sum(n for s, n in counts.items() if 60 <= s < 75),
        average=round(sum(s * n for s, n in counts.items()) / len(scores), 1) if scores else 0.0,
        highest=max(counts, default=0),
    )
