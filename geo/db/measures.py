"""The measures run as PostGIS SQL: overlaps, nearest / k nearest / within, zones.

:class:`PostGISMeasures` answers as :mod:`geo.measure` does (same functions, same
columns), so ``geo overlap``, ``geo near`` and ``geo zones`` given ``--db`` print
the same tables. The layers are those the project loaded (points placed from the
gazetteer, derived layers computed), copied into temporary tables of one session
(dropped at its end; nothing is written to the project). As in memory, distances,
intersections and memberships are computed in EPSG:4544 (``ST_Transform``, GiST
index on the projected shapes, the k nearest by the ``<->`` operator); areas and
lengths are geodesic (``ST_Area`` / ``ST_Length`` of ``geography``, on the WGS-84
spheroid).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from geo.data.crs import METRIC_CRS
from geo.db.connection import transaction

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["PostGISMeasures"]

_SRID = int(str(METRIC_CRS).split(":")[-1])

_OVERLAPS = """
SELECT a.key AS a, b.key AS b,
       CASE WHEN ST_CoveredBy(a.g, b.g) THEN ST_Area(geography(a.geom))
            ELSE ST_Area(geography(ST_Transform(ST_Intersection(a.g, b.g), 4326))) END
           AS overlap_m2,
       ST_Area(geography(a.geom)) AS area_a, ST_Area(geography(b.geom)) AS area_b,
       ST_AsBinary(CASE WHEN ST_CoveredBy(a.g, b.g) THEN a.geom
                        ELSE ST_Transform(ST_Intersection(a.g, b.g), 4326) END) AS wkb
FROM geo_a a JOIN geo_b b ON ST_Intersects(a.g, b.g)
ORDER BY a.fid, b.fid
"""

_NEAREST = """
SELECT a.key AS a, n.key AS b, n.rank, n.dist_m
FROM geo_a a CROSS JOIN LATERAL (
    SELECT b.key, ST_Distance(a.g, b.g) AS dist_m,
           row_number() OVER (ORDER BY a.g <-> b.g, b.fid) AS rank
    FROM geo_b b
    WHERE NOT (%(alone)s AND b.key = a.key)
      AND (%(max)s::float8 IS NULL OR ST_DWithin(a.g, b.g, %(max)s::float8))
    ORDER BY a.g <-> b.g, b.fid LIMIT %(k)s) n
ORDER BY a.fid, n.rank
"""

_WITHIN = """
SELECT a.key AS a, b.key AS b, ST_Distance(a.g, b.g) AS dist_m
FROM geo_a a JOIN geo_b b ON ST_DWithin(a.g, b.g, %(d)s)
WHERE NOT (%(alone)s AND b.key = a.key)
ORDER BY a.fid, dist_m, b.fid
"""

_ZONES = """
SELECT f.key AS feature, z.key AS zone,
       CASE ST_Dimension(f.g)
           WHEN 0 THEN 1.0
           WHEN 2 THEN ST_Area(geography(ST_Transform(ST_Intersection(f.g, z.g), 4326)))
                       / nullif(ST_Area(geography(f.geom)), 0)
           ELSE ST_Length(geography(ST_Transform(ST_Intersection(f.g, z.g), 4326)))
                / nullif(ST_Length(geography(f.geom)), 0) END AS share,
       ST_Intersects(f.g, ST_Boundary(z.g)) AS on_boundary
FROM geo_a f JOIN geo_b z ON ST_Intersects(f.g, z.g)
ORDER BY f.fid, z.fid
"""


class PostGISMeasures:
    """The functions of :mod:`geo.measure` that ``geo.measure.queries`` calls, in SQL.

    Parameters
    ----------
    dsn
        The database that runs them (it needs PostGIS, not the project's tables).
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    @contextmanager
    def _loaded(self, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> Iterator[Any]:
        """Yield a connection holding ``a`` and ``b`` as temporary tables."""
        with transaction(self.dsn, "geo measure", "measure") as conn:
            for name, gdf in (("geo_a", a), ("geo_b", b)):
                _temp_table(conn, name, gdf)
            yield conn

    def _frame(self, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, query: str, **params: Any) -> Any:
        import pandas as pd

        with self._loaded(a, b) as conn:
            cur = conn.execute(query, params or None)
            names = [d.name for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=names)

    def overlaps(self, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return every overlapping pair, as :func:`geo.measure.overlaps` does."""
        import geopandas as gpd
        import numpy as np
        import shapely

        frame = self._frame(a, b, _OVERLAPS)
        frame = frame[frame["overlap_m2"] > 0].reset_index(drop=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["share_of_a"] = frame["overlap_m2"] / frame["area_a"]
            frame["share_of_b"] = frame["overlap_m2"] / frame["area_b"]
        geoms = shapely.from_wkb([bytes(w) for w in frame["wkb"]])
        cols = ["a", "b", "overlap_m2", "share_of_a", "share_of_b"]
        return gpd.GeoDataFrame(frame[cols], geometry=list(geoms), crs=4326)

    def k_nearest(
        self,
        a: gpd.GeoDataFrame,
        b: gpd.GeoDataFrame,
        k: int,
        max_distance_m: float | None = None,
        exclude_self: bool = False,
    ) -> pd.DataFrame:
        """Return the ``k`` nearest of B for each of A (``a, b, rank, dist_m``)."""
        frame = self._frame(a, b, _NEAREST, k=int(k), max=max_distance_m, alone=bool(exclude_self))
        return frame.astype({"rank": int, "dist_m": float})[["a", "b", "rank", "dist_m"]]

    def nearest(
        self, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, exclude_self: bool = False
    ) -> pd.DataFrame:
        """Return the nearest of B for each of A, indexed like A (``b``, ``dist_m``)."""
        import pandas as pd

        found = self.k_nearest(a, b, 1, exclude_self=exclude_self).set_index("a")
        out = pd.DataFrame(index=a.index)
        out["b"] = found["b"].reindex(out.index).astype(object)
        out["dist_m"] = found["dist_m"].reindex(out.index).astype(float)
        return out

    def within_distance(
        self,
        a: gpd.GeoDataFrame,
        b: gpd.GeoDataFrame,
        distance_m: float,
        exclude_self: bool = False,
    ) -> pd.DataFrame:
        """Return every pair at most ``distance_m`` apart (``a, b, dist_m``)."""
        frame = self._frame(a, b, _WITHIN, d=float(distance_m), alone=bool(exclude_self))
        return frame.astype({"dist_m": float})

    def zones_for(
        self, features: gpd.GeoDataFrame, zone_layers: Mapping[str, gpd.GeoDataFrame]
    ) -> pd.DataFrame:
        """Return the zonal membership in several zone layers (as ``geo.measure``)."""
        import pandas as pd

        cols = ["layer", "feature", "zone", "share", "on_boundary"]
        parts = []
        for name, zones in zone_layers.items():
            frame = self._frame(features, zones, _ZONES)
            frame = frame[frame["share"].astype(float) > 0].assign(layer=name)
            parts.append(frame.astype({"share": float, "on_boundary": bool}))
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True)[cols]


def _temp_table(conn: Any, name: str, gdf: gpd.GeoDataFrame) -> None:
    """Copy a layer into a temporary table: row order, key, shape and its EPSG:4544 form."""
    import shapely
    from psycopg import sql

    ident = sql.Identifier(name)
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} (fid integer, key text, geom geometry(Geometry, 4326)) "
            "ON COMMIT DROP"
        ).format(ident)
    )
    wkb = shapely.to_wkb(gdf.geometry.to_crs(4326).values)
    rows = [(i, str(k), w) for i, (k, w) in enumerate(zip(gdf.index, wkb, strict=True))]
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL("INSERT INTO {} VALUES (%s, %s, ST_GeomFromWKB(%s, 4326))").format(ident),
            rows,
        )
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN g geometry; UPDATE {} SET g = ST_Transform(geom, {})"
        ).format(ident, ident, sql.Literal(_SRID))
    )
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (g)").format(ident))
    conn.execute(sql.SQL("ANALYZE {}").format(ident))
