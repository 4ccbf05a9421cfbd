"""What a PDF part's worker process runs (see compact.pdf._render_in_parts).

Imports nothing from Django at module level: a spawned worker unpickles these functions by
importing this module before Django is set up.
"""

import os


def start():
    # The static-only URL fetcher finds files through Django's staticfiles finders.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # here, not at the top: only the worker process sets Django up, after choosing its settings.
    import django

    django.setup()


def render_part(html):
    """One part's PDF bytes, and how many of its pages precede the signatories."""
    # here, not at the top: the parent process need not import WeasyPrint to import this module.
    from weasyprint import HTML

    # here, not at the top: a spawned worker imports this module before Django is set up (see start).
    from compact import pdf

    document = HTML(string=html, base_url="https://app.invalid/", url_fetcher=pdf._fetcher()).render()
    return document.write_pdf(custom_metadata=True), pdf._compact_page_count(document)
