"""The SMS and WeChat providers a Chinese company sends through (docs/notifications.md, "SMS and
WeChat providers"): Aliyun SMS (``aliyun``), Tencent Cloud SMS (``tencent``) and WeChat Official
Account template messages (``wechat``). What they share — their settings, the template per
kind of message, the values a template is filled with, phone numbers — is in ``common``."""
