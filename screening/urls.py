from django.urls import path

from screening.views import (
    amendments,
    candidates,
    decisions,
    entry,
    erasure,
    exports,
    history,
    identity,
    log,
    queries,
    record,
    summary,
)

app_name = "screening"

urlpatterns = [
    path("candidates/", candidates.candidate_list, name="candidates"),
    path("log/", log.screening_log_view, name="log"),
    path("exports/", exports.export_list, name="exports"),
    path(
        "amendments/<int:pk>/impact/",
        amendments.amendment_impact_view,
        name="amendment_impact",
    ),
    path("exports/<int:pk>/", exports.export_detail, name="export"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("queries/", queries.query_list_view, name="queries"),
    path("erasure/", erasure.erasure_view, name="erasure"),
    path("queries/<int:qid>/", queries.query_detail, name="query"),
    path("candidates/new/", candidates.candidate_register_view, name="register"),
    path("candidates/<int:pk>/", candidates.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/identity/", identity.candidate_identity_view, name="identity"),
    path("<int:pk>/", summary.screening_summary, name="summary"),
    path("<int:pk>/history/", history.screening_history, name="history"),
    path("<int:pk>/data/", entry.screening_entry, name="entry"),
    path("<int:pk>/panel/", entry.screening_panel, name="panel"),
    path("<int:pk>/decision/", decisions.decision_propose_view, name="decision"),
    path("<int:pk>/sign/", decisions.decision_sign_view, name="sign"),
    path("<int:pk>/rescreen/", decisions.screening_rescreen_view, name="rescreen"),
    path("<int:pk>/enrol/", decisions.screening_enrol_view, name="enrol"),
    path("<int:pk>/queries/new/", queries.query_raise_view, name="query_raise"),
    path("<int:pk>/verify/", queries.verify_view, name="verify"),
    path("<int:pk>/unverify/", queries.unverify_view, name="unverify"),
    path("<int:pk>/record/", record.screening_record, name="record"),
    path("<int:pk>/record.pdf", record.screening_record_pdf, name="record_pdf"),
]
