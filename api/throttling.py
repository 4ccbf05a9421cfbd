"""The API's rate limit: per client address, on the shared cache, like the rest of the site."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.ratelimits import client_ip


class ClientAddressThrottle(SimpleRateThrottle):
    """Everyone is anonymous here, so the address is the only identity. It is read the way the
    site's other limits read it (accounts.ratelimits.client_ip), so a forged X-Forwarded-For buys
    nothing unless TRUSTED_PROXY_COUNT says a proxy wrote it."""

    scope = "api"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
