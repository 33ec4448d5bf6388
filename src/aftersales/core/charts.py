"""Charts for every page of the product: pygal, rendered on the server as SVG (decision 0009).

One charting library for the whole product. A chart is drawn here, on the server, from the figures
a selector computed; the page shows it as ``<img src="data:image/svg+xml;base64,…">`` (no script,
no inline style on the page, nothing fetched from the internet: the Content-Security-Policy stays
strict) with the same figures as a table under it (``{% chart c %}`` from ``core/templatetags/charts``),
because an image cannot carry links: the table's cells link to the tickets behind each figure.

Shapes offered: ``bar`` (optionally stacked / horizontal), ``line``, ``pareto`` (bars sorted
descending with the cumulative share as a line on a second axis and the 80 % reference) and
``control_chart`` (a p- or u-chart: the weekly values, the centre line, the upper and lower control
limits, points outside marked). Labels and series names arrive translated; numbers are plain floats
(``None`` = no value). Axis ticks are written as plain numbers (``tick``: "0.5", "12", "9,316,011"),
never in scientific notation.
"""

from __future__ import annotations

import base64
import math
import unicodedata
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


LEGEND_COLUMNS = 4
TRUNCATE_LABEL = 18
LABEL_ROTATION = 30


def text_width(text: str, font_size: float) -> float:
    """The width a label takes: a Chinese character is about one em wide, a Latin one about 0.6
    (pygal counts every character as 0.6 em, so Chinese labels would run out of the margin it
    leaves for them)."""
    return sum(font_size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * font_size for ch in text)


def _shown(label: str) -> str:
    return label if len(label) <= TRUNCATE_LABEL else label[: TRUNCATE_LABEL - 1] + "…"


def tick(value: float | None) -> str:
    """A number as an axis tick or tooltip shows it: three significant digits at most below 1,000,
    whole numbers with thousands separators above, no trailing zeros and never "3.6e-06"."""
    if value is None:
        return ""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    decimals = max(0, 2 - math.floor(math.log10(size)))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _underestimate(labels: Sequence[str], font_size: float) -> float:
    """How much wider the widest label is than pygal reckons (0.6 em per character)."""
    shown = [_shown(str(label)) for label in labels] or [""]
    return max(0.0, max(text_width(t, font_size) for t in shown) - max(0.6 * font_size * len(t) for t in shown))


def _rotation(labels: Sequence[str], width: int, font_size: float) -> int:
    """Labels along the x axis are slanted when they would not fit side by side."""
    if not labels:
        return 0
    slot = (width - 80) / len(labels)
    widest = max(text_width(_shown(str(label)), font_size) for label in labels)
    return 0 if widest <= slot * 0.9 else LABEL_ROTATION


def _config(
    title: str,
    *,
    labels: Sequence[str] = (),
    series_count: int = 1,
    horizontal: bool = False,
    height: int = 360,
    width: int = 800,
    **options: object,
) -> dict[str, object]:
    font = STYLE.label_font_size
    rotation = int(options.pop("x_label_rotation", 0 if horizontal else _rotation(labels, width, font)))  # type: ignore[call-overload]
    margin = 12
    # pygal reserves floor(series / columns) legend rows at the bottom where ceil(...) are drawn:
    # the last row was cut off. Each row is 1.5 × the legend's line height.
    line = max(STYLE.legend_font_size, 12)
    missing_rows = -(-series_count // LEGEND_COLUMNS) - series_count // LEGEND_COLUMNS
    bottom = margin + 1.5 * line * missing_rows
    left: float = margin
    if horizontal:
        left += _underestimate(labels, font)
    elif rotation:
        bottom += _underestimate(labels, font) * math.sin(math.radians(rotation))
    config: dict[str, object] = {
        "title": title,
        "style": STYLE,
        "js": [],  # no script: the chart is an image; the table under it carries the links
        "disable_xml_declaration": True,
        "width": width,
        "height": height,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": LEGEND_COLUMNS,
        "truncate_label": TRUNCATE_LABEL,
        "truncate_legend": 30,
        "print_values": False,
        "show_minor_x_labels": True,
        "x_label_rotation": rotation,
        "margin": margin,
        "margin_bottom": bottom,
        "margin_left": left,
        "no_data_text": "—",
        "value_formatter": tick,
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
    chart = kind(**_config(title, labels=labels, series_count=len(series), horizontal=horizontal))
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
            labels=labels,
            series_count=len(series),
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


class _ParetoBars(pygal.Bar):
    """pygal's bar chart whose second-axis series are drawn as lines (pygal's own ``Line.line``),
    through the middle of each bar: the bars of a Pareto and its cumulative share over them."""

    _self_close = False  # read by Line.line (an open line, not a radar's closed shape)
    _order: int  # pygal's number of series (a cached property), set while the bars are drawn

    def _plot(self) -> None:
        # pygal shares each label's slot among all series (``_order``); the lines take no slot, so
        # the bars get it whole while they are drawn (the colours and legend keep every series).
        every = self._order
        self._order = len(self.series)
        for serie in self.series:
            self.bar(serie)
        self._order = every
        half = 0.5 / max(1, self._len)
        for serie in self.secondary_series:
            serie.points = [(None if x is None else x + half, y) for x, y in serie.points]
            pygal.Line.line(self, serie, rescale=True)


PARETO_REFERENCE = 80.0  # the 80/20 rule's line on a Pareto's share axis


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
    """Bars sorted from the largest; the cumulative share (%) as a line with dots on the second
    axis (0–100 %), with a dashed reference line at 80 %. The counts' axis ends above the tallest
    bar and the share axis above 100 %, so neither the tallest bar nor the last dot touches the
    frame."""
    order = sorted(range(len(labels)), key=lambda i: (-counts[i], str(labels[i])))
    sorted_labels = [labels[i] for i in order]
    sorted_counts = [float(counts[i]) for i in order]
    sorted_urls = [urls[i] for i in order] if urls else None
    total = sum(sorted_counts) or 1.0
    running, cumulative = 0.0, []
    for value in sorted_counts:
        running += value
        cumulative.append(round(100.0 * running / total, 1))
    # Five ticks on the counts' axis at quarters of a top divisible by 4 (at or above the tallest
    # bar), and the share's 0, 25, 50, 75, 100 % at the same heights (pygal maps the second axis'
    # range onto the first one's ticks); the plot runs a tenth above the top tick, so the 100 %
    # dot and the tallest bar are drawn whole, below the frame.
    top = max(4, math.ceil(max(sorted_counts, default=0) / 4) * 4)
    chart = _ParetoBars(
        **_config(
            title,
            labels=sorted_labels,
            series_count=3,
            range=(0, top * 1.1),
            y_labels=[top * i / 4 for i in range(5)],
            secondary_range=(0, 100),
        )
    )
    chart.x_labels = sorted_labels
    chart.add(count_name, sorted_counts)
    chart.add(f"{cumulative_name} (%)", cumulative, secondary=True, dots_size=4)
    chart.add(
        f"{PARETO_REFERENCE:g} %",
        [PARETO_REFERENCE] * len(sorted_counts),
        secondary=True,
        show_dots=False,
        stroke_style={"width": 1.5, "dasharray": "6, 4"},
    )
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
    y_title: str = "",
    flagged: Sequence[bool] | None = None,
) -> Chart:
    """A p- or u-chart: values with the centre line and the (per-point) control limits.

    ``names`` gives the translated series names for the keys value, centre, upper, lower, outside;
    ``y_title`` names the values' unit on the axis (e.g. "ppm"). Points outside the limits — or,
    when given, the points ``flagged`` (the caller's rule, e.g. enough data to judge) — are drawn
    again as a separate marked series.
    """
    if flagged is None:
        flagged = [
            v is not None and ((u is not None and v > u) or (lo is not None and v < lo))
            for v, u, lo in zip(values, upper, lower, strict=True)
        ]
    outside = [v if flag else None for v, flag in zip(values, flagged, strict=True)]
    chart = pygal.Line(
        **_config(
            title,
            labels=labels,
            series_count=5,
            allow_interruptions=True,
            x_labels_major_every=max(1, len(labels) // 12),
            show_minor_x_labels=len(labels) <= 24,
            y_title=y_title or None,
            include_x_axis=True,
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
