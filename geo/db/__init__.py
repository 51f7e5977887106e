"""The PostGIS store: a project kept in PostgreSQL for several editors at once.

:mod:`geo.db.connection` (DSN, password kept out of messages, one-line errors),
:mod:`geo.db.codec` (files as rows and back), :mod:`geo.db.schema` (names, init,
version triggers, QGIS styles), :mod:`geo.db.store` (push in one transaction,
pull), :mod:`geo.db.snapshot` (the folder a DSN is read through),
:mod:`geo.db.edits` (versioned edits: a stale edit is refused) and
:mod:`geo.db.measures` (overlaps, nearest and zones as PostGIS SQL). psycopg,
SQLAlchemy and GeoAlchemy2 are imported only when a database is used.
"""
