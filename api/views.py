"""The open data API (read-only, anonymous) and its documentation page.

Every response carries an ETag (a digest of the body) and answers If-None-Match with 304; frozen
things (a version's text) also carry Last-Modified. Anyone's page may fetch from it
(Access-Control-Allow-Origin: *, no credentials). Views stay thin: reads are in api.selectors.
"""

from datetime import timedelta
from functools import cache

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from compact import selectors as compact_selectors
from core.addresses import absolute as site_address

from . import selectors
from .serializers import (
    CompactDetailSerializer,
    CompactSerializer,
    CountsSerializer,
    QuestionSerializer,
    ResultSerializer,
    RoundSerializer,
    SignatorySerializer,
    VersionSerializer,
    VersionSummarySerializer,
)

# Shared caches may keep an answer this long; after that they ask again with If-None-Match.
MAX_AGE = timedelta(minutes=1)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
    "Access-Control-Max-Age": "86400",
}


class Pages(PageNumberPagination):
    """Page numbers from 1 and page sizes from 1 to 500; anything else is a 400 that says so,
    never a silent default (DRF's own paginator takes page_size=null as the default size)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def _whole_number(self, request, name, *, most=None):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        limit = f" from 1 to {most}" if most else " from 1"
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= (most or 10**9):
            raise ValidationError({name: [f"Must be a whole number{limit}."]})
        return int(raw)

    def get_page_size(self, request):
        size = self._whole_number(request, self.page_size_query_param, most=self.max_page_size)
        return self.page_size if size is None else size

    def paginate_queryset(self, queryset, request, view=None):
        self._whole_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view=view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**9}
                parameter["description"] = "Which page, from 1. A page past the last is 404."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = (
                    f"How many to a page, from 1 to {self.max_page_size} (default {self.page_size})."
                )
        return parameters


class OpenDataMixin:
    """GET only; conditional GET; CORS for everyone, without credentials."""

    http_method_names = ["get", "head", "options"]
    last_modified = None

    def options(self, request, *args, **kwargs):
        # A CORS preflight (a cross-origin GET with If-None-Match asks first): nothing to describe.
        return Response(status=204)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            # Whole seconds, as HTTP dates have them, or If-Modified-Since never matches.
            last_modified = int(self.last_modified.timestamp()) if self.last_modified else None
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=int(MAX_AGE.total_seconds()))
            response = get_conditional_response(
                request,
                etag=response["ETag"],
                last_modified=last_modified,
                response=response,
            )
        # Cross-origin reads only: a POST is refused (405) and gets no CORS header.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            for name, value in CORS_HEADERS.items():
                response[name] = value
        return response


class OpenDataView(OpenDataMixin, generics.GenericAPIView):
    pagination_class: type[Pages] | None = Pages


def _compact(slug):
    # A compact with nothing public (no public version, no open round) is not there at all.
    return get_object_or_404(compact_selectors.publicly_visible_compacts(), slug=slug)


def _version(slug, number):
    version = selectors.public_version(_compact(slug), number)
    if version is None:
        # Drafts, versions in consultation and ratified-but-unpublished ones are not public.
        raise NotFound("No published or superseded version with that number.")
    return version


def _round(pk):
    round = selectors.public_round(pk)
    if round is None:
        raise NotFound("No such round, or it has not opened yet.")
    return round


# Path parameters as the URL patterns take them (<slug:...>, <int:...>): anything else matches no
# address at all, and is answered 404.
SLUG = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    OpenApiParameter.PATH,
    description="The compact's slug.",
)
NUMBER = OpenApiParameter(
    "number", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH, description="The version's number."
)
ROUND = OpenApiParameter(
    "round_id", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH, description="The round's id."
)
NOT_FOUND = OpenApiResponse(description="Not found, or not public.")


class CompactList(OpenDataView, generics.ListAPIView):
    serializer_class = CompactSerializer

    @extend_schema(
        summary="Compacts", description="Every compact, by title, with its published version's number."
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.compacts())
        selectors.attach_current_versions(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CompactDetail(OpenDataView):
    serializer_class = CompactDetailSerializer

    @extend_schema(
        summary="A compact",
        description="The compact with its public versions and its consultation rounds that have opened.",
        parameters=[SLUG],
        responses={200: CompactDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, slug):
        compact = selectors.compact_detail(_compact(slug))
        return Response(self.get_serializer(compact).data)


class VersionList(OpenDataView, generics.ListAPIView):
    serializer_class = VersionSummarySerializer

    @extend_schema(
        summary="Public versions",
        description="Published and superseded versions, newest first. Drafts are not public.",
        parameters=[SLUG],
    )
    def get(self, request, slug):
        compact = _compact(slug)
        page = self.paginate_queryset(selectors.public_versions().filter(compact=compact).order_by("-number"))
        for version in page:
            version.compact = compact
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class VersionDetail(OpenDataView):
    serializer_class = VersionSerializer

    @extend_schema(
        summary="A version and its full text",
        description=(
            "Status, dates, fingerprint (content_hash) and the full text in its layout: parties "
            "(columns) with their headings, themes with their commitments in reading order."
        ),
        parameters=[SLUG, NUMBER],
        responses={200: VersionSerializer, 404: NOT_FOUND},
    )
    def get(self, request, slug, number):
        version = _version(slug, number)
        self.last_modified = selectors.version_last_modified(version)
        context = {**self.get_serializer_context(), "text": selectors.version_text(version)}
        return Response(VersionSerializer(version, context=context).data)


class SignatoryList(OpenDataView, generics.ListAPIView):
    serializer_class = SignatorySerializer

    @extend_schema(
        summary="Signatories of a version",
        description=(
            "Confirmed signatures that still stand, in the order they were confirmed (oldest "
            "first, so new signatures add to the last page). Withdrawn, hidden and unconfirmed "
            "signatures are never listed; a signatory who erased their account shows as the "
            "public list shows them, without their name."
        ),
        parameters=[SLUG, NUMBER],
    )
    def get(self, request, slug, number):
        version = _version(slug, number)
        page = self.paginate_queryset(selectors.version_signatories(version))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SignatoryCounts(OpenDataView):
    serializer_class = CountsSerializer

    @extend_schema(
        summary="Signatory counts",
        description="How many have signed, by kind of organisation and by region.",
        parameters=[SLUG, NUMBER],
        responses={200: CountsSerializer, 404: NOT_FOUND},
    )
    def get(self, request, slug, number):
        return Response(CountsSerializer(selectors.version_counts(_version(slug, number))).data)


class RoundList(OpenDataView, generics.ListAPIView):
    serializer_class = RoundSerializer

    @extend_schema(
        summary="Consultation rounds", description="Rounds that have opened, newest first.", parameters=[SLUG]
    )
    def get(self, request, slug):
        compact = _compact(slug)
        rounds = (
            selectors.public_rounds()
            .filter(version__compact=compact)
            .select_related("version__compact")
            .order_by("-opens_at", "-id")
        )
        page = self.paginate_queryset(rounds)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RoundDetail(OpenDataView):
    serializer_class = RoundSerializer

    @extend_schema(summary="A round", parameters=[ROUND], responses={200: RoundSerializer, 404: NOT_FOUND})
    def get(self, request, round_id):
        return Response(self.get_serializer(_round(round_id)).data)


class QuestionList(OpenDataView):
    pagination_class = None  # a round's questions come whole: the round page shows them all too
    serializer_class = QuestionSerializer

    @extend_schema(
        summary="A round's questions",
        description=(
            "Each question the round asks: a commitment's wording (keep it or a proposed one), or "
            "support or oppose a new commitment or a removal. Counts are null while the round "
            "keeps its totals hidden; votes are secret, so nothing says who chose what."
        ),
        parameters=[ROUND],
        responses={200: QuestionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, round_id):
        questions = selectors.round_questions(_round(round_id))
        return Response(self.get_serializer(questions, many=True).data)


class ResultList(OpenDataView):
    pagination_class = None
    serializer_class = ResultSerializer

    @extend_schema(
        summary="A round's results",
        description="The tally frozen when the round closed: totals per option, never who voted. 404 until it closes.",
        parameters=[ROUND],
        responses={200: ResultSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, round_id):
        round = _round(round_id)
        if not round.has_results:
            raise NotFound("Results appear when the round closes.")
        if not selectors.results_shown(round):
            raise NotFound("This round's results are for the leaders invited to it.")
        return Response(self.get_serializer(selectors.round_results(round), many=True).data)


class Schema(OpenDataMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 document, with the same ETag, CORS and throttle as the rest."""

    authentication_classes = []


# --- The human page ---------------------------------------------------------------------------
@cache
def _schema_for_docs():
    # The schema depends on the code alone: built once per process.
    return SchemaGenerator().get_schema(request=None, public=True)


def docs(request):
    """Every endpoint from the generated schema, so the page cannot drift from the API."""
    schema = _schema_for_docs()
    values = selectors.example_values()
    endpoints = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if not operation:
            continue
        example_path = path
        if path.endswith("/results/"):
            # Results exist only once a round has closed: the example is the latest closed one.
            example_path = example_path.replace("{round_id}", "{closed_round_id}")
        for placeholder, value in values.items():
            if value is not None:
                example_path = example_path.replace(placeholder, str(value))
        if "{" in example_path:
            example_path = None
        endpoints.append(
            {
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [p for p in operation.get("parameters", []) if p.get("in") == "query"],
                "example": site_address(example_path) if example_path else None,
                "id": operation.get("operationId", path),
            }
        )
    return render(
        request,
        "api/docs.html",
        {
            "endpoints": endpoints,
            "schema_url": site_address(reverse("api:schema")),
            "base": site_address(reverse("api:docs")),
        },
    )


def feed_about(request, slug):
    """What a feed is and how to follow one: the compact page links here rather than to the raw
    XML, which a browser shows as a page of code."""
    compact = _compact(slug)
    feed = request.build_absolute_uri(reverse("api:feed", kwargs={"slug": compact.slug}))
    return render(request, "api/feed_about.html", {"compact": compact, "feed_url": feed})
