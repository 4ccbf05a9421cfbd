from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from accounts.mixins import academy_staff_required
from compact.models import Compact

from .models import AuditEvent
from .presenters import describe, sentences

PAGE_SIZE = 100


@academy_staff_required
def compact_events(request, slug):
    compact = get_object_or_404(Compact, slug=slug)
    events = AuditEvent.objects.filter(compact=compact).order_by("-at", "-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    sentences(describe(page.object_list))
    return render(request, "audit/compact_events.html", {"compact": compact, "page": page})
