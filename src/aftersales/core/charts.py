"""Charts for every page of the product: pygal, rendered on the server as SVG (decision 0009).

One charting library for the whole product. A chart is drawn here, on the server, from the figures
a selector computed; the page shows it as ``<img src="data:image/svg+xml;base64,…">`` (no script,
no inline style on the page, nothing fetched from the internet: the Content-Security-Policy stays
strict) with the same figures as a table under it (``{% chart c %}`` from ``core/templatetags/charts``),
because an image cannot carry links: the table's cells link to the tickets behind each figure.

Shapes offered: ``bar`` (optionally stacked / horizontal), ``line``, ``pareto`` (bars sorted
descending with the cumulative share on a second axis) and ``control_chart`` (a p- or u-chart: the
weekly values, the centre line, the upper and lower control limits, points outside marked).
Labels and series names arrive translated; numbers are plain floats (``None`` = no value).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pygal
from pygal.style import Style

# Colours of app.css (--accent, --warn, --ok, greys) so charts look like the pages around them.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333333",
    foreground_strong="#111111",
    foreground_subtle="#888888",
    opacity=".85",
    opacity_hover="1",
    colors=("#1f6feb", "#d97706", "#15803d", "#b91c1c", "#6b21a8", "#0e7490", "#4b5563"),
    font_family='"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    value_font_size=12,
    tooltip_font_size=12,
)


@dataclass(frozen=True)
class Row:
    """One line of the table under a chart: a label, its values and an optional link."""

    label: str
    values: tuple[str, ...]
    url: str = ""


@dataclass(frozen=True)
class Chart:
    """A rendered chart: the SVG text, its ``data:`` URI for an ``<img>``, and its table."""

    title: str
    svg: str
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _config(title: str, *, height: int = 360, width: int = 800, **options: object) -> dict[str, object]:
    config: dict[str, object] = {
        "title": title,
        "style": STYLE,
        "js": [],  # no script: the chart is an image; the table under it carries the links
        "disable_xml_declaration": True,
        "width": width,
        "height": height,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_label": 18,
        "truncate_legend": 30,
        "print_values": False,
        "show_minor_x_labels": True,
        "x_label_rotation": 0,
        "margin": 12,
        "no_data_text": "—",
    }
    config.update(options)
    return config


def _table(
    labels: Sequence[str], series: Mapping[str, Sequence[float | None]], urls: Sequence[str] | None, fmt: str
) -> tuple[Row, ...]:
    rows = []
    for index, label in enumerate(labels):
        values = tuple("" if values[index] is None else format(values[index], fmt) for values in series.values())
        rows.append(Row(label=str(label), values=values, url=(urls[index] if urls else "")))
    return tuple(rows)


def bar(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    urls: Sequence[str] | None = None,
    stacked: bool = False,
    horizontal: bool = False,
    value_format: str = "g",
    label_column: str = "",
) -> Chart:
    """Bars per label, one colour per series; ``urls[i]`` links row i of the table."""
    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    chart = kind(**_config(title, x_label_rotation=(0 if horizontal or len(labels) <= 8 else 30)))
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(
        title=title,
        svg=chart.render(is_unicode=True),
        columns=(label_column, *series.keys()),
        rows=_table(labels, series, urls, value_format),
    )


def line(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    urls: Sequence[str] | None = None,
    value_format: str = "g",
    label_column: str = "",
) -> Chart:
    """A line per series over the labels (e.g. weeks or months); gaps where a value is None."""
    chart = pygal.Line(
        **_config(
            title,
            x_label_rotation=(0 if len(labels) <= 12 else 30),
            allow_interruptions=True,
            show_minor_x_labels=len(labels) <= 24,
            x_labels_major_every=max(1, len(labels) // 12),
        )
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(
        title=title,
        svg=chart.render(is_unicode=True),
        columns=(label_column, *series.keys()),
        rows=_table(labels, series, urls, value_format),
    )


def pareto(
    title: str,
    labels: Sequence[str],
    counts: Sequence[float],
    *,
    count_name: str,
    cumulative_name: str,
    urls: Sequence[str] | None = None,
    label_column: str = "",
) -> Chart:
    """Bars sorted from the largest, with the cumulative share (%) as a line on the second axis."""
    order = sorted(range(len(labels)), key=lambda i: (-counts[i], str(labels[i])))
    sorted_labels = [labels[i] for i in order]
    sorted_counts = [float(counts[i]) for i in order]
    sorted_urls = [urls[i] for i in order] if urls else None
    total = sum(sorted_counts) or 1.0
    running, cumulative = 0.0, []
    for value in sorted_counts:
        running += value
        cumulative.append(round(100.0 * running / total, 1))
    chart = pygal.Bar(**_config(title, x_label_rotation=(0 if len(labels) <= 8 else 30), secondary_range=(0, 100)))
    chart.x_labels = sorted_labels
    chart.add(count_name, sorted_counts)
    chart.add(cumulative_name, cumulative, secondary=True, show_dots=True, stroke=True, fill=False)
    series = {count_name: sorted_counts, cumulative_name: cumulative}
    return Chart(
        title=title,
        svg=chart.render(is_unicode=True),
        columns=(label_column, *series.keys()),
        rows=_table(sorted_labels, series, sorted_urls, "g"),
    )


def control_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    centre: Sequence[float | None],
    upper: Sequence[float | None],
    lower: Sequence[float | None],
    names: dict[str, str],
    urls: Sequence[str] | None = None,
    value_format: str = ".4g",
    label_column: str = "",
) -> Chart:
    """A p- or u-chart: values with the centre line and the (per-point) control limits.

    ``names`` gives the translated series names for the keys value, centre, upper, lower, outside.
    Points above the upper or below the lower limit are drawn again as a separate marked series.
    """
    outside = [
        v if v is not None and ((u is not None and v > u) or (lo is not None and v < lo)) else None
        for v, u, lo in zip(values, upper, lower, strict=True)
    ]
    chart = pygal.Line(
        **_config(
            title,
            allow_interruptions=True,
            x_label_rotation=(0 if len(labels) <= 12 else 30),
            x_labels_major_every=max(1, len(labels) // 12),
            show_minor_x_labels=len(labels) <= 24,
        )
    )
    chart.x_labels = list(labels)
    chart.add(names["value"], list(values))
    chart.add(names["centre"], list(centre), show_dots=False, stroke_style={"width": 1})
    chart.add(names["upper"], list(upper), show_dots=False, stroke_style={"width": 1, "dasharray": "6, 4"})
    chart.add(names["lower"], list(lower), show_dots=False, stroke_style={"width": 1, "dasharray": "6, 4"})
    chart.add(names["outside"], outside, stroke=False, dots_size=6)
    series = {names["value"]: values, names["centre"]: centre, names["upper"]: upper, names["lower"]: lower}
    return Chart(
        title=title,
        svg=chart.render(is_unicode=True),
        columns=(label_column, *series.keys()),
        rows=_table(labels, series, urls, value_format),
    )
