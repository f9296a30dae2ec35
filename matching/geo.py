"""Moved to :mod:`miel.geo` (issue 14: the geometry is shared by profiles and matching, so it
sits in the bottom layer). Kept only as a re-export for ``bench/`` (``from matching import
geo``); import ``miel.geo`` everywhere else, and drop this once bench does."""

from miel.geo import (
    EARTH_RADIUS_KM,
    GRID_DEGREES,
    GRID_KM,
    KM_PER_DEGREE,
    HaversineKm,
    RoundKm,
    bounding_boxes,
    distance_expression,
    distance_rank_expression,
    grid_cell,
    grid_distance_from,
    grid_distance_km,
    haversine_km,
    location_q,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "GRID_DEGREES",
    "GRID_KM",
    "KM_PER_DEGREE",
    "HaversineKm",
    "RoundKm",
    "bounding_boxes",
    "distance_expression",
    "distance_rank_expression",
    "grid_cell",
    "grid_distance_from",
    "grid_distance_km",
    "haversine_km",
    "location_q",
]
