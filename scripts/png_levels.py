"""Time writing the print PNGs at each zlib level: CPU seconds per print and size.

Draws the first three figures at A4, 300 dpi, renders each once, then encodes the
same pixels at each level (PNG is lossless: every level gives the same image) and
prints the median CPU time per print over several rounds, and the mean size.

    PYTHONPATH=. .venv/bin/python scripts/png_levels.py [ROUNDS]
"""

from __future__ import annotations

import io
import statistics
import sys
import time

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from geo.figures.specs import all_specs
from geo.printing import Page
from geo.printing.figure import draw_figure
from geo.printing.fonts import cjk_family, rc_params
from geo.project import Project

LEVELS = (1, 2, 3, 4, 6, 9)
DPI = 300.0


def rasters(count: int = 3) -> list[Image.Image]:
    """Return the first ``count`` figures rendered at :data:`DPI` as RGBA images."""
    project = Project()
    catalog, layers = project.catalog, project.layers(within_limits=True)
    page, images = Page(), []
    for spec in list(all_specs(catalog))[:count]:
        fig = draw_figure(spec, layers, catalog, page, project.gazetteer)
        with rc_context(rc_params(cjk_family())):
            fig.set_size_inches(page.raster_size_in(DPI))
            fig.set_dpi(DPI)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            size = canvas.get_width_height()
            images.append(Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1))
    return images


def main(rounds: int = 5) -> None:
    """Print, per zlib level, the median CPU seconds per print and the mean megabytes."""
    images = rasters()
    for level in LEVELS:
        times, size = [], 0
        for _ in range(rounds):
            started, size = time.process_time(), 0
            for image in images:
                buf = io.BytesIO()
                image.save(buf, format="png", compress_level=level)
                size += len(buf.getvalue())
            times.append(time.process_time() - started)
        per_print = statistics.median(times) / len(images)
        print(f"level {level}: {per_print:.3f} s CPU per print, {size / len(images) / 1e6:.2f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
