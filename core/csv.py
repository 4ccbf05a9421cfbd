"""Writing CSV that people open in spreadsheet programs."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell's text, made inert: spreadsheet programs run cells that start with these characters
    as formulas, so such a cell gets a leading apostrophe. None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
