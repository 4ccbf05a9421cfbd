"""Importing and exporting a whole compact as a plain-text outline (docs/compact-format.md)."""

from .build import ImportRefused, import_compact, preview, target_problems
from .export import serialise
from .parse import COMMITMENT_LIMIT, Problem, parse

__all__ = [
    "COMMITMENT_LIMIT",
    "ImportRefused",
    "Problem",
    "import_compact",
    "parse",
    "preview",
    "serialise",
    "target_problems",
]
