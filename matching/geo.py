"""Distance search in SQL (SPEC §5, §16): haversine on a ~1 km grid, computed by the database
behind a bounding-box prefilter on ``(latitude, longitude)``, correct across the 180° meridian
and at the poles."""

from __future__ import annotations

import math

from django.db.models import F, FloatField, Func, Q

EARTH_RADIUS_KM = 6371.0
#: Degrees of latitude per km on the sphere of radius EARTH_RADIUS_KM.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
#: Coordinates are snapped to this many decimals (0.01° ≈ 1.1 km) before any distance is
#: computed for display or filtering, so repeated queries cannot trilaterate anyone (SPEC §5).
GRID_DECIMALS = 2
#: The bounding box is widened by this much (degrees) so snapping never drops a member whose
#: snapped position is inside the radius while the raw one is just outside.
GRID_MARGIN_DEGREES = 0.01


def snap_coordinate(value: float) -> float:
    """Snap a coordinate to the ~1 km grid used for every shown distance."""
    return round(value, GRID_DECIMALS)


def bounding_boxes(
    *, latitude: float, longitude: float, km: float
) -> tuple[tuple[float, float], list[tuple[float, float]] | None]:
    """Latitude range and longitude ranges that contain every point within ``km`` (SPEC §5).

    Returns ``((lat_min, lat_max), lon_ranges)``; ``lon_ranges`` is None when every longitude
    qualifies (the circle reaches a pole or spans the globe). A range crossing the 180°
    meridian is split in two. Widened by :data:`GRID_MARGIN_DEGREES` for the grid snapping.
    """
    dlat = km / KM_PER_DEGREE + GRID_MARGIN_DEGREES
    lat_min, lat_max = latitude - dlat, latitude + dlat
    if lat_min <= -90 or lat_max >= 90:
        return (max(lat_min, -90.0), min(lat_max, 90.0)), None
    angular = km / EARTH_RADIUS_KM
    ratio = math.sin(angular) / math.cos(math.radians(latitude))
    if angular >= math.pi / 2 or ratio >= 1:
        return (lat_min, lat_max), None
    dlon = math.degrees(math.asin(ratio)) + GRID_MARGIN_DEGREES
    if dlon >= 180:
        return (lat_min, lat_max), None
    lon_min, lon_max = longitude - dlon, longitude + dlon
    if lon_min < -180:
        return (lat_min, lat_max), [(lon_min + 360, 180.0), (-180.0, lon_max)]
    if lon_max > 180:
        return (lat_min, lat_max), [(lon_min, 180.0), (-180.0, lon_max - 360)]
    return (lat_min, lat_max), [(lon_min, lon_max)]


class HaversineKm(Func):
    """Haversine km (R = 6371) from a fixed point to the row's snapped coordinates; see
    :func:`distance_expression`. The member's two columns are compiled as expressions, so the
    SQL names whatever alias the table has (a subquery's too)."""

    output_field = FloatField()

    def __init__(self, *, latitude: float, longitude: float) -> None:
        super().__init__(F("latitude"), F("longitude"))
        self.lat1 = math.radians(snap_coordinate(latitude))
        self.lon1 = math.radians(snap_coordinate(longitude))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def, override]
        (lat, lat_params), (lon, lon_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if lat_params or lon_params:  # plain columns carry no parameters
            raise ValueError("HaversineKm needs column references")
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        scale = float(10**GRID_DECIMALS)
        slat = f"RADIANS(ROUND({lat} * {scale}) / {scale})"
        slon = f"RADIANS(ROUND({lon} * {scale}) / {scale})"
        sql = (
            f"CASE WHEN {lat} IS NULL OR {lon} IS NULL THEN NULL ELSE "
            f"%s * ASIN({least}(1.0, SQRT("
            f"POWER(SIN(({slat} - %s) / 2.0), 2)"
            f" + %s * COS({slat}) * POWER(SIN(({slon} - %s) / 2.0), 2)"
            f"))) END"
        )
        return sql, (2 * EARTH_RADIUS_KM, self.lat1, math.cos(self.lat1), self.lon1)


def distance_expression(*, latitude: float, longitude: float) -> HaversineKm:
    """Haversine km (R = 6371) from the viewer's snapped point to each member's snapped
    coordinates (ROUND(x * 100) / 100), computed in SQL; NULL for members without coordinates
    (never 0 km). The asin argument is clamped to 1, so identical points give 0 km, never an
    error. One SQL fragment with bound parameters around the two column references: the ORM
    expression tree of the same formula cost more Python time to compile than the query took
    to run."""
    return HaversineKm(latitude=latitude, longitude=longitude)


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
