"""The email corpus decodes correctly: Chinese charsets, encoded words, RFC 2231 file names,
HTML sanitised with remote images dropped, automatic mail recognised."""

from __future__ import annotations

import pytest

from aftersales.mailin import parsing

from . import corpus

TW = "陳大文 <chan@example.com.tw>"


@pytest.mark.parametrize(
    ("raw", "subject", "name", "text"),
    [
        (corpus.plain(), "空调漏水", "李娜", "您好，我家的空调室内机一直滴水。"),
        (corpus.legacy(charset="gbk", subject="空调不制冷，请尽快处理", body="您好，空调不制冷。"), "空调不制冷，请尽快处理", "刘强", "您好，空调不制冷。"),
        # GB18030-only characters under a GB2312 label, as many mailers send them.
        (corpus.legacy(charset="gb2312", encoder="gb18030", subject="冰箱噪音𠮷", body="冰箱噪音很大，镕𠮷"), "冰箱噪音𠮷", "刘强", "冰箱噪音很大，镕𠮷"),
        (corpus.legacy(charset="gb18030", subject="热水器€", body="热水器漏电€"), "热水器€", "刘强", "热水器漏电€"),
        (corpus.legacy(charset="big5", sender=TW, subject="冷氣不冷", body="您好，冷氣機壞了。"), "冷氣不冷", "陳大文", "您好，冷氣機壞了。"),
        # HKSCS characters under a Big5 label, 8-bit transfer encoding.
        (corpus.legacy(charset="big5", encoder="big5hkscs", sender=TW, subject="冷氣唔凍", body="部冷氣啱啱壞咗", transfer="8bit"), "冷氣唔凍", "陳大文", "部冷氣啱啱壞咗"),
        # Undeclared 8-bit GBK headers (old clients) and a GBK body.
        (corpus.raw_8bit(sender="王芳 <wf@example.com>".encode("gbk"), subject="热水器漏电".encode("gbk"), body="热水器漏电，很危险".encode("gbk"), charset="gbk"), "热水器漏电", "王芳", "热水器漏电，很危险"),
        (corpus.raw_8bit(sender="王芳 <wf@example.com>".encode(), subject="热水器漏电".encode(), body="热水器漏电".encode("gb18030"), charset="gb2312"), "热水器漏电", "王芳", "热水器漏电"),
    ],
)  # fmt: skip
def test_chinese_encodings_decode(raw, subject, name, text):
    mail = parsing.parse(raw)
    assert (mail.subject, mail.from_name, mail.text) == (subject, name, text)


@pytest.mark.parametrize("style", ["rfc2231", "rfc2231-gbk", "encoded-word"])
def test_chinese_attachment_names_decode(style):
    mail = parsing.parse(
        corpus.with_attachments(files=[("故障照片 1.png", corpus.png_bytes(), "octet-stream")], filename_style=style)
    )
    (attachment,) = mail.attachments
    assert attachment.filename == "故障照片 1.png"
    assert attachment.data == corpus.png_bytes()
    assert mail.text == "照片见附件。"


def test_multipart_alternative_prefers_text_and_keeps_sanitised_html():
    html = '<div>洗衣机不脱水<img src="https://tracker.example.com/open.gif?u=1"><script>fetch("x")</script><a href="javascript:alert(1)" onclick="steal()">详情</a><a href="https://example.com/manual">手册</a><img src="cid:photo1" alt="照片"></div>'
    mail = parsing.parse(corpus.alternative(text="洗衣机不脱水，显示E21。", html=html))
    assert mail.text == "洗衣机不脱水，显示E21。"
    assert "tracker.example.com" not in mail.html and "src=" not in mail.html
    assert "<script" not in mail.html and "fetch" not in mail.html
    assert "javascript:" not in mail.html and "onclick" not in mail.html
    assert 'href="https://example.com/manual"' in mail.html and 'alt="照片"' in mail.html


def test_html_only_mail_becomes_text():
    mail = parsing.parse(corpus.html_only(html="<p>第一行<br>第二行</p><p>&lt;重要&gt; 冰箱</p><style>p{}</style>"))
    assert mail.text == "第一行\n第二行\n<重要> 冰箱"


@pytest.mark.parametrize("kind", ["auto-submitted", "x-autoreply", "precedence", "bulk", "exchange"])
def test_auto_replies_are_recognised(kind):
    assert parsing.automatic_reason(parsing.parse(corpus.auto_reply(kind))) is not None


def test_bounces_are_recognised_and_normal_mail_is_not():
    assert parsing.automatic_reason(parsing.parse(corpus.bounce())).startswith("Bounce")
    assert parsing.automatic_reason(parsing.parse(corpus.plain())) is None


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n", b"just some bytes without headers", b"Subject: no sender\r\n\r\nbody", b"From: nobody\r\nSubject: x\r\n\r\nbody",
     b'From: "=?utf-8?b?5p2O5aicIDxsaS5uYUBleGFtcGxlLmNvbT4=?="\r\n\r\nbody'],
)  # fmt: skip
def test_malformed_messages_raise_a_reason(raw):
    with pytest.raises(ValueError):
        parsing.parse(raw)


def test_missing_message_id_is_derived_from_the_bytes():
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nbody"
    first, digest = parsing.message_id_of(raw)
    assert first == f"<sha256.{digest}@aftersales.invalid>"
    assert parsing.message_id_of(raw)[0] == first
    assert parsing.message_id_of(raw + b"!")[0] != first


def test_quoted_text_is_cut_from_replies():
    text = "好的，明天上午家里有人。\n\n在 2026年11月24日 09:00，售后服务 写道：\n> 您的工单已登记"
    assert parsing.strip_quoted(text) == "好的，明天上午家里有人。"
    assert "> 您的工单" not in parsing.strip_quoted("谢谢\n-----原始邮件-----\n发件人: x\n> old")
