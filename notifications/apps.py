from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The e-mail tasks are queued by name: registered before anything queues them.
        import notifications.tasks  # noqa: F401
        from audit.signals import chain_check_failed
        from notifications import audit_actions  # noqa: F401 -- declares the app's audit actions
        from notifications.reminders import on_chain_check_failed

        chain_check_failed.connect(on_chain_check_failed, dispatch_uid="notifications.audit")
