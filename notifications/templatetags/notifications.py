from django import template

from notifications import selectors
from notifications.kinds import modes_for

register = template.Library()


@register.inclusion_tag("notifications/_preferences.html", takes_context=True)
def notification_settings(context):
    user = context["request"].user
    return {
        # Each kind with the choices it offers (some are never in a digest).
        "rows": [(kind, label, mode, modes_for(kind)) for kind, label, mode in selectors.settings_for(user)],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context, what, pk):
    request = context["request"]
    following = selectors.is_following(user=request.user, target=selectors.target_key(what, pk))
    return {
        "what": what,
        "pk": pk,
        "following": following,
        "signed_in": request.user.is_authenticated,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
