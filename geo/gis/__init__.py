"""geo.gis."""
