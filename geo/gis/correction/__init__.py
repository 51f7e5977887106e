"""Corrections to gazetteer positions, and what they change downstream.

A correction replaces a place's point with a better one supplied by a user (a POI
export, a point dragged on the locate page, a single position typed in). Applying
corrections rewrites ``layers/gazetteer.csv`` in one atomic step, keeping every
other byte of the file: unchanged rows, the column order, the ``within`` column and
any column this toolkit does not know. A place that was only anchored
(``APPROXIMATE``) loses that note; other approximate places anchored at the same
point move with it, their accuracy recomputed from the new anchor's.

Before anything is written, the layers are loaded and the derived zones and the
claims' verdicts computed twice in memory, with the old and the new gazetteer, so
the command can say what the correction changes downstream.

:func:`fix_positions` is the one function that reads, changes and writes the file;
the other functions work on data in memory, except :func:`load_state`, which reads
the layers.
"""

from __future__ import annotations

from geo.gis.correction.changes import (
    corrected_rows,
    corrections_from_review,
    position_correction,
)
from geo.gis.correction.downstream import (
    compare_states,
    load_state,
)
from geo.gis.correction.records import (
    AREA_CHANGE_KM2,
    BACKUP_DIR,
    Correction,
    Downstream,
    FixResult,
    RowChange,
    State,
    datum_cell,
)
from geo.gis.correction.text import (
    gazetteer_from_text,
    parse_gazetteer_text,
    render_gazetteer_text,
)
from geo.gis.correction.writing import (
    fix_positions,
)

__all__ = [
    "AREA_CHANGE_KM2",
    "BACKUP_DIR",
    "Correction",
    "Downstream",
    "FixResult",
    "RowChange",
    "State",
    "compare_states",
    "corrected_rows",
    "corrections_from_review",
    "datum_cell",
    "fix_positions",
    "gazetteer_from_text",
    "load_state",
    "parse_gazetteer_text",
    "position_correction",
    "render_gazetteer_text",
]
