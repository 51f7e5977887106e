"""Package layout that ``pyproject.toml`` cannot express: the data folders as packages.

The repository keeps its data at the top level (``layers/``, ``sources/``,
``notebooks/``); the wheel carries them as the packages ``geo_data.layers``,
``geo_data.sources`` and ``geo_data.notebooks`` (with one
package per subfolder, e.g. ``geo_data.layers.admin``), found at run time by
``geo._data``. Everything else is configured in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
DATA_FOLDERS = {
    "geo_data.layers": "layers",
    "geo_data.sources": "sources",
    "geo_data.notebooks": "notebooks",  # written by `geo init DIR` beside DIR/layers
}
#: File patterns of the data packages: layers, sources, notebooks and their sample data.
DATA_FILES = ["*.yaml", "*.csv", "*.geojson", "*.txt", "*.md", "*.ipynb"]
DATA_FILES += ["*.shp", "*.shx", "*.dbf", "*.prj", "*.cpg"]


def data_packages() -> dict[str, str]:
    """Return each data package and its folder, subfolders included (hidden ones not)."""
    out = {}
    for package, folder in DATA_FOLDERS.items():
        out[package] = folder
        for sub in sorted((HERE / folder).iterdir()):
            if sub.is_dir() and not sub.name.startswith((".", "_")):
                out[f"{package}.{sub.name}"] = f"{folder}/{sub.name}"
    return out


DATA_PACKAGES = data_packages()

setup(
    packages=[*find_packages(include=["geo", "geo.*"]), *DATA_PACKAGES],
    package_dir=DATA_PACKAGES,
    # all package data here: a [tool.setuptools.package-data] table in pyproject.toml
    # would replace this one
    package_data={
        "geo": ["py.typed"],
        **dict.fromkeys(DATA_PACKAGES, DATA_FILES),
    },
)
