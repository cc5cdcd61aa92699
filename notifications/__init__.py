"""Notifications: what Eligo tells a person without being asked, in the app and by e-mail.

Reminders are found by daily beat jobs that scan the database
(``notifications.reminders``); each becomes one ``Notification`` per recipient,
keyed so that a job run twice, or two workers racing, create it once. E-mail goes
through Django's e-mail backend from a task queued through the outbox, and names
candidates by screening number only: e-mail leaves the hospital.
"""
