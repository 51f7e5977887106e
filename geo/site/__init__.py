"""``geo site`` / ``make maps``: the whole site built in one process, incrementally.

Floor 9 (README, "Architecture"). :mod:`~geo.site.build` runs the steps of
:mod:`~geo.site.steps` and reuses every output whose inputs are unchanged, as recorded
by :mod:`~geo.site.cache` in ``site/.build-manifest.json``;
:mod:`~geo.site.report_files` writes the measurement report's files.
"""
