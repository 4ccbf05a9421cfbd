from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a leader, a signatory, academy staff. People sign in with their e-mail."""

    class LeadershipRole(models.TextChoices):
        """The kind of role a leader holds, chosen by them in their details (optional). Job titles
        are free text ("Chief people officer", "Deputy COO", "Head of nursing – surgery") and no
        honest rule maps them onto groups, so staff counting participation by role count this
        choice, and those who never made it as "Not given"."""

        BOARD = "board", "Board member"
        SENIOR = "senior", "Senior leader"
        CLINICAL = "clinical", "Clinical leader"
        MANAGER = "manager", "Manager or team leader"
        OTHER = "other", "Another role"

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    organisation_name = models.CharField("organisation", max_length=200, blank=True)
    leadership_role = models.CharField(
        "kind of role", max_length=20, choices=LeadershipRole.choices, blank=True, default=""
    )
    # is_staff is Django admin access; academy staff are a permission (see accounts.roles).
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person erased their account: nothing identifying is left on it.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            # E-mail addresses are compared without regard to case, so "A@x" and "a@x" are one person.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.erased_at:
            return "A former participant"
        return self.full_name or self.email

    @property
    def role_line(self):
        """ "Chief executive, Anytown NHS Trust" — how a person is introduced beside their words."""
        return ", ".join(part for part in (self.job_title, self.organisation_name) if part)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email
