"""modelhub: turn a folder of model cards into a verified, searchable static catalog."""

__version__ = "0.1.0"
