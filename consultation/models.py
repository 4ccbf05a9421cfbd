"""Rounds, proposals, votes, comments and results (see DESIGN.md)."""
