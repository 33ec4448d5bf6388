"""Charts drawn on the server (pygal): Chinese labels get the room they take, every legend row is
inside the image, a Pareto's two axes tick at round values."""

from __future__ import annotations

import re

import pytest

from aftersales.core import charts


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


def test_a_chinese_character_is_one_em_and_a_latin_one_is_not():
    assert charts.text_width("待客户补充资料", 13) == 7 * 13
    assert charts.text_width("KFR-35GW", 13) == pytest.approx(8 * 0.6 * 13)


def test_horizontal_chinese_labels_get_a_wider_left_margin_than_latin_ones():
    chinese = charts._config("t", labels=["待客户补充资料", "已登记"], horizontal=True)
    latin = charts._config("t", labels=["waiting", "new"], horizontal=True)
    assert chinese["margin_left"] == pytest.approx(12 + 7 * 13 - 7 * 0.6 * 13)
    assert latin["margin_left"] == 12


def test_the_last_legend_row_has_its_room():
    # Four columns: five series are two rows; pygal reserves one, so one more row's height is added.
    assert charts._config("t", series_count=5)["margin_bottom"] == 12 + 1.5 * 13
    assert charts._config("t", series_count=8)["margin_bottom"] == 12
    assert charts._config("t", series_count=2)["margin_bottom"] == 12 + 1.5 * 13


def test_labels_that_do_not_fit_side_by_side_are_slanted():
    assert charts._config("t", labels=["2026-01", "2026-02"])["x_label_rotation"] == 0
    long_names = ["KFR-35GW/BP3DN8Y 1.5匹变频挂壁式空调"] * 5
    assert charts._config("t", labels=long_names)["x_label_rotation"] == charts.LABEL_ROTATION


def test_a_pareto_ticks_its_share_at_quarters_and_its_counts_at_round_values():
    chart = charts.pareto("主要故障", ["漏水", "噪音", "不制冷"], [25, 20, 14], count_name="工单", cumulative_name="累计占比")
    texts = _svg_texts(chart.svg)
    for share in ("0", "25", "50", "75", "100"):
        assert share in texts
    assert {"7", "14", "21", "28"} <= set(texts)
    assert not any(re.fullmatch(r"\d+\.\d{3,}", t) for t in texts)  # no 83.33333333
    assert "累计占比 (%)" in chart.svg
    assert [row.label for row in chart.rows] == ["漏水", "噪音", "不制冷"]
