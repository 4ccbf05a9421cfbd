"""Signing pages: sign, confirm from the e-mail, your signature, withdraw, and the public list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.mixins import academy_staff_required
from accounts.ratelimits import client_ip, rate_limited
from compact.caching import visitor_page
from compact.errors import DomainError
from compact.models import Compact, Version
from core.csv import csv_download

from . import presenters, selectors, services
from .forms import ReasonForm, SignForm, WithdrawForm
from .models import Organisation, Signature
from .normalise import lookalike_letters

PAGE_SIZE = 50


def _published(slug):
    compact = get_object_or_404(Compact, slug=slug)
    version = compact.versions.published().first()
    if version is None:
        raise Http404("This compact has no published version to sign.")
    return compact, version


@login_required
@rate_limited("sign")
def sign(request, slug):
    compact, version = _published(slug)
    sign_page = presenters.sign_page(user=request.user, version=version)
    existing = sign_page.existing
    form = SignForm(request.POST or None, initial=sign_page.initial, organisations=sign_page.organisations)
    status = 200
    if request.method == "POST" and existing is None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            organisation = new_organisation = None
            if data["on_behalf"] == "organisation":
                organisation = data["existing_organisation"]
                if organisation is None:
                    new_organisation = {
                        "name": data["organisation_name"],
                        "kind": data["organisation_kind"],
                        "ods_code": data["ods_code"],
                        "region": data["region"],
                    }
            try:
                signature = services.sign(
                    actor=request.user,
                    version=version,
                    full_name=data["full_name"],
                    role=data["role"],
                    consent=data["consent"],
                    organisation=organisation,
                    new_organisation=new_organisation,
                    client_address=client_ip(request),
                )
            except services.AlreadySigned as error:
                existing = error.signature
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if signature.organisation_id:
                    after = (
                        f"It then waits until {signature.organisation.name} is verified for you, "
                        "and shows and counts as the organisation's from then."
                    )
                else:
                    after = "It shows once confirmed."
                # Not a success yet: an instruction (inset text), not a green "Success" banner.
                messages.info(
                    request,
                    f"Check your e-mail ({request.user.email}) and confirm your signature. {after}",
                )
                return redirect("signatories:signature", pk=signature.pk)
    elif request.method == "POST":
        status = 400  # signed already: nothing saved, the page says when and links the receipt
    context = {
        "compact": compact,
        "version": version,
        "earlier": sign_page.earlier,
        "form": form,
        "existing": existing,
        "own_existing": existing is not None and existing.signer_id == request.user.pk,
        "verified": sign_page.verified,
    }
    return render(request, "signatories/sign.html", context, status=status)


def organisation_lookup(request):
    """Look-up as you type on the sign page (JSON); the page works the same without it."""
    return JsonResponse({"organisations": selectors.organisation_lookup(request.GET.get("q", ""))})


def _link_problem(request, error):
    # An expired link names its signature, whose page offers a new e-mail; an unknown or used
    # one names nothing, so a guessed link learns nothing about anyone.
    context = {"problem": error.message, "signature": getattr(error, "signature", None)}
    return render(request, "signatories/confirm_problem.html", context, status=410)


def confirm(request, token):
    """GET shows what will be confirmed and changes nothing; the button POSTs."""
    try:
        if request.method == "POST":
            signature = services.confirm(token=token)
            return render(request, "signatories/confirmed.html", {"signature": signature})
        signature = services.signature_for_token(token=token)
    except DomainError as error:
        return _link_problem(request, error)
    return render(request, "signatories/confirm.html", {"signature": signature})


@login_required
def signature_detail(request, pk):
    """The signatory's own receipt: what they signed (with its hash), its status, what they can do."""
    signature = get_object_or_404(
        Signature.objects.select_related("version__compact", "organisation"), pk=pk, signer=request.user
    )
    return render(request, "signatories/signature.html", {"signature": signature})


@login_required
@rate_limited("resend")
@require_POST
def resend(request, pk):
    signature = get_object_or_404(Signature, pk=pk, signer=request.user)
    try:
        services.resend_confirmation(actor=request.user, signature=signature)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "We have sent the confirmation e-mail again.")
    return redirect("signatories:signature", pk=signature.pk)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    """Withdrawing cannot be undone (the person would sign again), so it is never one click: the
    receipt links here, this page asks for an optional reason and a confirmation, and only a
    POST that says so withdraws. Works without JavaScript."""
    signature = get_object_or_404(
        Signature.objects.select_related("version__compact"), pk=pk, signer=request.user
    )
    if request.method == "GET":
        return _withdraw_page(request, signature, WithdrawForm())
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _withdraw_page(request, signature, form, status=400)
    if request.POST.get("confirmed") != "yes":
        # A POST from an old receipt page (or a crafted one) still only reaches the question.
        return _withdraw_page(request, signature, form)
    try:
        services.withdraw(actor=request.user, signature=signature, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your signature is withdrawn. It no longer shows or counts.")
    return redirect("signatories:signature", pk=signature.pk)


def _withdraw_page(request, signature, form, status=200):
    context = {"signature": signature, "version": signature.version, "form": form}
    return render(request, "signatories/withdraw.html", context, status=status)


def _version(slug, number):
    version = get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)
    if version.status not in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED):
        raise Http404("No such published version.")
    return version


@visitor_page("signatories", params=("page",))
def signatory_list(request, slug, number):
    version = _version(slug, number)
    query = selectors.clean_query(query=request.GET.get("q", ""))
    page = Paginator(selectors.public_signatures(version, query), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.public_counts(version)
    context = {
        "version": version,
        "compact": version.compact,
        "page": page,
        "query": query,
        "counts": counts,
        "by_region": presenters.signatures_by_region(version=version, by_region=counts["by_region"]),
    }
    return render(request, "signatories/list.html", context)


def signatory_csv(request, slug, number):
    """What the public list shows, as CSV."""
    version = _version(slug, number)
    return csv_download(
        filename=f"{version.compact.slug}-v{version.number}-signatories.csv",
        header=["name", "role", "organisation", "organisation kind", "region", "signed on", "content hash"],
        rows=_public_rows(version),
    )


def _public_rows(version):
    for s in selectors.public_signatures(version).iterator(chunk_size=2000):
        org = s.organisation
        yield (
            s.full_name,
            s.role,
            org.name if org else "",
            org.get_kind_display() if org else "",
            org.get_region_display() if org else "",
            s.confirmed_at.date().isoformat(),
            s.content_hash,
        )


# --- Staff -----------------------------------------------------------------------------------------
@academy_staff_required
def staff_signatures(request, slug, number):
    version = get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)
    query = selectors.clean_query(query=request.GET.get("q", ""))
    signatures = selectors.public_filter(
        queryset=Signature.objects.filter(version=version).select_related("organisation", "signer"),
        query=query,
    ).order_by("-created_at")
    page = Paginator(signatures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "signatories/staff/signatures.html",
        {"version": version, "compact": version.compact, "page": page, "query": query, "form": ReasonForm()},
    )


@academy_staff_required
def staff_signatures_csv(request, slug, number):
    version = get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)
    return csv_download(
        filename=f"{version.compact.slug}-v{version.number}-all-signatures.csv",
        header=[
            "id",
            "name",
            "role",
            "e-mail",
            "organisation",
            "ods code",
            "verified organisation",
            "verified for this signer",
            "status",
            "signed at",
            "confirmed at",
            "withdrawn at",
            "withdrawal reason",
            "hidden reason",
            "content hash",
        ],
        rows=_staff_rows(version),
    )


def _staff_rows(version):
    rows = Signature.objects.filter(version=version).select_related("organisation", "signer").order_by("id")
    for s in rows.iterator(chunk_size=2000):
        org = s.organisation
        yield (
            s.pk,
            s.full_name,
            s.role,
            s.signer.email if s.signer else "",
            org.name if org else "",
            org.ods_code if org else "",
            bool(org and org.is_verified),
            s.get_organisation_verified_how_display() if s.organisation_verified_at else "",
            s.status,
            s.created_at.isoformat(),
            s.confirmed_at.isoformat() if s.confirmed_at else "",
            s.withdrawn_at.isoformat() if s.withdrawn_at else "",
            s.withdrawal_reason,
            s.hidden_reason,
            s.content_hash,
        )


STAFF_ACTIONS = {
    "hide": lambda request, signature: (
        services.hide_signature(
            actor=request.user, signature=signature, reason=request.POST.get("reason", "")
        ),
        f"Hid the signature of {signature.full_name}.",
    ),
    "restore": lambda request, signature: (
        services.restore_signature(actor=request.user, signature=signature),
        f"Restored the signature of {signature.full_name}.",
    ),
    "approve": lambda request, signature: (
        services.approve_organisation_signature(actor=request.user, signature=signature),
        f"{signature.full_name} is verified for {signature.organisation}; the signature now counts.",
    ),
    "release": lambda request, signature: (
        services.release_signature(actor=request.user, signature=signature),
        f"Released the signature of {signature.full_name}; it counts once confirmed.",
    ),
    "reject": lambda request, signature: (
        services.reject_held_signature(
            actor=request.user, signature=signature, reason=request.POST.get("reason", "")
        ),
        f"Rejected the held signature of {signature.full_name}.",
    ),
    "reviewed": lambda request, signature: (
        services.mark_reviewed(actor=request.user, signature=signature),
        f"Marked the signature of {signature.full_name} as reviewed.",
    ),
}


@academy_staff_required
@require_POST
def staff_moderate_signature(request, pk, action):
    signature = get_object_or_404(Signature.objects.select_related("version__compact", "organisation"), pk=pk)
    if action not in STAFF_ACTIONS:
        raise Http404("No such action.")
    try:
        _, message = STAFF_ACTIONS[action](request, signature)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    if request.POST.get("back") == "queue":
        return redirect("signatories:staff_queue")
    version = signature.version
    return redirect("signatories:staff_signatures", slug=version.compact.slug, number=version.number)


def _warn_of_lookalikes(organisations):
    """Each organisation shown to staff carries its look-alikes, for the warning beside it."""
    found = selectors.lookalikes_of(organisations)
    for organisation in organisations:
        organisation.lookalikes = found.get(organisation.pk, [])
        organisation.lookalike_letters = (
            lookalike_letters(organisation.name) if organisation.lookalikes else []
        )


@academy_staff_required
def staff_queue(request):
    """Signatures held as part of a burst, those awaiting their organisation's verification, and
    those the fraud signals flagged."""
    awaiting, flagged = selectors.staff_review_queue()
    awaiting_page = Paginator(awaiting, PAGE_SIZE).get_page(request.GET.get("page"))
    _warn_of_lookalikes([s.organisation for s in awaiting_page if s.organisation is not None])
    return render(
        request,
        "signatories/staff/queue.html",
        {
            "held": Paginator(selectors.held_signatures(), PAGE_SIZE).get_page(request.GET.get("held")),
            "awaiting": awaiting_page,
            "flagged": Paginator(flagged, PAGE_SIZE).get_page(
                1
            ),  # the most recent; marking them brings the rest up
        },
    )


def _organisations_page(request, *, status=200, problem=None, domains_form=None):
    query = selectors.clean_query(query=request.GET.get("q", ""))
    organisations = Organisation.objects.order_by("name")
    if query:
        organisations = organisations.filter(name__icontains=query) | organisations.filter(
            ods_code__iexact=query
        )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    _warn_of_lookalikes(page)
    context = {"page": page, "query": query, "problem": problem, "domains_form": domains_form or {}}
    return render(request, "signatories/staff/organisations.html", context, status=status)


@academy_staff_required
def staff_organisations(request):
    if request.method != "POST":
        return _organisations_page(request)
    chosen = request.POST.get("organisation", "")
    organisation = (
        Organisation.objects.filter(pk=int(chosen)).first() if chosen.isascii() and chosen.isdigit() else None
    )
    if organisation is None:
        return _organisations_page(
            request, status=400, problem="Choose an organisation from the list; that one was not found."
        )
    try:
        if request.POST.get("action") == "domains":
            typed = request.POST.get("email_domains", "")
            try:
                organisation, promoted = services.set_organisation_email_domains(
                    actor=request.user, organisation=organisation, domains=typed
                )
            except DomainError as error:
                # What was typed stays in its box, with the reason beside it.
                return _organisations_page(
                    request,
                    status=400,
                    problem=error.message,
                    domains_form={"pk": organisation.pk, "value": typed, "error": error.message},
                )
            domains = ", ".join(organisation.email_domains) or "none"
            counted = (
                f" {promoted} waiting signature{'s' if promoted != 1 else ''} now count." if promoted else ""
            )
            messages.success(request, f"E-mail domains of {organisation.name}: {domains}.{counted}")
        else:
            organisation = services.verify_organisation(
                actor=request.user, organisation=organisation, verified=request.POST.get("verified") == "1"
            )
            messages.success(
                request,
                f"{organisation.name} is {'verified' if organisation.is_verified else 'no longer verified'}.",
            )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("signatories:staff_organisations")
