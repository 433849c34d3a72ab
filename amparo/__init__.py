"""Amparo: evidence, triage and case management for human rights defenders under online attack."""

__version__ = "0.1.0"
