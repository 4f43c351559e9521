"""Jinja templates for generated SDK modules (package data, found through importlib.resources)."""
