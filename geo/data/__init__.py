"""geo.data."""
