"""The claims ledger and its checks.

``layers/claims.csv`` lists every quantitative statement the plan and the four news
reports make about a named place (areas, lengths, project counts, investment).
This package resolves place names, runs the registered checks on the ledger and
gives each claim one verdict with its reason:

``consistent``
    a second source, the members' own claims, the footprint or the plan's own
    arithmetic agrees with the figure;
``conflict``
    they disagree beyond what rounding and stated accuracy allow;
``unsubstantiated``
    the evidence the documents give falls short of the figure (e.g. a cluster said
    to exceed 60 万 m² whose named members add up to 57 万 m²), or a plan target
    that a later report says was only partly reached;
``cannot verify``
    nothing independent to test the figure against (single source, point or
    schematic geometry, unknown place).

Modules: :mod:`~geo.claims.ledger` (the file), :mod:`~geo.claims.intervals`
(what a written figure allows), :mod:`~geo.claims.places` (place names),
:mod:`~geo.claims.registry` (the checks' registry and :func:`run_checks`),
:mod:`~geo.claims.checks_documents` and :mod:`~geo.claims.checks_map` (the
checks), :mod:`~geo.claims.verdicts`, :mod:`~geo.claims.linking` (``feature_id``),
:mod:`~geo.claims.context` (the checks' inputs) and :mod:`~geo.claims.outputs`
(:func:`write_outputs`, the one writer of the claims pages and reports).
"""

from __future__ import annotations

from geo.claims.checks_documents import (
    PLOT_RATIO_RANGES,
    check_aggregate,
    check_arithmetic,
    check_cross_source,
    check_plausibility,
    default_members,
    site_kind,
)
from geo.claims.checks_map import check_containment, check_geometry
from geo.claims.context import ClaimsContext, context_from_layers, judge, load_context
from geo.claims.intervals import claim_interval
from geo.claims.ledger import METRIC_LABELS, ledger_path, ledger_text, read_ledger, write_ledger
from geo.claims.linking import link_features, link_ledger, relink_ledger
from geo.claims.outputs import write_outputs
from geo.claims.places import (
    ZONE_PREFIXES,
    alias_collisions,
    gazetteer_resolver,
    layer_records,
    normalise_place,
    place_resolver,
)
from geo.claims.registry import CHECK_REGISTRY, CheckRule, ordered_rules, register_check, run_checks
from geo.claims.verdicts import VERDICTS, summarise, summary_markdown, verdicts

__all__ = [
    "CHECKS",
    "CHECK_REGISTRY",
    "METRIC_LABELS",
    "PLOT_RATIO_RANGES",
    "VERDICTS",
    "ZONE_PREFIXES",
    "CheckRule",
    "ClaimsContext",
    "alias_collisions",
    "check_aggregate",
    "check_arithmetic",
    "check_containment",
    "check_cross_source",
    "check_geometry",
    "check_plausibility",
    "claim_interval",
    "context_from_layers",
    "default_members",
    "gazetteer_resolver",
    "judge",
    "layer_records",
    "ledger_path",
    "ledger_text",
    "link_features",
    "link_ledger",
    "load_context",
    "normalise_place",
    "place_resolver",
    "read_ledger",
    "register_check",
    "relink_ledger",
    "run_checks",
    "site_kind",
    "summarise",
    "summary_markdown",
    "verdicts",
    "write_ledger",
    "write_outputs",
]

#: Names of the built-in checks, in the order they run (:data:`CHECK_REGISTRY`
#: holds them and any registered later).
CHECKS: tuple[str, ...] = tuple(rule.name for rule in ordered_rules())
