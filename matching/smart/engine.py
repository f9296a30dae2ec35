"""The smart-match scoring engine (SPEC §11).

Score 0-100 for a viewer V and a candidate C, the sum of five parts, rounded half up to an
integer at the end (parts are kept as floats until then):

1. **Age fit, max 25** = 15 x own + 10 x mutual.
   ``own`` = 1 - |age(C) - mid| / (half + 5) where ``mid`` = (min + max) / 2 and ``half`` =
   (max - min) / 2 of V's preferred age range (every candidate is inside it, so ``own`` lies in
   [half/(half+5), 1]: the middle of the range scores 1). ``mutual`` = 1 when age(V) is inside
   C's preferred range, else 0.
2. **Location, max 20.** When both have coordinates: distance ``d`` (haversine, R = 6371 km,
   between the two ~2 km grid cells, :func:`matching.geo.grid_distance_from`, as everywhere
   else in Miel) and
   20 x max(0, 1 - d / D) with D = V's ``max_distance`` km (default 50). When either has no
   location: 10 if both name the same city (case-insensitive), else 0.
3. **Shared interests, max 25** = 25 x min(1, shared / min(|I(V)|, 4)); 0 when V chose none.
4. **Bio similarity, max 15** = 15 x min(1, |W(V) ∩ words(C)| / min(|W(V)|, 8)): the share of
   V's content words (up to 8) that C's description also uses. ``W(x)`` = the set of
   lower-cased words of 3+ letters (any script, so Hebrew too) of the description, minus a
   short English + Hebrew stop-word list. 0 when V's set is empty.
5. **Behaviour, max 15** = 15 x min(1, B / 5) where B = sum of ``UserInteraction.weight`` from
   V to C plus from C to V (SPEC §11 weights: like 2.0, message 3.0, profile click 1.5, view
   0.5-1.0): a like each way already gives 12 of the 15 points.
6. **Intention and outlook, max 10** (issue 18): 6 when both gave the same dating intention
   (other than "still figuring it out"), plus 4 when both gave the same religious outlook or
   2 when their outlooks are neighbours on the secular - traditional - religious - Orthodox
   scale (``profiles.models.OBSERVANCE_SCALE``; "other" only matches "other"). Nothing when
   either left a detail empty. A bonus on top of parts 1-5 (which reach 100 on their own):
   the total is capped at 100, so a member who leaves these empty loses nothing.

Candidates: every listed member other than V (``Member.listed``: active account, complete
profile - the members list's "discoverable"), whose gender is one of V's preferred genders and
whose age is in V's preferred range, who want V back (V's gender among their preferred genders
and V's age in their range: issue 15), not passed on by V in the last 30 days, excluding
blocked pairs (either direction). So ``mutual`` in part 1 is now always 1. Results are
sorted by score descending, then by user id ascending, so the same data always gives the same
order.

Bulk, bounded work (SPEC §16: one query whatever the candidate count): the candidates with
just the needed columns of ``profiles_member`` alone (``listed`` and the copy of each
candidate's preferred age range are on the member row, so ``accounts_user`` is not joined;
blocks are excluded by a subquery), each with the ids of the interests it shares with V (a
correlated index-only lookup restricted to V's interests), its interaction weight with V
(summed only for members V interacted with) and the number of V's interests. Everything else
is plain Python over tuples (a substring test per V's word in each bio, one regex scan only
for bios that contain one); the top ``top`` are kept with a heap and the per-result facts for
reasons are built only for them (the cache keeps the top 200).
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
from django.db.models.functions import Cast
from django.utils import timezone

from matching.geo import grid_distance_from
from matching.models import Block, UserInteraction
from profiles.models import OBSERVANCE_SCALE, Member, age_on

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
INTENTION_MAX = 10.0
SAME_INTENTION = 6.0
SAME_OBSERVANCE = 4.0
NEAR_OBSERVANCE = 2.0

#: Factor keys in the fixed order used in cached ``parts`` lists.
FACTORS = ("age", "location", "interests", "bio", "behaviour", "intention")
FACTOR_MAX = {
    "age": AGE_MAX,
    "location": LOCATION_MAX,
    "interests": INTERESTS_MAX,
    "bio": BIO_MAX,
    "behaviour": BEHAVIOUR_MAX,
    "intention": INTENTION_MAX,
}


def intention_points(
    my_intention: str, my_observance: str, intention: str, observance: str
) -> tuple[float, bool, str]:
    """Part 6 (see module docstring): (points, same intention?, "same" / "near" / "" for the
    outlooks). Pure."""
    same = bool(my_intention) and my_intention != "figuring" and intention == my_intention
    points = SAME_INTENTION if same else 0.0
    closeness = ""
    if my_observance and observance:
        if observance == my_observance:
            closeness = "same"
            points += SAME_OBSERVANCE
        else:
            a, b = OBSERVANCE_SCALE.get(my_observance), OBSERVANCE_SCALE.get(observance)
            if a is not None and b is not None and abs(a - b) == 1:
                closeness = "near"
                points += NEAR_OBSERVANCE
    return points, same, closeness


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
    parts: tuple[float, float, float, float, float]
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


def _scoring_rows(*, member: Member, today: date, with_bios: bool) -> list[tuple]:
    """The one scoring query: per candidate ``(user id, date of birth, latitude, longitude,
    city, description, their preferred age min, max (the member row's copies), shared interest
    ids, interaction weight, number of V's interests)``. Shared ids are only V's interests, as a ``"3,7"`` string
    ("" or None when none); the weight sums both directions and is None without interactions (a hashed
    membership test first, so the per-pair sum runs only for the few members V interacted
    with); the count is the same on every row (run once). Without ``with_bios`` (V's own bio
    has no content word) descriptions are not fetched (None)."""
    me = member.pk
    through = Member.interests.through
    my_interests = through.objects.filter(member_id=me).values("interest_id")
    shared = (
        through.objects.filter(_InSet(F("interest_id"), Subquery(my_interests)))
        .filter(member_id=OuterRef("pk"))
        .order_by()
    )
    # As one "3,7" string: cheaper for psycopg to load than an array, and only its count is
    # needed for every candidate (the ids only for the results kept).
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
        candidate_queryset(member=member, today=today)
        .annotate(
            uid=_id_text("user_id"),
            bio=F("description") if with_bios else Value(None, output_field=TextField()),
            shared_ids=shared_ids,
            weight=_AsIs(Case(When(interacted, then=Subquery(pair_weight)), default=None)),
            my_count=_AsIs(Subquery(my_count)),
        )
        .values_list(
            "uid",
            "date_of_birth",
            "latitude",
            "longitude",
            "city",
            "bio",
            "preferred_age_min",  # the member's copies of the user's range
            "preferred_age_max",
            "shared_ids",
            "weight",
            "my_count",
            "intention",  # issue 18 (part 6)
            "observance",
        )
    )
    # One fetchall: Django's iterator would fetch 100 rows at a time and copy each tuple.
    # (No converters are lost: every column is text, a number or a date the driver returns.)
    if connection.vendor != "postgresql":
        return list(rows)  # SQLite returns dates as text: let Django convert them
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def score_candidates(
    *, member: Member, today: date | None = None, top: int | None = None
) -> tuple[list[ScoredMatch], SmartMatchStats]:
    """Score every candidate of ``member`` (SPEC §11) in one query.

    Returns the results sorted by (score desc, user id asc) - all of them, or the first
    ``top`` - and statistics over all candidates. Pure read, no side effects. ``today`` (local
    date) is for tests; ages use completed years.
    """
    user = member.user
    today = today or timezone.localdate()
    my_words = bio_words(member.description or "")
    rows = _scoring_rows(member=member, today=today, with_bios=bool(my_words))

    age_min, age_max = user.preferred_age_min, user.preferred_age_max
    mid = (age_min + age_max) / 2
    half_plus = (age_max - age_min) / 2 + 5
    my_age = age_on(member.date_of_birth, today)
    has_loc = member.latitude is not None and member.longitude is not None
    km_from_me = grid_distance_from(member.latitude, member.longitude) if has_loc else None
    max_km = float(member.max_distance or 50)
    my_city = (member.city or "").strip().casefold()
    my_interest_count = (rows[0][10] or 0) if rows else 0
    interests_den = min(my_interest_count, INTERESTS_FULL_AT)
    bio_den = min(len(my_words), BIO_FULL_AT)
    # Points by number of shared interests / bio words (shared ones are a subset of V's).
    interest_pts = [
        INTERESTS_MAX * min(1.0, n / interests_den) if n and interests_den else 0.0
        for n in range(my_interest_count + 1)
    ]
    bio_pts_for = [BIO_MAX * min(1.0, n / bio_den) if n else 0.0 for n in range(len(my_words) + 1)]
    # V's words in a bio, at letter boundaries (any script): a C-speed substring test first,
    # so the boundary-checking regex only runs on bios that contain one of the words.
    word_tuple = tuple(sorted(my_words, key=len, reverse=True))
    find_my_words = (
        re.compile(
            r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, word_tuple)) + r")(?![^\W\d_])"
        ).findall
        if my_words
        else None
    )
    ty, tm, td = today.year, today.month, today.day
    floor = math.floor
    by_dob: dict[date, tuple[int, float, float]] = {}  # dob -> (age, own, own points)

    # Pass 1 (every candidate): the five parts and the score, as flat tuples.
    scored: list[tuple] = []
    append = scored.append
    my_intention, my_observance = member.intention or "", member.observance or ""
    with_details = bool(my_intention or my_observance)
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
    ) in rows:
        age_fit = by_dob.get(dob)
        if age_fit is None:
            age = ty - dob.year - ((tm, td) < (dob.month, dob.day))
            own = 1 - abs(age - mid) / half_plus
            age_fit = by_dob[dob] = (age, own, AGE_OWN_MAX * own)
        age, own, own_pts = age_fit
        mutual = their_min <= my_age <= their_max
        age_pts = own_pts + (AGE_MUTUAL_MAX if mutual else 0.0)
        km = None
        if km_from_me is not None and lat is not None and lon is not None:
            km = km_from_me(lat, lon)
            closeness = 1 - km / max_km
            loc_pts = LOCATION_MAX * closeness if closeness > 0.0 else 0.0
        elif my_city and city and city.strip().casefold() == my_city:
            loc_pts = LOCATION_SAME_CITY
        else:
            loc_pts = 0.0
        int_pts = interest_pts[shared.count(",") + 1] if shared else 0.0
        common = None
        bio_pts = 0.0
        if find_my_words is not None and description:
            text = description.lower()
            for word in word_tuple:
                if word in text:
                    found = find_my_words(text)
                    if found:
                        common = set(found)
                        bio_pts = bio_pts_for[len(common)]
                    break
        if weight:
            beh_pts = BEHAVIOUR_MAX * min(1.0, weight / BEHAVIOUR_FULL_AT)
        else:
            weight = beh_pts = 0.0
        if with_details and (intention or observance):
            life_pts, same_intention, outlook = intention_points(
                my_intention, my_observance, intention, observance
            )
        else:
            life_pts, same_intention, outlook = 0.0, False, ""
        score = min(100, floor(age_pts + loc_pts + int_pts + bio_pts + beh_pts + life_pts + 0.5))
        append(
            (
                -score,
                uid,
                age_pts,
                loc_pts,
                int_pts,
                bio_pts,
                beh_pts,
                life_pts,
                age,
                own,
                mutual,
                km,
                city,
                shared,
                common,
                weight,
                same_intention and intention,
                (outlook, observance) if outlook else None,
            )
        )

    stats = stats_for([-t[0] for t in scored])
    # (-score, user id) is unique, so the rest of the tuple is never compared.
    if top is None or top >= len(scored):
        scored.sort()
    else:
        scored = heapq.nsmallest(top, scored)

    # Pass 2 (only the results returned): language-neutral facts for the reasons.
    results = []
    for (
        neg_score,
        uid,
        *parts,
        age,
        own,
        mutual,
        km,
        city,
        shared,
        common,
        weight,
        intention,
        outlook,
    ) in scored:
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
        if intention:
            facts["intention"] = intention
        if outlook:  # ("same" | "near", the candidate's outlook)
            facts["observance"] = list(outlook)
        results.append(
            ScoredMatch(
                user_id=str(uid),
                score=max(0, min(100, -neg_score)),
                parts=tuple(round(p, 2) for p in parts),
                facts=facts,
            )
        )
    return results, stats


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
