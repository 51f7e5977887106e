"""geo.site."""
