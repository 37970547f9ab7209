"""Backprop Explorer's web server: REST API v1, live stream, store, pages."""

__version__ = "0.1.0"
