"""The staff drafting area: create a compact and shape its draft version.

Each view is thin: it validates a form, calls a service, and reports a domain error next to
what the person typed.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from accounts.mixins import AcademyStaffRequiredMixin
from consultation.selectors import consultation_work
from notifications.selectors import failed_mail_count
from signatories.selectors import signatures_to_check

from . import services
from .errors import DomainError
from .forms import (
    CommitmentForm,
    CompactForm,
    LayoutForm,
    NewCompactForm,
    PartyForm,
    PublishForm,
    RemoveForm,
    SectionForm,
    ThemeForm,
    VisionForm,
)
from .models import Commitment, Compact, Party, Section, Theme, Version
from .selectors import compact_layout, versions_with_failed_pdfs


@dataclass(frozen=True)
class PartKind:
    model: type
    form: type
    singular: str

    def describe(self, part):
        return {
            Party: lambda p: p.name,
            Theme: lambda t: t.title,
            Section: lambda s: s.heading,
            Commitment: lambda c: c.text,
        }[self.model](part)


PART_KINDS = {
    "parties": PartKind(Party, PartyForm, "party"),
    "themes": PartKind(Theme, ThemeForm, "theme"),
    "sections": PartKind(Section, SectionForm, "section"),
    "commitments": PartKind(Commitment, CommitmentForm, "commitment"),
}


def _version_or_404(slug, number):
    return get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)


def _draft_url(version):
    return redirect("compact:staff_version", slug=version.compact.slug, number=version.number)


class StaffDashboardView(AcademyStaffRequiredMixin, View):
    def get(self, request):
        compacts = Compact.objects.order_by("title").prefetch_related("versions")
        context = {
            "compacts": compacts,
            "due_for_review": list(services.due_for_review()),
            "today": timezone.localdate(),
            # What needs doing, each with a count and a link.
            "work": consultation_work(),
            "failed_pdfs": versions_with_failed_pdfs(),
            "signatures": signatures_to_check(),
            "failed_mail": failed_mail_count(),
        }
        return render(request, "compact/staff/dashboard.html", context)


class CompactCreateView(AcademyStaffRequiredMixin, View):
    template_name = "compact/staff/compact_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": NewCompactForm()})

    def post(self, request):
        form = NewCompactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                compact = services.create_compact(
                    actor=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    vision=data["vision"],
                    party_names=[data["first_party"], data["second_party"]],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Created “{compact.title}”. Version 1 is a draft.")
                return redirect("compact:staff_version", slug=compact.slug, number=1)
        return render(request, self.template_name, {"form": form}, status=400)


class CompactManageView(AcademyStaffRequiredMixin, View):
    """A compact's versions, its title, and the button that starts the next draft."""

    template_name = "compact/staff/compact_manage.html"

    def get(self, request, slug, form=None, status=200):
        compact = get_object_or_404(Compact, slug=slug)
        form = form or CompactForm(initial={"title": compact.title, "summary": compact.summary})
        context = {
            "compact": compact,
            "versions": compact.versions.order_by("-number"),
            "in_progress": compact.versions.in_progress().first(),
            "form": form,
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, slug):
        compact = get_object_or_404(Compact, slug=slug)
        form = CompactForm(request.POST)
        if form.is_valid():
            try:
                services.update_compact(actor=request.user, compact=compact, **form.cleaned_data)
            except DomainError as error:
                form.add_error("title", error.message)
            else:
                messages.success(request, "Saved the compact’s title and summary.")
                return redirect("compact:staff_compact", slug=compact.slug)
        return self.get(request, slug, form=form, status=400)


class StartDraftView(AcademyStaffRequiredMixin, View):
    def post(self, request, slug):
        compact = get_object_or_404(Compact, slug=slug)
        try:
            draft = services.start_new_draft(actor=request.user, compact=compact)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("compact:staff_compact", slug=compact.slug)
        messages.success(request, f"Started version {draft.number} as a draft from the latest version.")
        return _draft_url(draft)


def _drafting_context(version, **extra):
    return {
        "compact": version.compact,
        "version": version,
        "layout": compact_layout(version),
        "readiness_problems": services.readiness_problems(version=version) if version.is_editable else [],
        "layout_form": LayoutForm(initial={"layout": version.layout}),
        **extra,
    }


class VersionEditView(AcademyStaffRequiredMixin, View):
    """The drafting page: the whole version, in its layout, with controls on each part."""

    def get(self, request, slug, number):
        version = _version_or_404(slug, number)
        return render(request, "compact/staff/version_edit.html", _drafting_context(version))


class LayoutChangeView(AcademyStaffRequiredMixin, View):
    def post(self, request, slug, number):
        version = _version_or_404(slug, number)
        form = LayoutForm(request.POST)
        if form.is_valid():
            try:
                version = services.change_layout(
                    actor=request.user, version=version, layout=form.cleaned_data["layout"]
                )
            except DomainError as error:
                form.add_error("layout", error.message)
            else:
                messages.success(request, f"Layout saved: {version.get_layout_display().lower()}.")
                response = _draft_url(version)
                response["Location"] += "#layout-heading"
                return response
        version.refresh_from_db()
        context = _drafting_context(version, layout_form=form)
        return render(request, "compact/staff/version_edit.html", context, status=400)


class VisionEditView(AcademyStaffRequiredMixin, View):
    template_name = "compact/staff/vision_form.html"

    def get(self, request, slug, number):
        version = _version_or_404(slug, number)
        return render(
            request,
            self.template_name,
            {
                "version": version,
                "form": VisionForm(
                    initial={"vision": version.vision, "vision_heading": version.vision_heading}
                ),
            },
        )

    def post(self, request, slug, number):
        version = _version_or_404(slug, number)
        form = VisionForm(request.POST)
        if form.is_valid():
            try:
                services.update_vision(
                    actor=request.user,
                    version=version,
                    vision=form.cleaned_data["vision"],
                    vision_heading=form.cleaned_data["vision_heading"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved the shared vision.")
                response = _draft_url(version)
                response["Location"] += "#vision-heading"
                return response
        return render(request, self.template_name, {"version": version, "form": form}, status=400)


class PartViewMixin:
    def setup_part(self, slug, number, kind, pk=None):
        if kind not in PART_KINDS:
            raise Http404("No such part of a compact.")
        self.kind = PART_KINDS[kind]
        self.version = _version_or_404(slug, number)
        # `is not None`: a pk of 0 in the address is a part that does not exist (404), not a new one.
        self.part = (
            get_object_or_404(self.kind.model, pk=pk, version=self.version) if pk is not None else None
        )

    def context(self, **extra):
        return {"version": self.version, "kind": self.kind, "part": self.part, **extra}


def part_anchor(kind, part):
    """Where on the drafting page a part lives, so saving returns the person to it."""
    if isinstance(part, Commitment):
        return f"column-{part.theme_id or 'none'}-{part.party_id}"
    return f"{kind.singular}-{part.pk}"


class PartFormView(AcademyStaffRequiredMixin, PartViewMixin, View):
    """Add a part (no pk) or change one (pk); the same form serves both.

    Commitments can be added several at once (one per line); "Check" says how many will be
    made before anything is saved.
    """

    template_name = "compact/staff/part_form.html"

    def get(self, request, slug, number, kind, pk=None):
        self.setup_part(slug, number, kind, pk)
        initial = {name: request.GET[name] for name in ("theme", "party") if name in request.GET}
        form = self.kind.form(instance=self.part, version=self.version, initial=initial)
        return render(request, self.template_name, self.context(form=form))

    def post(self, request, slug, number, kind, pk=None):
        self.setup_part(slug, number, kind, pk)
        form = self.kind.form(request.POST, instance=self.part, version=self.version)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form=form), status=400)
        several = self.part is None and getattr(form, "adds_several", False)
        checking = (
            self.part is None and self.kind.model is Commitment and request.POST.get("action") == "check"
        )
        if checking:
            count = len(form.lines())
            return render(request, self.template_name, self.context(form=form, preview_count=count))
        fields = form.part_fields()
        try:
            if self.part is not None:
                part = services.change_part(actor=request.user, part=self.part, **fields)
                message = f"Saved the {self.kind.singular}."
            elif several:
                added = services.add_commitments(
                    actor=request.user,
                    version=self.version,
                    party=fields["party"],
                    theme=fields.get("theme"),
                    row=fields.get("row"),
                    texts=form.lines(),
                )
                part = added[0]
                message = f"Added {len(added)} commitments." if len(added) != 1 else "Added the commitment."
            else:
                part = services.add_part(
                    actor=request.user, version=self.version, model=self.kind.model, **fields
                )
                message = f"Added the {self.kind.singular}."
        except DomainError as error:
            form.add_error(None, error.message)
            return render(request, self.template_name, self.context(form=form), status=400)
        messages.success(request, message)
        response = _draft_url(self.version)
        response["Location"] += "#" + part_anchor(self.kind, part)
        return response


class PartMoveView(AcademyStaffRequiredMixin, PartViewMixin, View):
    def post(self, request, slug, number, kind, pk):
        self.setup_part(slug, number, kind, pk)
        try:
            services.move_part(
                actor=request.user, part=self.part, direction=request.POST.get("direction", "")
            )
        except DomainError as error:
            messages.error(request, error.message)
        response = _draft_url(self.version)
        # Return the person to the part they moved, so keyboard users keep their place.
        response["Location"] += f"#{self.kind.singular}-{self.part.pk}"
        return response


class PartRemoveView(AcademyStaffRequiredMixin, PartViewMixin, View):
    template_name = "compact/staff/part_remove.html"

    def get(self, request, slug, number, kind, pk):
        self.setup_part(slug, number, kind, pk)
        return render(
            request,
            self.template_name,
            self.context(form=RemoveForm(), description=self.kind.describe(self.part)),
        )

    def post(self, request, slug, number, kind, pk):
        self.setup_part(slug, number, kind, pk)
        # Back to where the part was: its column for a commitment, else the list it was in.
        if isinstance(self.part, Commitment):
            anchor = part_anchor(self.kind, self.part)
        else:
            anchor = {"party": "parties", "section": "sections"}.get(
                self.kind.singular, "themes"
            ) + "-heading"
        try:
            services.remove_part(actor=request.user, part=self.part)
        except DomainError as error:
            messages.error(request, error.message)
            anchor = part_anchor(self.kind, self.part)
        else:
            messages.success(request, f"Removed the {self.kind.singular}.")
        response = _draft_url(self.version)
        response["Location"] += f"#{anchor}"
        return response


class RatifyView(AcademyStaffRequiredMixin, View):
    """Ratifying freezes the text for good, so it is asked for on its own page and confirmed."""

    template_name = "compact/staff/ratify.html"

    def get(self, request, slug, number, status=200):
        version = _version_or_404(slug, number)
        context = {
            "version": version,
            "compact": version.compact,
            "problems": services.readiness_problems(version=version),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, slug, number):
        version = _version_or_404(slug, number)
        try:
            services.ratify(actor=request.user, version=version)
        except DomainError as error:
            messages.error(request, error.message)
            return self.get(request, slug, number, status=400)
        messages.success(request, f"Version {version.number} is ratified. Its text is now fixed.")
        return _draft_url(version)


class PublishView(AcademyStaffRequiredMixin, View):
    template_name = "compact/staff/publish.html"

    def get(self, request, slug, number, form=None, status=200):
        version = _version_or_404(slug, number)
        current = version.compact.versions.published().first()
        context = {
            "version": version,
            "compact": version.compact,
            "current": current,
            # Confirmed signatories are the ones who will be invited to sign again.
            "current_signatories": current.signatures.public().count() if current else 0,
            "form": form or PublishForm(),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, slug, number):
        version = _version_or_404(slug, number)
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self.get(request, slug, number, form=form, status=400)
        try:
            services.publish(
                actor=request.user,
                version=version,
                note=form.cleaned_data["note"],
                review_due_on=form.cleaned_data["review_due_on"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.get(request, slug, number, form=form, status=400)
        messages.success(request, f"Version {version.number} is published.")
        return redirect(version.get_absolute_url())
