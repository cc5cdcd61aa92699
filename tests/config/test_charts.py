"""Charts drawn on the server: accessible images, styled by class only, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from config.charts import Series, bar_chart, column_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def test_a_bar_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = bar_chart(
        chart_id="fails",
        title="Screen failures by criterion",
        desc="I2 failed 3 times, E1 once.",
        rows=[("I2 — Female, age between 45 and 85", 3), ("E1 — Bone disease", 1)],
        standalone=True,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "fails-title fails-desc"
    assert root.find(f"{SVG}title").get("id") == "fails-title"  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").text == "Screen failures by criterion"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").get("id") == "fails-desc"  # type: ignore[union-attr]
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    assert len(bars) == 2
    widths = [float(b.get("width") or 0) for b in bars]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.02)
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["3", "1"]


def test_nothing_is_styled_inline_on_the_page_and_a_standalone_chart_carries_its_css() -> None:
    page = bar_chart(chart_id="a", title="t", desc="d", rows=[("x", 1)])
    assert "style" not in page
    assert "xmlns" not in page  # inline SVG in HTML needs no namespace
    standalone = bar_chart(chart_id="a", title="t", desc="d", rows=[("x", 1)], standalone=True)
    style = parse(standalone).find(f"{SVG}style")
    assert style is not None
    assert ".chart-series-0" in (style.text or "")
    for element in parse(standalone).iter():
        assert "style" not in element.attrib


def test_labels_are_escaped_and_long_ones_cut_at_a_word() -> None:
    svg = bar_chart(
        chart_id="x",
        title="<script>alert(1)</script>",
        desc='"quoted" & more',
        rows=[("A & B <b> " + "very long words " * 10, 2)],
        standalone=True,
    )
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"  # type: ignore[union-attr]
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label")
    assert label.text is not None
    assert label.text.endswith("…")
    assert len(label.text) <= 34
    # The full label stays in the bar's own tooltip title.
    row = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-row")
    assert "very long words very long words" in (row.find(f"{SVG}title").text or "")  # type: ignore[union-attr]


def test_a_column_chart_draws_each_series_per_category_with_a_legend() -> None:
    svg = column_chart(
        chart_id="time",
        title="Screened and enrolled per month",
        desc="Two series over three months.",
        categories=["Sep 2026", "Oct 2026", "Nov 2026"],
        series=[Series("Screened", [4, 0, 7]), Series("Enrolled", [1, 0, 2])],
        standalone=True,
    )
    root = parse(svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-group"]
    assert len(groups) == 3
    first = [r.get("class") for r in groups[0].iter(f"{SVG}rect")]
    assert first == ["chart-bar chart-series-0", "chart-bar chart-series-1"]
    heights = [float(r.get("height") or 0) for r in groups[2].iter(f"{SVG}rect")]
    assert heights[0] == pytest.approx(3.5 * heights[1], abs=0.02)
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Screened", "Enrolled"]
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert "Nov 2026" in ticks
    assert "0" in ticks


def test_many_categories_are_labelled_without_overlap() -> None:
    categories = [f"2026-W{week:02d}" for week in range(1, 53)]
    svg = column_chart(
        chart_id="weeks",
        title="t",
        desc="d",
        categories=categories,
        series=[Series("Screened", [1] * 52)],
        standalone=True,
    )
    labelled = [
        t.text
        for t in parse(svg).iter(f"{SVG}text")
        if t.get("class") == "chart-tick" and (t.text or "").startswith("2026")
    ]
    assert 1 < len(labelled) < 52
    assert labelled[0] == "2026-W01"


def test_an_empty_chart_says_so() -> None:
    svg = bar_chart(chart_id="e", title="t", desc="d", rows=[], empty="No screen failures.")
    assert "No screen failures." in svg
    svg = column_chart(chart_id="f", title="t", desc="d", categories=[], series=[])
    assert "Nothing to show." in svg


def test_axis_tops_are_round_and_ticks_whole() -> None:
    assert nice_ceiling(0) == (1.0, 1.0)
    assert nice_ceiling(3) == (3.0, 1.0)
    assert nice_ceiling(47) == (50.0, 10.0)
    assert nice_ceiling(130) == (150.0, 50.0)
