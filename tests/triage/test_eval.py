"""``manage.py triage_eval`` on shared/triage/dev.csv with 5-fold cross-validation, checked against
the minimums recorded in docs/triage.md (issue 20). The file is located by the setting
TRIAGE_DEV_CSV, else ``<repo>/../shared/triage/dev.csv``; without it the test is skipped, except
on CI (CI=true), where it fails."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "triage.md"


def dev_csv() -> Path:
    configured = getattr(settings, "TRIAGE_DEV_CSV", "") or os.environ.get("TRIAGE_DEV_CSV", "")
    path = Path(configured) if configured else REPO.parent / "shared" / "triage" / "dev.csv"
    if not path.exists():
        message = f"the triage dev set is missing ({path}); set TRIAGE_DEV_CSV"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


# The cross-validation is CPU work over the CSV; the database only answers the configured safety
# words (the same rows on both databases): run once, in the PostgreSQL pass of `make test` when
# both passes run (docs/decisions/0011).
@pytest.mark.one_pass
@pytest.mark.django_db
def test_cross_validated_figures_hold() -> None:
    out = StringIO()
    call_command("triage_eval", str(dev_csv()), "--folds", "5", "--no-baselines", "--check", str(DOC), stdout=out)
    text = out.getvalue()
    assert "category_accuracy" in text
    assert "safety_recall" in text
    assert "confusion" in text
    assert "latency per ticket" in text
    # The calibration's figures, raw and calibrated; the minimums hold a maximum ECE per answer.
    assert "category_ece_raw" in text and "request_type_ece " in text
    assert "reliability of the top answer's confidence" in text
    assert "all figures at or above the minimums" in text


def test_the_minimums_guard_the_calibration() -> None:
    from aftersales.triage.reporting import minimums

    floors = minimums(DOC)
    for head in ("category", "request_type", "urgency", "safety"):
        assert f"{head}_ece_max" in floors


def test_an_ece_above_its_maximum_fails() -> None:
    from aftersales.triage.reporting import shortfalls
    from aftersales.triage.training import Evaluation

    ev = Evaluation(name="m", reports={}, figures={"category_ece": 0.2, "category_accuracy": 0.9})
    assert shortfalls(ev, {"category_ece_max": 0.1, "category_accuracy": 0.85}) == ["category_ece 0.200 > 0.1"]
    assert shortfalls(ev, {"category_ece_max": 0.25}) == []
    assert shortfalls(ev, {"urgency_ece_max": 0.1}) == ["urgency_ece was not measured (maximum 0.1)"]


@pytest.mark.django_db
def test_a_figure_below_the_minimum_fails(tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text('{"category_accuracy": 1.01}', encoding="utf-8")
    with pytest.raises(CommandError, match="category_accuracy"):
        call_command("triage_eval", str(dev_csv()), "--check", str(floors), "--brief", stdout=StringIO())


def test_the_recorded_minimums_agree() -> None:
    from aftersales.triage.reporting import FIGURES_FILE, minimums

    assert minimums(DOC) == minimums(FIGURES_FILE)


TINY_CSV = """row,cat,text,category,request,safety,urgency,ambiguous,category2
1,平板,快递太慢了，一个星期才到,物流配送,complaint,0,normal,0,
2,平板,物流送货员把箱子压坏了,物流配送,compensation,0,important,0,
3,平板,配送延迟三天还没到货,物流配送,complaint,0,normal,1,响应速度
4,手机,用了两天就黑屏死机，要求换货,产品质量,exchange,0,important,0,
5,手机,屏幕有坏点，触摸失灵，申请退货,产品质量,return,0,important,0,
6,手机,充电器冒烟起火了,产品质量,compensation,1,urgent,0,
7,热水器,安装师傅乱收材料费,安装调试,complaint,0,normal,0,
8,热水器,安装费太贵，师傅态度也差,安装调试,complaint,0,normal,1,服务态度
"""


@pytest.mark.one_pass
@pytest.mark.django_db
def test_train_prints_the_figures_then_writes_the_model(tmp_path: Path) -> None:
    from aftersales.triage.classifier import TriageModel

    source = tmp_path / "tiny.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    target = tmp_path / "model.npz"
    out = StringIO()
    # Far below the recorded minimums: refused without --force.
    with pytest.raises(CommandError, match="not switched"):
        call_command("triage_train", "--from", str(source), "--output", str(target), "--folds", "2", stdout=out)
    assert not target.exists()
    call_command("triage_train", "--from", str(source), "--output", str(target), "--folds", "2", "--force", stdout=out)
    assert "category_accuracy" in out.getvalue()
    model = TriageModel.load(target)
    assert set(model.figures) >= {"category_accuracy", "safety_recall"}
    assert model.suggest("快递送货太慢").category.value == "logistics"
