"""Human-readable reasons for smart matches, rendered in the viewer's active language.

The cache stores language-neutral facts (:class:`~matching.smart.engine.ScoredMatch.facts`),
never text, so a Hebrew viewer and an English viewer of the same cached row each get their own
language. A reason names up to three of the strongest factors, strongest first, joined by " · ":
``28 — right in your range · 3 km away · both love hiking``; a shared dating intention
(issue 18) is always named, after those three if need be. Life details (issue 18) name close
religious outlooks and compatible children plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miel.bidi import isolate
from profiles.models import Intention, Interest, Observance

from .engine import FACTOR_MAX, FACTORS, ScoredMatch, is_stop_word

#: A factor is named when it reaches this share of its maximum.
STRONG_SHARE = 0.5
MAX_REASONS = 3


def join_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def distance_label(km: float) -> str:
    """Whole km, "less than 1 km" below 1 (rules §5)."""
    if km < 1:
        return _("less than 1 km away")
    whole = round(km)
    return ngettext("%(km)d km away", "%(km)d km away", whole) % {"km": whole}


def _factor_text(key: str, facts: Mapping, interest_labels: Mapping[int, str]) -> str | None:
    if key == "age":
        age = facts.get("age")
        if facts.get("own", 0) >= 0.8:
            return _("%(age)d — right in your range") % {"age": age}
        return _("%(age)d — in your age range") % {"age": age}
    if key == "location":
        if "km" in facts:
            return distance_label(facts["km"])
        if "city" in facts:
            return _("both in %(city)s") % {"city": isolate(facts["city"])}
        return None
    if key == "interests":
        ids = facts.get("interests") or []
        names = [interest_labels[i] for i in ids if i in interest_labels]
        if not names:
            return None
        if len(names) > 3:
            return ngettext(
                "%(count)d shared interest", "%(count)d shared interests", len(names)
            ) % {"count": len(names)}
        return _("both love %(things)s") % {"things": join_words(names)}
    if key == "bio":
        # Filtered again here: facts cached before a stop word was listed may still hold it.
        words = [w for w in facts.get("words") or [] if not is_stop_word(w)]
        if not words:
            return None
        return _("your bios both mention %(words)s") % {
            "words": join_words([isolate(w) for w in words[:2]])
        }
    if key == "behaviour":
        return _("you have already shown interest in each other")
    if key == "intention":
        return _intention_text(facts)
    if key == "life":
        return _life_text(facts)
    return None


def _intention_text(facts: Mapping) -> str | None:
    """Part 6 (issue 18): a shared dating intention."""
    if not facts.get("intention"):
        return None
    label = str(Intention(facts["intention"]).label)
    return _("you both want: %(intention)s") % {"intention": label.lower()}


#: Part 7's children kinds (engine.children_points) and their texts.
_CHILDREN_TEXTS = {
    "want": lambda: _("you both want children"),
    "none": lambda: _("neither of you wants children"),
    "open": lambda: _("compatible plans for children"),
    "parents": lambda: _("you both have children"),
}


def _life_text(facts: Mapping) -> str | None:
    """Part 7 (issue 18): close religious outlooks and / or compatible children plans."""

    texts = []
    closeness, outlook = (facts.get("observance") or ("", ""))[:2]
    if closeness == "same" and outlook in Observance.values and outlook != "other":
        texts.append(_("both %(outlook)s") % {"outlook": str(Observance(outlook).label).lower()})
    elif closeness == "same":
        texts.append(_("the same religious outlook"))
    elif closeness:
        texts.append(_("close religious outlooks"))
    kind = facts.get("children")
    if kind in _CHILDREN_TEXTS:
        texts.append(_CHILDREN_TEXTS[kind]())
    return " · ".join(texts) or None


def reason_for(match: ScoredMatch, interest_labels: Mapping[int, str]) -> str:
    """The reason line of one match in the active language (see module docstring)."""
    ranked = sorted(
        range(min(len(FACTORS), len(match.parts))),
        key=lambda i: (-(match.parts[i] / FACTOR_MAX[FACTORS[i]]), i),
    )
    texts: list[str] = []
    named: set[str] = set()
    for i in ranked:
        share = match.parts[i] / FACTOR_MAX[FACTORS[i]]
        if share <= 0 or (texts and share < STRONG_SHARE):
            continue
        text = _factor_text(FACTORS[i], match.facts, interest_labels)
        if text:
            texts.append(text)
            named.add(FACTORS[i])
        if len(texts) == MAX_REASONS:
            break
    if match.facts.get("intention") and "intention" not in named:
        # A shared dating intention is always named (issue 18), even past MAX_REASONS.
        texts.append(_intention_text(match.facts) or "")
    if not texts:
        return _("within your preferences")
    return " · ".join(texts)


def interest_labels_for(matches: Iterable[ScoredMatch]) -> dict[int, str]:
    """Interest id → "icon name" in the active language for the given matches (one query)."""

    ids = {i for m in matches for i in (m.facts.get("interests") or [])}
    if not ids:
        return {}
    return {
        i.pk: i.label.lower() if i.label.isascii() else i.label
        for i in Interest.objects.filter(pk__in=ids)
    }
