"""allauth, adjusted: lock-outs per account rather than per shared address, and e-mail that names
the service, repeats nothing a stranger typed, links only to SITE_URL and goes through the outbox."""

import uuid
from types import SimpleNamespace
from urllib.parse import quote, urlparse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from notifications import outbox

from .ratelimits import client_ip

SERVICE_NAME = "Leadership Compact"


class AccountAdapter(DefaultAccountAdapter):
    # --- sign-in lock-outs ------------------------------------------------------------------------
    # allauth counts failed sign-ins per address and per "key". Its key is the account alone; here
    # it is the account *and* the address, so a guesser locks the account out only from where the
    # guessing comes from. NHS staff reach the internet through a few shared addresses, and a
    # lock-out per address (or per account everywhere, at allauth's low number) would let one
    # person at a trust lock everyone else there out. A second, higher limit per account from
    # every address ("login_failed_account") caps guessing spread over many addresses, but by
    # slowing, not locking: past it, one attempt for the account is let through every so often
    # ("login_paced_account"), from wherever it comes. Twenty wrong passwords sent from twenty
    # addresses used to lock a known account out everywhere for an hour; now its owner waits
    # seconds, and a guesser gets a few guesses an hour more, not a lock-out to hand out.

    def _account_key(self, **credentials):
        return (credentials.get("email") or credentials.get("username") or "").strip().lower()

    def _get_login_attempts_cache_key(self, request, **credentials):
        return f"{self._account_key(**credentials)}@{client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        key = self._account_key(**credentials)
        self._account_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed_account", key=key
        ) or ratelimit.consume(request, app="allauth.account", action="login_paced_account", key=key)
        if not self._account_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self):
        # A successful sign-in takes back its own attempt, as allauth does for its key.
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # A password reset (itself limited) lifts the account's lock-out everywhere.
        super()._delete_login_attempts_cached_email(request, **credentials)
        for action in ("login_failed_account", "login_paced_account"):
            ratelimit.clear(
                request, app="allauth.account", action=action, key=self._account_key(**credentials)
            )

    def get_client_ip(self, request):
        # The same address our own limits use: TRUSTED_PROXY_COUNT entries from the right.
        return client_ip(request)

    # --- e-mail -------------------------------------------------------------------------------------
    # Every link in allauth's mail is built from SITE_URL, never from the host the request named:
    # a forged Host header must not turn a password-reset e-mail into a link to someone else's site.

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def send_mail(self, template_prefix, email, context):
        """Every allauth e-mail names the service ("Hello from Leadership Compact"), not the host
        the request happened to reach (which was "127.0.0.1:8203" behind a proxy or in
        development), and goes through the outbox as transactional mail: written now, sent by a
        task before any bulk mail. A password reset for an unknown address takes the same path
        (one outbox row) as one for a known address, so neither answers faster."""
        site = SimpleNamespace(name=SERVICE_NAME, domain=urlparse(settings.SITE_URL).netloc or SERVICE_NAME)
        context = {
            **context,
            "current_site": site,
            "service_name": SERVICE_NAME,
            "site_url": settings.SITE_URL,
        }
        if "signup_url" in context:
            context["signup_url"] = settings.SITE_URL + reverse("account_signup")
        if "password_reset_url" in context and "key" not in context:
            context["password_reset_url"] = settings.SITE_URL + reverse("account_reset_password")
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        user = context.get("user")
        letter = outbox.Letter(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            kind=template_prefix.rsplit("/", 1)[-1],
            to=email,
            user_id=getattr(user, "pk", None),
            rendered=outbox.Rendered(subject=message.subject, text=message.body, html=html),
            urgent=True,
            secret=True,  # a confirmation key or a reset link: not kept once sent
        )
        with transaction.atomic():
            outbox.put(letters=[letter])


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """An organisation account brings the person's name; they add job title and organisation later."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = sociallogin.account.extra_data or {}
        claims = (
            {**claims.get("id_token", {}), **claims.get("userinfo", {})} if "userinfo" in claims else claims
        )
        name = (
            claims.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        ).strip()
        if name and not user.full_name:
            user.full_name = name[:150]
        return user
