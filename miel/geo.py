"""Miel's one geometry module (rules §5, §16): the privacy grid, haversine distance in Python
and in SQL, and the bounding-box prefilter. Every distance one member sees of another (the
members list's shown distance, distance filter and ordering, the profile page, smart matches)
is computed here, between **grid cells**, never between stored coordinates.

The grid: latitude is cut into bands of :data:`GRID_DEGREES` (0.018°, 2.0 km); each band is
cut into ``n = floor(360 · cos(band centre) / GRID_DEGREES)`` equal longitude steps (at least
~2 km wide, a whole number per turn so the cells meet exactly at the 180° meridian). A
position stands for its cell's centre. Every answer the site gives about a member's position
(filter yes/no, shown or ordered distance, score) depends only on the two cells, so no number
of queries, from any number of own positions, narrows anyone down to better than their ~2 km
cell: at least 1 km of uncertainty (``tests/matching/test_location_privacy.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.db.models import F, FloatField, Func, Q

EARTH_RADIUS_KM = 6371.0
#: Degrees of latitude per km on the sphere of radius EARTH_RADIUS_KM.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
#: Height of a grid cell in degrees of latitude (0.018° = 2.0 km); cells are about as wide.
GRID_DEGREES = 0.018
GRID_KM = GRID_DEGREES * KM_PER_DEGREE


def grid_cell(latitude: float, longitude: float) -> tuple[float, float]:
    """The centre (latitude, longitude) of the ~2 km grid cell holding the point; see the
    module docstring. The same arithmetic as the SQL of :class:`HaversineKm`."""
    lat_c = (math.floor(latitude / GRID_DEGREES) + 0.5) * GRID_DEGREES
    n = max(1.0, math.floor(360.0 * math.cos(math.radians(lat_c)) / GRID_DEGREES))
    step = 360.0 / n
    lon_c = -180.0 + (math.floor((longitude + 180.0) / step) + 0.5) * step
    return lat_c, lon_c


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (R = 6371) between two exact points; correct across the
    180° meridian and at the poles. Members' distances use :func:`grid_distance_km`."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def grid_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Km between the grid cells of two points (what members are shown, rules §5)."""
    return haversine_km(*grid_cell(lat1, lon1), *grid_cell(lat2, lon2))


def grid_distance_from(latitude: float, longitude: float) -> Callable[[float, float], float]:
    """A function ``(lat, lon) -> km`` from the cell of the given point to the cell of another,
    for scoring many candidates (smart matches): the fixed side is worked out once."""
    lat1, lon1 = grid_cell(latitude, longitude)
    p1 = math.radians(lat1)
    cos_p1 = math.cos(p1)
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM

    def km(lat: float, lon: float) -> float:
        lat2, lon2 = grid_cell(lat, lon)
        p2 = radians(lat2)
        a = sin((p2 - p1) / 2) ** 2 + cos_p1 * cos(p2) * sin(radians(lon2 - lon1) / 2) ** 2
        root = sqrt(a)
        return diameter * asin(root if root < 1.0 else 1.0)

    return km


def bounding_boxes(
    *, latitude: float, longitude: float, km: float
) -> tuple[tuple[float, float], list[tuple[float, float]] | None]:
    """Latitude range and longitude ranges that contain every point whose grid cell lies within
    ``km`` of the grid cell of (``latitude``, ``longitude``) (rules §5).

    Returns ``((lat_min, lat_max), lon_ranges)``; ``lon_ranges`` is None when every longitude
    qualifies (the circle reaches a pole or spans the globe). A range crossing the 180°
    meridian is split in two. Built around the viewer's cell centre and widened by one cell on
    each side, since a member's cell centre is up to half a cell from their position.
    """
    latitude, longitude = grid_cell(latitude, longitude)
    dlat = km / KM_PER_DEGREE + GRID_DEGREES
    lat_min, lat_max = latitude - dlat, latitude + dlat
    if lat_min <= -90 or lat_max >= 90:
        return (max(lat_min, -90.0), min(lat_max, 90.0)), None
    angular = km / EARTH_RADIUS_KM
    ratio = math.sin(angular) / math.cos(math.radians(latitude))
    if angular >= math.pi / 2 or ratio >= 1:
        return (lat_min, lat_max), None
    # The widest longitude step inside the box: at its latitude farthest from the equator.
    far_lat = min(89.99, max(abs(lat_min), abs(lat_max)) + GRID_DEGREES)
    cells = math.floor(360.0 * math.cos(math.radians(far_lat)) / GRID_DEGREES)
    if cells < 4:
        return (lat_min, lat_max), None
    dlon = math.degrees(math.asin(ratio)) + 360.0 / cells
    if dlon >= 180:
        return (lat_min, lat_max), None
    lon_min, lon_max = longitude - dlon, longitude + dlon
    if lon_min < -180:
        return (lat_min, lat_max), [(lon_min + 360, 180.0), (-180.0, lon_max)]
    if lon_max > 180:
        return (lat_min, lat_max), [(lon_min, 180.0), (-180.0, lon_max - 360)]
    return (lat_min, lat_max), [(lon_min, lon_max)]


class HaversineKm(Func):
    """Haversine km (R = 6371) from a fixed point's grid cell to the grid cell of the row's
    coordinates; see :func:`distance_expression`. The member's two columns are compiled as
    expressions, so the SQL names whatever alias the table has (a subquery's too)."""

    output_field = FloatField()

    def __init__(self, *, latitude: float, longitude: float) -> None:
        super().__init__(F("latitude"), F("longitude"))
        lat_c, lon_c = grid_cell(latitude, longitude)
        self.lat1 = math.radians(lat_c)
        self.lon1 = math.radians(lon_c)

    def as_sql(self, compiler, connection, **extra_context):
        (lat, lat_params), (lon, lon_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if lat_params or lon_params:  # plain columns carry no parameters
            raise ValueError("HaversineKm needs column references")
        pg = connection.vendor == "postgresql"
        least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
        g = repr(GRID_DEGREES)  # a constant of this module, not input
        # grid_cell() in SQL: the band's centre, the band's longitude step, the cell's centre.
        lat_c = f"((FLOOR({lat} / {g}) + 0.5) * {g})"
        step = f"(360.0 / {greatest}(1.0, FLOOR(360.0 * COS(RADIANS({lat_c})) / {g})))"
        lon_c = f"(-180.0 + (FLOOR(({lon} + 180.0) / {step}) + 0.5) * {step})"
        slat, slon = f"RADIANS({lat_c})", f"RADIANS({lon_c})"
        sql = (
            f"CASE WHEN {lat} IS NULL OR {lon} IS NULL THEN NULL ELSE "
            f"%s * ASIN({least}(1.0, SQRT("
            f"POWER(SIN(({slat} - %s) / 2.0), 2)"
            f" + %s * COS({slat}) * POWER(SIN(({slon} - %s) / 2.0), 2)"
            f"))) END"
        )
        return sql, (2 * EARTH_RADIUS_KM, self.lat1, math.cos(self.lat1), self.lon1)


def distance_expression(*, latitude: float, longitude: float) -> HaversineKm:
    """Haversine km (R = 6371) from the viewer's grid cell to each member's grid cell
    (:func:`grid_cell`), computed in SQL; NULL for members without coordinates (never 0 km).
    The asin argument is clamped to 1, so identical cells give 0 km, never an error. One SQL
    fragment with bound parameters around the two column references: the ORM expression tree
    of the same formula cost more Python time to compile than the query took to run."""
    return HaversineKm(latitude=latitude, longitude=longitude)


class RoundKm(Func):
    """``ROUND(km)``: a distance in whole km, the coarse key the members list orders by and
    its cursor carries (the number a card shows)."""

    function = "ROUND"
    output_field = FloatField()


def distance_rank_expression(*, latitude: float, longitude: float) -> RoundKm:
    """Whole km from the viewer's cell to each member's cell (NULL without coordinates)."""
    return RoundKm(distance_expression(latitude=latitude, longitude=longitude))


def location_q(*, latitude: float, longitude: float, km: float) -> Q:
    """The bounding-box prefilter on ``(latitude, longitude)`` for members within ``km`` of
    the point (see :func:`bounding_boxes`); the exact haversine test comes on top."""
    (lat_min, lat_max), lon_ranges = bounding_boxes(latitude=latitude, longitude=longitude, km=km)
    q = Q(latitude__gte=lat_min, latitude__lte=lat_max)
    if lon_ranges is None:
        return q & Q(longitude__isnull=False)
    lon_q = Q()
    for lo, hi in lon_ranges:
        lon_q |= Q(longitude__gte=lo, longitude__lte=hi)
    return q & lon_q
