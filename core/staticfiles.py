"""Static file storages that work out each file's address once per process.

A page asks `{% static %}` for the same handful of files on every render (the stylesheet, the
script, the logo and icons), and the storage worked each address out afresh: joining the base
address, quoting the path and, in production, looking up the file's hashed name in the manifest.
That was a sixth of rendering the signature confirmation page. The files and the manifest do not
change while a process runs (a deploy starts new processes), so each address is kept after its
first use.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _RemembersAddresses:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, *args, **kwargs):
        if args or kwargs:  # force= and the like: as the storage would
            return super().url(name, *args, **kwargs)
        address = self._addresses.get(name)
        if address is None:
            # A missing file raises here, as before, and is not remembered.
            address = self._addresses[name] = super().url(name)
        return address


class StaticStorage(_RemembersAddresses, StaticFilesStorage):
    """Development and tests: files served from where they are."""


class ManifestStaticStorage(_RemembersAddresses, CompressedManifestStaticFilesStorage):
    """Production: hashed names from the manifest, compressed copies served by WhiteNoise."""
