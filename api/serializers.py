"""What the open data API returns. Output only: the API takes nothing in but addresses.

Field names are part of the published contract (/api/v1/schema.json): add, never rename.
"""

from datetime import UTC

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.addresses import absolute as site_address

from .selectors import results_shown, totals_shown


class UtcDateTime(serializers.DateTimeField):
    """Times in UTC ("Z"), whatever the site's own time zone: open data is read everywhere."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)


def absolute(context, name, **kwargs):
    return site_address(reverse(name, kwargs=kwargs))


# --- The text, as Version.canonical_text() gives it (documented here, passed through as is) -----
class TextSectionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="why, purpose, goals, sustain or other")
    heading = serializers.CharField()
    body = serializers.CharField()
    placement = serializers.CharField(
        required=False, help_text="Where the section sits, when not before the commitments."
    )


class TextPartySerializer(serializers.Serializer):
    key = serializers.UUIDField(help_text="Stable across versions.")
    name = serializers.CharField()
    heading = serializers.CharField(
        required=False, help_text="The column's heading as the compact words it, when it has one."
    )


class TextCommitmentSerializer(serializers.Serializer):
    key = serializers.UUIDField(help_text="Stable across versions: follow one commitment's history by it.")
    party = serializers.UUIDField(help_text="The key of the party that commits.")
    text = serializers.CharField()
    row = serializers.IntegerField(
        required=False, help_text="In a paired-rows layout, the row that pairs it with other parties'."
    )


class TextThemeSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    parties = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="When the theme belongs to some parties only: their keys.",
    )
    commitments = TextCommitmentSerializer(many=True, help_text="In reading order.")


class VersionTextSerializer(serializers.Serializer):
    compact = serializers.CharField(help_text="The compact's title.")
    vision = serializers.CharField(allow_blank=True)
    layout = serializers.CharField(
        required=False, help_text="themes (when absent), parties or rows: how the commitments are laid out."
    )
    sections = TextSectionSerializer(many=True)
    parties = TextPartySerializer(many=True, help_text="In column order.")
    themes = TextThemeSerializer(many=True, help_text="In reading order.")
    commitments = TextCommitmentSerializer(
        many=True, required=False, help_text="Commitments outside any theme, when there are some."
    )


# --- Compacts and versions --------------------------------------------------------------------
class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["published", "superseded"])
    published_at = UtcDateTime(allow_null=True)
    superseded_at = UtcDateTime(allow_null=True)
    content_hash = serializers.CharField(help_text="SHA-256 of the text: the fingerprint signatures bind to.")
    url = serializers.SerializerMethodField(help_text="The version's page.")
    api_url = serializers.SerializerMethodField()
    signatories_url = serializers.SerializerMethodField()

    def get_url(self, version) -> str:
        return site_address(version.get_absolute_url())

    def get_api_url(self, version) -> str:
        return absolute(self.context, "api:version", slug=version.compact.slug, number=version.number)

    def get_signatories_url(self, version) -> str:
        return absolute(self.context, "api:signatories", slug=version.compact.slug, number=version.number)


class VersionSerializer(VersionSummarySerializer):
    compact = serializers.CharField(source="compact.slug")
    ratified_at = UtcDateTime(allow_null=True)
    review_due_on = serializers.DateField(
        allow_null=True, help_text="When the compact is next to be revisited."
    )
    publication_note = serializers.CharField(allow_blank=True)
    layout = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(
        help_text=(
            "The text exactly as the content hash covers it: SHA-256 of its JSON with sorted keys, "
            "no spaces (separators ',' and ':') and UTF-8 characters unescaped equals content_hash."
        )
    )
    counts_url = serializers.SerializerMethodField()

    def get_layout(self, version) -> str:
        return self.context["text"].get("layout", "themes")

    @extend_schema_field(VersionTextSerializer)
    def get_text(self, version):
        return self.context["text"]

    def get_counts_url(self, version) -> str:
        return absolute(self.context, "api:counts", slug=version.compact.slug, number=version.number)


class RoundSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["open", "closed", "applied"])
    participation = serializers.ChoiceField(
        choices=["everyone", "invited"], help_text="Every leader, or only the leaders invited."
    )
    version = serializers.IntegerField(source="version.number", help_text="The draft the round is held on.")
    opens_at = UtcDateTime()
    closes_at = UtcDateTime()
    closed_at = UtcDateTime(allow_null=True)
    totals_visible = serializers.SerializerMethodField(
        help_text="Whether vote totals are shown: after closing, or while open if the round shows running totals; "
        "never for a round open to invited leaders only."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    questions_url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField(help_text="Present once the round has closed.")

    def get_url(self, round) -> str:
        return site_address(round.get_absolute_url())

    def get_api_url(self, round) -> str:
        return absolute(self.context, "api:round", round_id=round.pk)

    def get_questions_url(self, round) -> str:
        return absolute(self.context, "api:questions", round_id=round.pk)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_totals_visible(self, round) -> bool:
        return totals_shown(round)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_results_url(self, round):
        return absolute(self.context, "api:results", round_id=round.pk) if results_shown(round) else None


class RoundSerializer(RoundSummarySerializer):
    compact = serializers.CharField(source="version.compact.slug")


class CompactSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    current_version = serializers.IntegerField(
        source="current", allow_null=True, help_text="The published version's number, if one is published."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_url(self, compact) -> str:
        return site_address(compact.get_absolute_url())

    def get_api_url(self, compact) -> str:
        return absolute(self.context, "api:compact", slug=compact.slug)


class CompactDetailSerializer(CompactSerializer):
    feed_url = serializers.SerializerMethodField(help_text="Atom feed of publications and rounds.")
    versions = VersionSummarySerializer(source="public_versions", many=True, help_text="Newest first.")
    rounds = RoundSummarySerializer(source="public_rounds", many=True, help_text="Newest first.")

    def get_feed_url(self, compact) -> str:
        return absolute(self.context, "api:feed", slug=compact.slug)


# --- Questions and results ----------------------------------------------------------------------
class CommitmentRefSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    text = serializers.CharField()


class QuestionOptionSerializer(serializers.Serializer):
    option = serializers.CharField(help_text="current, proposal:<id>, support or oppose")
    label = serializers.CharField()
    count = serializers.IntegerField(
        allow_null=True, help_text="Votes for this option; null while the round keeps totals hidden."
    )


class QuestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["wording", "new_commitment", "removal"])
    commitment = CommitmentRefSerializer(allow_null=True, help_text="The commitment asked about, if any.")
    proposal = serializers.IntegerField(source="proposal.pk", allow_null=True, default=None)
    theme = serializers.CharField(source="theme.title", allow_null=True, default=None)
    party = serializers.CharField(source="party.name", allow_null=True, default=None)
    options = QuestionOptionSerializer(many=True)
    total_votes = serializers.IntegerField(allow_null=True)


class ResultOptionSerializer(serializers.Serializer):
    option = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text="Of the votes on this question, 0 to 1.")


class ResultSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["wording", "new_commitment", "removal"])
    commitment = serializers.UUIDField(source="commitment_key", allow_null=True)
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)
    options = ResultOptionSerializer(source="public_options", many=True)
    total_votes = serializers.IntegerField()
    turnout = serializers.FloatField(help_text="Votes on this question over the people who could take part.")
    leading_option = serializers.CharField(allow_blank=True, help_text="Blank when tied or nobody voted.")
    is_tie = serializers.BooleanField()


# --- Signatories ----------------------------------------------------------------------------------
class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    region = serializers.CharField(allow_blank=True)
    region_label = serializers.CharField(source="get_region_display", allow_blank=True)
    ods_code = serializers.CharField(allow_blank=True, help_text="NHS Organisation Data Service code.")
    verified = serializers.BooleanField(source="is_verified", help_text="Checked by academy staff.")


class SignatorySerializer(serializers.Serializer):
    name = serializers.CharField(source="full_name", help_text="As published on the signatories list.")
    role = serializers.CharField(allow_blank=True)
    organisation = OrganisationSerializer(allow_null=True, help_text="Null when signed personally.")
    signed_on = serializers.SerializerMethodField(help_text="The day the signature was confirmed.")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_signed_on(self, signature):
        return signature.confirmed_at.date().isoformat()


class KindCountSerializer(serializers.Serializer):
    kind = serializers.CharField(allow_null=True, help_text="Null for signatures made personally.")
    label = serializers.CharField()
    count = serializers.IntegerField()


class RegionCountSerializer(serializers.Serializer):
    region = serializers.CharField(allow_null=True, help_text="Null where no region was given.")
    label = serializers.CharField()
    count = serializers.IntegerField()


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    organisations = serializers.IntegerField()
    by_kind = KindCountSerializer(many=True)
    by_region = RegionCountSerializer(many=True)
