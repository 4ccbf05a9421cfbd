"""Importing a whole compact from its plain-text outline, and downloading a version as one.

Import is two steps, both POSTs carrying the whole text: preview (parse, build the version in a
transaction that is rolled back, render it as the public page will) and confirm (parse the same
text again and save). Nothing half-read is ever kept between the two.
"""

from functools import cache
from pathlib import Path

import nh3
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from markdown_it import MarkdownIt

from accounts.mixins import AcademyStaffRequiredMixin
from accounts.roles import is_academy_staff, needs_two_factor_setup

from . import interchange, presenters
from .models import Compact, Version

MAX_FILE_BYTES = 512 * 1024
NEW = ""


class ImportForm(forms.Form):
    compact = forms.ChoiceField(
        label="Import as",
        required=False,
        help_text="A new compact, or the next draft of a compact that exists.",
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="A .md or .txt file saved as UTF-8 text.",
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.txt,text/markdown,text/plain"}),
    )
    text = forms.CharField(
        label="Or paste the outline",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false", "class": "app-outline"}),
        help_text='Written as described in <a href="#format">the outline’s format</a>.',
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compact"].choices = [(NEW, "A new compact")] + [
            (slug, f"The next draft of “{title}”")
            for slug, title in Compact.objects.order_by("title").values_list("slug", "title")
        ]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if not upload.name.lower().endswith((".md", ".txt", ".markdown")):
            raise forms.ValidationError("Choose a .md or .txt file.")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 512 KB; a compact’s outline is far smaller.")
        content = upload.read()
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text. Save it as “Plain text, UTF-8” and upload it again."
            ) from None
        if "\x00" in text:
            raise forms.ValidationError("The file is not plain text. Upload a .md or .txt file.")
        return text

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("file") and data.get("text", "").strip():
            raise forms.ValidationError("Upload a file or paste the outline, not both.")
        data["outline"] = data.get("file") or data.get("text", "")
        if len(data["outline"].encode("utf-8")) > MAX_FILE_BYTES:
            self.add_error("text", "The outline is longer than 512 KB; a compact’s outline is far shorter.")
        elif not data["outline"].strip():
            self.add_error("text", "Paste the outline of the compact, or choose a file to upload.")
        slug = data.get("compact") or NEW
        data["target"] = Compact.objects.filter(slug=slug).first() if slug != NEW else None
        return data


class ImportView(AcademyStaffRequiredMixin, View):
    template_name = "compact/staff/import.html"

    def get(self, request):
        # "Import the next draft from text" on a compact's page chooses that compact.
        form = ImportForm(initial={"compact": request.GET.get("compact", NEW)})
        return render(request, self.template_name, {"form": form, "problems": []})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.form_page(request, form)
        text, target = form.cleaned_data["outline"], form.cleaned_data["target"]
        action = request.POST.get("action", "preview")
        if action == "edit":
            return self.form_page(request, form, text=text, status=200)
        try:
            if action == "confirm":
                version = interchange.import_compact(actor=request.user, text=text, compact=target)
            else:
                parsed, html = interchange.preview(actor=request.user, text=text, compact=target)
        except interchange.ImportRefused as refused:
            return self.form_page(request, form, text=text, problems=refused.problems)
        if action == "confirm":
            messages.success(
                request,
                f"Imported “{version.compact.title}” as version {version.number}, a draft. "
                "Check it, then ratify and publish it when it is agreed.",
            )
            return redirect("compact:staff_version", slug=version.compact.slug, number=version.number)
        context = {
            "parsed": parsed,
            "preview": html,
            "text": text,
            "target": target,
            "target_slug": target.slug if target else NEW,
            "layout_name": Version.Layout(parsed.layout).label,
        }
        return render(request, "compact/staff/import_preview.html", context)

    def form_page(self, request, form, *, text=None, problems=(), status=400):
        if text is not None:
            # Show the outline in the box, whether it came from the box or from a file, so the
            # person can fix it there; the file field cannot be refilled.
            form = ImportForm(
                initial={"text": text, "compact": form.cleaned_data.get("compact", NEW)},
            )
        # Each problem linked to its line, in a numbered copy of the outline under the summary.
        outline = presenters.outline_problems(text=text or "", problems=problems) if problems else None
        context = {
            "form": form,
            "problems": outline.problems if outline else [],
            "outline_lines": outline.lines if outline else [],
        }
        return render(request, self.template_name, context, status=status)


# The guide to the outline (docs/compact-format.md) as a page of the site: the same Markdown
# parser as the rest of the product, with the tables and code blocks a guide needs, and the same
# allow-list sanitiser. The file is the one source; it is read once per process.
_GUIDE_TAGS = {
    "h1",
    "h2",
    "h3",
    "p",
    "br",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


@cache
def format_guide_html() -> str:
    text = (Path(settings.BASE_DIR) / "docs" / "compact-format.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return nh3.clean(
        html, tags=_GUIDE_TAGS, attributes={"a": {"href"}}, url_schemes={"https", "http", "mailto"}
    )


class FormatGuideView(AcademyStaffRequiredMixin, View):
    def get(self, request):
        return render(request, "compact/staff/import_format.html", {"guide": format_guide_html()})


def version_text(request, slug, number):
    """A version as its plain-text outline; versions not yet public are for staff only."""
    version = get_object_or_404(Version.objects.select_related("compact"), compact__slug=slug, number=number)
    if version.status not in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED):
        if not is_academy_staff(request.user):
            raise Http404("No such version.")
        if needs_two_factor_setup(request.user):
            return redirect("mfa_activate_totp")
    response = HttpResponse(interchange.serialise(version), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-version-{number}.md"'
    if version.status not in (Version.Status.PUBLISHED, Version.Status.SUPERSEDED):
        response["Cache-Control"] = "private, no-store"
    return response
