"""geo.figures."""
