"""core.text.normalise: one form for the search, the triage and the duplicate detection."""

import pytest

from aftersales.core.text import normalise, normalise_query


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＭＰ３", "mp3"),  # full-width letters and digits
        ("装了ＸＰ系统", "装了xp系统"),
        ("Windows XP", "windows xp"),
        ("\ufeff屏幕坏了", "屏幕坏了"),  # a byte-order mark at the start
        ("屏幕\u200b坏了", "屏幕坏了"),  # a zero-width space
        ("a\x00b\x07c", "abc"),  # control characters
        ("  快递\u3000\u3000太慢\n\t了  ", "快递 太慢 了"),  # the ideographic space too
        ("售后，客服！", "售后,客服!"),  # full-width punctuation
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_none_and_query() -> None:
    assert normalise(None) == ""
    assert normalise_query("ＸＰ") == normalise("xp") == "xp"


def test_full_and_half_width_forms_compare_equal() -> None:
    assert normalise("ＭＰ３播放器") == normalise("mp3播放器") == normalise("MP3播放器")


def test_chinese_is_left_as_it_is() -> None:
    assert normalise("维修不及时") == "维修不及时"
    assert normalise("發票") == "發票"  # no traditional → simplified conversion
