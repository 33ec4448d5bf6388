"""Stored system text is rendered in the reader's language, not the writer's."""

from django.utils import translation
from django.utils.translation import gettext_lazy

from aftersales.core.i18n import actor_text, deferred, frozen, rendered
from aftersales.fieldservice.models import WorkOrderKind
from aftersales.tickets.choices import Channel


def test_written_in_chinese_read_in_english_and_chinese():
    with translation.override("zh-hans"):
        text = deferred(gettext_lazy("Work order created: %(kind)s."), kind=WorkOrderKind.ONSITE_REPAIR.label)
    assert text == {"m": "Work order created: %(kind)s.", "p": {"kind": "On-site repair"}, "t": ["kind"]}
    with translation.override("en"):
        assert rendered(text) == "Work order created: On-site repair."
    with translation.override("zh-hans"):
        assert rendered(text) == "已创建派工单：上门维修。"


def test_plain_parameters_are_kept_and_nested_messages_translated():
    inner = deferred(gettext_lazy("The technician is on the way."))
    text = deferred("Checked in on site at %(time)s.", time="2026-12-04 10:00")
    with translation.override("zh-hans"):
        assert rendered(text) == "已于 2026-12-04 10:00 现场签到。"
        assert rendered(deferred("%(a)s", a=inner)) == "技师已出发。"


def test_missing_or_broken_text_falls_back():
    assert rendered(None, "stored body") == "stored body"
    assert rendered({"m": "Checked in on site at %(time)s.", "p": {"other": 1}}, "old") == "old"


def test_a_list_parameter_is_joined_with_the_readers_separator():
    text = deferred(gettext_lazy("Parts used: %(lines)s"), lines=["电脑板×1", "门封条×2"])
    with translation.override("zh-hans"):
        assert rendered(text) == "已用备件：电脑板×1、门封条×2"
    with translation.override("en"):
        assert rendered(text) == "Parts used: 电脑板×1, 门封条×2"


def test_the_stored_body_is_the_sites_language_whoever_wrote_it():
    with translation.override("en"):
        text = deferred(gettext_lazy("Work order created: %(kind)s."), kind=WorkOrderKind.ONSITE_REPAIR.label)
        assert frozen(text) == "已创建派工单：上门维修。"


def test_actor_codes_are_said_in_the_readers_language_and_names_kept():
    with translation.override("en"):
        assert actor_text("system") == "System"
        assert actor_text("") == "System"
        assert actor_text("channel:hotline") == "Hotline / phone"
        assert actor_text("survey") == "Customer (survey link)"
        assert actor_text("customer (survey link)") == "Customer (survey link)"  # a row of before the codes
        assert actor_text("王芳") == "王芳"
        assert actor_text("channel:pigeon") == "channel:pigeon"  # unknown: shown as it is
    with translation.override("zh-hans"):
        assert actor_text("system") == "系统"
        assert actor_text("email") == "邮件受理"
        assert actor_text("channel:hotline") == str(Channel.HOTLINE.label)
        assert "Hotline" not in actor_text("channel:hotline")
