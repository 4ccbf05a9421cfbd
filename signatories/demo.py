"""Demo signatories: named people from a spread of organisations, confirmed on the published version."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from compact.signals import signatures_changed

from .models import Organisation, Signature
from .normalise import email_key

ORGANISATIONS = [
    ("Riverside Hospitals NHS Foundation Trust", "trust", "RV1", "east"),
    ("North Coast Integrated Care Board", "icb", "QN1", "north-east-yorkshire"),
    ("Eastfield Community Health NHS Trust", "trust", "RE2", "east"),
    ("Valley Mental Health NHS Foundation Trust", "trust", "RV3", "north-west"),
    ("Westshire Ambulance Service NHS Trust", "trust", "RW4", "south-west"),
    ("City and Hills Integrated Care Board", "icb", "QC2", "london"),
    ("Southbridge University Hospitals NHS Trust", "trust", "RS5", "south-east"),
    ("Moorland Partnership NHS Foundation Trust", "trust", "RM6", "midlands"),
    ("Lakeside Integrated Care Board", "icb", "QL3", "north-west"),
    ("Harbour Children's Hospital NHS Foundation Trust", "trust", "RH7", "south-west"),
    ("Meadowvale Integrated Care Board", "icb", "QM4", "midlands"),
    ("Kingsbridge Hospitals NHS Trust", "trust", "RK8", "london"),
    ("The National Workforce Body", "national", "", "national"),
    ("The National Quality Council", "national", "", "national"),
    ("Greenway Community Interest Company", "other", "", "east"),
    ("Fenland and Coast NHS Foundation Trust", "trust", "RF9", "east"),
    ("Pennine Integrated Care Board", "icb", "QP5", "north-east-yorkshire"),
    ("Cathedral City Hospitals NHS Trust", "trust", "RC1", "south-east"),
    ("Three Rivers Mental Health NHS Trust", "trust", "RT2", "midlands"),
    ("Tyne Valley Primary Care Network", "other", "", "north-east-yorkshire"),
]
ROLES = ["Chair", "Chief executive", "Chief people officer", "Director of nursing", "Medical director"]
FIRST = [
    "Alex",
    "Bea",
    "Chidi",
    "Dana",
    "Eamon",
    "Fatima",
    "George",
    "Harriet",
    "Imran",
    "Jo",
    "Kemi",
    "Liam",
]
LAST = ["Ashworth", "Begum", "Carter", "Dlamini", "Evans", "Fraser", "Gill", "Hussain", "Iqbal", "Jones"]


def load(context):
    version = context.get("published")
    if version is None or Signature.objects.filter(version=version).exists():
        return
    User = get_user_model()
    organisations = []
    for name, kind, ods_code, region in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "ods_code": ods_code, "region": region}
        )
        organisations.append(organisation)
    for organisation in organisations:
        organisation.listed = True  # each has a verified signature below
        organisation.save(update_fields=["listed"])
    for organisation in organisations[:8]:
        organisation.verified_at, organisation.verified_by = timezone.now(), context["staff"]
        organisation.save(update_fields=["verified_at", "verified_by"])
    now = timezone.now()
    signatures = []
    for index in range(60):
        organisation = organisations[index % len(organisations)] if index % 10 else None
        full_name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
        signer, _ = User.objects.get_or_create(
            email=f"signatory{index + 1}@example.org",
            defaults={"full_name": full_name, "job_title": ROLES[index % len(ROLES)]},
        )
        confirmed_at = now - timedelta(days=60 - index, hours=index % 7)
        signatures.append(
            Signature(
                version=version,
                content_hash=version.content_hash,
                signer=signer,
                organisation=organisation,
                full_name=full_name,
                role=ROLES[index % len(ROLES)],
                consent_to_publish=True,
                status=Signature.Status.CONFIRMED,
                confirmed_at=confirmed_at,
                email_key=email_key(signer.email),
                # Staff checked these signers against their organisations.
                organisation_verified_at=confirmed_at if organisation else None,
                organisation_verified_how=Signature.VerifiedBy.STAFF if organisation else "",
                organisation_verified_by=context["staff"] if organisation else None,
            )
        )
    # One for the staff queue: someone who says they sign for a verified ICB, from an address
    # that is not the ICB's. It does not show or count until staff approve it.
    icb = organisations[5]
    waiting, _ = User.objects.get_or_create(
        email="someone@example.net", defaults={"full_name": "Sam Claimant", "job_title": "Director"}
    )
    signatures.append(
        Signature(
            version=version,
            content_hash=version.content_hash,
            signer=waiting,
            organisation=icb,
            full_name="Sam Claimant",
            role="Director",
            consent_to_publish=True,
            status=Signature.Status.AWAITING_ORGANISATION,
            confirmed_at=now - timedelta(hours=2),
            email_key=email_key(waiting.email),
        )
    )
    created = Signature.objects.bulk_create(signatures)
    # Signed a few minutes before confirming, over the past two months (created_at is set on
    # insert), so the fraud signals see no burst that never happened.
    for signature in created:
        Signature.objects.filter(pk=signature.pk).update(
            created_at=signature.confirmed_at - timedelta(minutes=5)
        )
    # bulk_create sends no model signals; the PDF and anything else listening must still hear.
    signatures_changed.send(sender=Signature, version=version)
