"""mfgkb: a command-line knowledge base for advanced manufacturing."""

__version__ = "0.1.0"
