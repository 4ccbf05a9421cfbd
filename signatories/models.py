"""Organisations and signatures (see DESIGN.md)."""
