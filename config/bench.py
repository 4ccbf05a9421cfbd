"""The benchmark's yardsticks (only when BENCHMARK_VIEWS is on, which only `make bench` sets): the
least a page or a write can cost here, through the same middleware as every page."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_POST

from audit.models import AuditEvent


def minimal(request):
    """A small fixed response: what every page pays before it does anything of its own."""
    return HttpResponse("ok")


@login_required
@require_POST
def minimal_write(request):
    """A signed-in POST that writes one row in its own transaction, committed before the answer,
    and redirects: what every write pays before its own rules and reads. (An audit row: a table
    every deployment has, appended to and never changed; the benchmark's database is dropped.)"""
    with transaction.atomic():
        AuditEvent.objects.create(action="benchmark write", actor=request.user, actor_label="benchmark")
    return HttpResponseRedirect("/bench/minimal")
