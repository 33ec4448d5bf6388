"""``{% chart c %}``: a chart from core/charts.py as an image with its figures as a table."""

from __future__ import annotations

from django import template

from aftersales.core.charts import Chart

register = template.Library()


@register.inclusion_tag("core/chart.html")
def chart(c: Chart, table: bool = True, testid: str = "") -> dict[str, object]:
    return {"chart": c, "table": table, "testid": testid}
