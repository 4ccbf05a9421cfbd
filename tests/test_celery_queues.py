"""A long render never waits in front of a confirmation e-mail: PDFs, e-mail and the rest have
queues of their own."""

import pytest

from config.celery import app

MAIL_TASKS = [
    "signatories.tasks.send_confirmation",
    "signatories.tasks.send_refresh_invitations",
    "consultation.tasks.send_opening_notices",
    "consultation.tasks.send_closing_reminders",
    "consultation.tasks.tell_author_comment_hidden",
    "consultation.tasks.tell_authors_of_decisions",
    "notifications.tasks.send_immediate",
    "notifications.tasks.send_digests",
]


@pytest.fixture(autouse=True, scope="module")
def _every_task_registered():
    app.autodiscover_tasks(force=True)  # a worker does this at start


def queue_of(task_name):
    return app.amqp.router.route({}, task_name)["queue"].name


def test_pdf_renders_go_to_the_pdf_queue():
    assert queue_of("compact.tasks.render_pdf") == "pdf"


@pytest.mark.parametrize("task_name", MAIL_TASKS)
def test_every_task_that_sends_email_goes_to_the_mail_queue(task_name):
    assert task_name in app.tasks
    assert queue_of(task_name) == "mail"


@pytest.mark.parametrize(
    "task_name",
    [
        "consultation.tasks.advance_rounds",
        "compact.tasks.reconcile_pdfs",
        "compact.tasks.remove_orphan_pdfs",
        "signatories.tasks.reconcile_mail",
        "compact.tasks.remind_reviews",
    ],
)
def test_schedulers_and_reconcilers_go_to_the_default_queue(task_name):
    assert queue_of(task_name) == "celery"


def test_a_worker_started_without_a_queue_list_consumes_all_three():
    # `make worker` and the integration tests' worker rely on it.
    assert set(app.amqp.queues) == {"celery", "pdf", "mail"}


def test_the_beat_schedule_names_only_tasks_that_exist():
    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
