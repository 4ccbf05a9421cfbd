"""Share links and Open Graph addresses: plain links, no third-party scripts or tracking."""

from urllib.parse import quote, urlencode

from django import template

from core.addresses import absolute

register = template.Library()


def _share_subject(context):
    """What to share: the compact in the context, else the signed one, else this page."""
    compact = context.get("compact")
    signature = context.get("signature")
    if compact is None and signature is not None:
        compact = signature.version.compact
    return compact, signature


@register.simple_tag
def absolute_url(path):
    return absolute(path)


@register.simple_tag(takes_context=True)
def share_links(context):
    """Links for the share block. After signing (a confirmed signature in the context) the text
    says so; otherwise it invites people to read the compact."""
    request = context["request"]
    compact, signature = _share_subject(context)
    url = context.get("share_url") or (compact.get_absolute_url() if compact else request.get_full_path())
    url = absolute(url)
    title = context.get("share_title") or (compact.title if compact else "Leadership Compact")
    if signature is not None and signature.status == "confirmed":
        text = f"I have signed {title}."
    else:
        text = f"{title}: read it and see who has signed."
    return {
        "url": url,
        "title": title,
        "text": text,
        "links": [
            (
                "e-mail",
                "mailto:?" + urlencode({"subject": title, "body": f"{text}\n\n{url}"}, quote_via=quote),
            ),
            (
                "LinkedIn",
                "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}, quote_via=quote),
            ),
            ("X", "https://x.com/intent/tweet?" + urlencode({"text": text, "url": url}, quote_via=quote)),
            (
                "Bluesky",
                "https://bsky.app/intent/compose?" + urlencode({"text": f"{text} {url}"}, quote_via=quote),
            ),
        ],
    }


@register.simple_tag
def signature_badge_path(signature):
    """The address of the badge page for a signature's organisation."""
    from signatories.selectors import badge_path

    return badge_path(compact_slug=signature.version.compact.slug, organisation_id=signature.organisation_id)
