"""The safety words added with the triage (issue 20) for databases made before it: hazards the
detector missed (空烧, a swollen battery, 烫到, 电死, food poisoning and allergies, 生命危险, 烧坏) and
harmless uses of hazard words (烧烤, 发烧友, 对焦, slang 爆炸, hurt feelings, battery drain as 漏电).
Frozen here (a fresh database gets the code's lists from 0002). A word an administrator
deactivated stays inactive; one they deleted comes back."""

from django.db import migrations

HAZARDS = [
    "烧坏",
    "烧毁",
    "烧黑",
    "熏黑",
    "短路",
    "空烧",
    "干烧",
    "电死",
    "电麻",
    "鼓包",
    "re:电池[^，,。.！!？?；;]{0,6}(鼓|胀|膨胀|瓢)",
    "烫到",
    "生命危险",
    "拉肚子",
    "腹泻",
    "呕吐",
    "食物中毒",
    "过敏",
    "起疹",
    "红肿",
]

EXCLUSIONS = [
    "烧烤",
    "发烧友",
    "发烧级",
    "烧钱",
    "烧录",
    "对焦",
    "焦点",
    "焦距",
    "焦虑",
    "焦急",
    "爆炸式",
    "信息爆炸",
    "re:(烂|差|慢|卡|贵|坑|丑|垃圾|无语|郁闷|气|烦|坑爹)到?爆炸",
    "re:(很|好|太|真|挺|最|心灵|感情|心理|心里|心都|幼小的心灵|心)受伤",
    "受伤的心",
    "受伤害",
    "re:(电池|电量|待机|耗电|费电|掉电|续航)[^，,。.！!？?；;]{0,8}漏电",
    "re:漏电[^，,。.！!？?；;]{0,8}(电池|电量|待机|掉电|耗电|费电|没电|续航|%)",
    "re:(担心|怕|害怕|万一|以免|防止|避免|恐怕)[^，,。.！!？?；;]{0,6}(烧坏|烧毁|短路)",
    "re:烫到(不|没法|无法|受不了|握不住|拿不住)",
    "re:(充|通|断|来|停|用|耗|掉|放|省)电到",
    "re:带电(池|源|量|脑|视|话|线)",
    "re:(屏幕|屏|机身|外壳|表面|后盖|壳|边框|镜头|漆)[^，,。.！!？?；;]{0,4}划伤",
    "re:(屏幕|屏|玻璃|钢化膜|贴膜|膜)[^，,。.！!？?；;]{0,3}(爆裂|炸了)",
]


def forwards(apps, schema_editor):
    word = apps.get_model("crisis", "SafetyWord")
    for text in HAZARDS:
        word.objects.get_or_create(kind="hazard", text=text)
    for text in EXCLUSIONS:
        word.objects.get_or_create(kind="exclusion", text=text)


def backwards(apps, schema_editor):
    word = apps.get_model("crisis", "SafetyWord")
    word.objects.filter(kind="hazard", text__in=HAZARDS).delete()
    word.objects.filter(kind="exclusion", text__in=EXCLUSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("crisis", "0005_component_dimension")]

    operations = [migrations.RunPython(forwards, backwards)]
