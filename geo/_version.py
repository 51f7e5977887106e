"""The toolkit's version (read by ``pyproject.toml``; shown as ``geo.__version__``)."""

__version__ = "0.1.0"
