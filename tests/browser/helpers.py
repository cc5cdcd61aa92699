"""What the browser tests do over and over: log in and out, type an example candidate
into the generated data-entry form, and tell the browser's reports of refused
content from the rest of its console."""

from __future__ import annotations

from typing import Any

from tests.helpers import PASSWORD

# How Chromium (and Firefox) word a refusal under a Content-Security-Policy, and a
# Permissions-Policy header it could not parse, in the console.
POLICY_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


class PolicyViolations:
    """The browser's console lines that report content refused by Eligo's policies."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def note(self, text: str, url: str = "") -> None:
        """Keep ``text`` if it reports a refusal under a policy; ignore anything else."""
        if any(marker in text for marker in POLICY_MARKERS):
            self.messages.append(f"{url}: {text}" if url else text)


def log_in(page: Any, base: str, username: str) -> None:
    """Log in as ``username`` and wait for the home page."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def log_out(page: Any) -> None:
    """Log out from the navigation bar and wait for the login page."""
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def reveal(page: Any, target: Any) -> Any:
    """Open the section of the entry form that holds ``target`` (the form shows one
    section at a time, as tabs) and return ``target``."""
    hidden = target.first.evaluate(
        "e => { const s = e.closest('.entry-section'); return s && s.hidden ? s.id : null }"
    )
    if hidden:
        page.locator(f'[role="tab"][aria-controls="{hidden}"]').click()
    return target


def entry_field(page: Any, selector: str) -> Any:
    """A field of the entry form, its section opened."""
    return reveal(page, page.locator("#entry-form").locator(selector))


def fill_from_example(page: Any, facts: dict[str, Any], *, judgments: bool) -> None:
    """Type an example candidate into the generated form, field by field, by name,
    opening each field's section as a coordinator would."""
    form = page.locator("#entry-form")

    def field(selector: str) -> Any:
        return reveal(page, form.locator(selector))

    if judgments:
        for code, answer in facts.get("judgments", {}).items():
            field(f'input[name="{code}"][value="{answer}"]').check()
        return
    for reading in facts.get("measurements", []) + facts.get("labs", []):
        code = reading["code"]
        if not form.locator(f'[name^="{code}__"]').count():
            continue  # in the example, but not asked for by this protocol
        if "result" in reading:
            field(f'select[name="{code}__result"]').select_option(reading["result"])
        else:
            field(f'input[name="{code}__value"]').fill(str(reading["value"]))
            unit = form.locator(f'select[name="{code}__unit"]')
            if unit.count() and reading.get("unit"):
                unit.select_option(reading["unit"])
        if reading.get("date"):
            field(f'input[name="{code}__date"]').fill(reading["date"])
    for med in facts.get("medications", []):
        add_row(
            page,
            "med",
            med["drug"],
            {
                "drug": med["drug"],
                "route": med.get("route"),
                "start": med.get("start"),
                "stop": med.get("stop"),
            },
        )
    for event in facts.get("history", []):
        fields = {"occurred_on": event.get("date")}
        fields.update({f"detail_{k}": v for k, v in event.get("details", {}).items()})
        add_row(page, "ev", event["code"], fields)
    for score, items in facts.get("score_items", {}).items():
        if not items:
            field(f'input[name="{score}__none"]').check()
        for item in items:
            field(f'input[name="{score}"][value="{item}"]').check()
    for code, answer in facts.get("answers", {}).items():
        if form.get_by_test_id(f"unasked-{code}").count():
            continue  # settled by the protocol: does not apply, or answered elsewhere
        field(f'input[name="{code}"][value="{answer}"]').check()
    for flag in ("medications_complete", "history_complete"):
        box = form.locator(f'input[name="{flag}"]')
        if box.count():
            reveal(page, box).check()


def add_row(page: Any, kind: str, code: str, fields: dict[str, Any]) -> None:
    """Fill the first free row of the group that asks about ``code`` (adding one if needed)."""
    group = None
    for candidate in page.locator(f'fieldset[data-prefix^="{kind}-"]').all():
        prefix = candidate.get_attribute("data-prefix")
        asks = candidate.locator(f'option[value="{code}"]').count()
        if (kind == "ev" and prefix == f"ev-{code}") or (kind == "med" and asks):
            group = candidate
            break
    if group is None:
        return  # a drug the protocol does not ask about
    reveal(page, group)
    prefix = group.get_attribute("data-prefix")
    first = group.locator(f'[name="{prefix}-0-{next(iter(fields))}"]')
    index = 0
    if first.count() and first.input_value():
        group.get_by_role("button", name="Add another").click()
        index = int(group.locator(f'[name="{prefix}-TOTAL_FORMS"]').input_value()) - 1
    for name, value in fields.items():
        if value is None:
            continue
        target = group.locator(f'[name="{prefix}-{index}-{name}"]')
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
