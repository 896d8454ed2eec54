"""Aigak: documentation system for human rights violations."""

__version__ = "0.1.0"
