"""The transactional outbox: background work recorded with the change that asks for it.

A write that needs work done later (re-evaluating screenings after a reference
range changed, say) records an ``OutboxMessage`` in its own transaction through
``outbox.services.outbox_enqueue``. Nothing talks to the broker before the
commit, so a save never waits on the broker and never fails because of it; a
rolled-back change leaves no work behind. After the commit the dispatcher
(``outbox.dispatcher``) hands the message to Celery with a short timeout; what it
could not hand over waits in the table for the every-minute beat job.
"""
