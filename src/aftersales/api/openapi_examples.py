"""Examples in the OpenAPI document for the operations an app or a CRM calls most (docs/api.md
shows the same calls with curl). Keyed by (method, path below /api/v1); each maps ``"request"``
(the body sent) and a status code to the body answered. Request examples are sent as they are by
the schema fuzz (tests/api/test_schema_fuzz.py), so they must stay valid."""

from __future__ import annotations

from typing import Any

NUMBER = "SH20261124-000002"
TICKET_SUMMARY: dict[str, Any] = {
    "number": NUMBER,
    "title": "洗衣机脱水时剧烈晃动，有异响。",
    "status": "registered",
    "status_label": "已登记",
    "channel": "wechat",
    "request_type": "repair",
    "priority": 3,
    "safety_hazard": False,
    "created_at": "2026-11-24T09:30:00+08:00",
    "updated_at": "2026-11-24T09:30:00+08:00",
    "due_at": "2026-11-24T13:30:00+08:00",
    "version": 1,
    "customer_id": 42,
}
TICKET: dict[str, Any] = {
    **TICKET_SUMMARY,
    "description": "洗衣机脱水时剧烈晃动，有异响。",
    "category": None,
    "contact_name": "陈静",
    "contact_phone": "+8613912345678",
    "contact_email": "",
    "serial_number": "",
    "product_model": None,
    "batch": "",
    "purchase_date": None,
    "occurred_at": None,
    "province": "上海市",
    "city": "上海市",
    "district": "",
    "address": "浦东新区张江路 100 号",
    "region": "east",
    "assignee": None,
    "first_response_due_at": "2026-11-24T13:30:00+08:00",
    "expected_completion_at": None,
    "resolved_at": None,
    "closed_at": None,
    "actions": ["start_verification", "assign", "claim", "reject"],
    "responsibility": None,
    "responsible_party": None,
    "responsible_party_text": None,
    "solution_promise": None,
}
PROBLEM_422 = {
    "type": "urn:aftersales:problem:intake_invalid",
    "title": "Invalid input",
    "status": 422,
    "detail": "Enter a phone number or an email address.",
    "code": "intake_invalid",
    "errors": [{"field": "phone", "message": "Enter a phone number or an email address."}],
}
ACTION_ANSWER = {**TICKET, "status": "verifying", "status_label": "核查中", "version": 2, "actions": ["record_verification"]}

EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tickets"): {
        "request": {
            "channel": "wechat",
            "customer_name": "陈静",
            "phone": "13912345678",
            "description": "洗衣机脱水时剧烈晃动，有异响。",
            "request_type": "repair",
            "province": "上海市",
            "city": "上海市",
            "address": "浦东新区张江路 100 号",
        },
        "201": TICKET,
        "422": PROBLEM_422,
    },
    ("GET", "/tickets"): {"200": {"items": [TICKET_SUMMARY], "next_cursor": None, "total": 1}},
    ("GET", "/tickets/{number}"): {"200": TICKET},
    ("PATCH", "/tickets/{number}"): {
        "request": {"serial_number": "RZ2408NB000001", "product_model_code": "XQG100-B1", "contact_phone": "13912345679"},
        "200": {**TICKET, "serial_number": "RZ2408NB000001", "product_model": "XQG100-B1", "version": 2},
    },
    ("GET", "/tickets/{number}/actions"): {
        "200": {"number": NUMBER, "version": 1, "status": "registered", "actions": ["start_verification", "assign", "claim"]}
    },
    ("POST", "/tickets/{number}/actions/start-verification"): {"request": {}, "200": ACTION_ANSWER},
    ("GET", "/tickets/{number}/timeline"): {
        "200": [
            {
                "id": 1,
                "kind": "created",
                "kind_label": "We received your request",
                "public": True,
                "body": "We received your request",
                "actor": "You",
                "created_at": "2026-11-24T09:30:00+08:00",
                "status_from": None,
                "status_to": None,
                "attachment_ids": [],
            }
        ]
    },
    ("POST", "/tickets/{number}/replies"): {
        "request": {"body": "师傅明天几点到？"},
        "201": {
            "id": 7,
            "kind": "message_in",
            "kind_label": "Your message",
            "public": True,
            "body": "师傅明天几点到？",
            "actor": "You",
            "created_at": "2026-11-24T10:02:13+08:00",
            "status_from": None,
            "status_to": None,
            "attachment_ids": [],
        },
    },
    ("GET", "/tickets/{number}/attachments"): {
        "200": [
            {
                "id": 3,
                "original_name": "leak.jpg",
                "kind": "photo",
                "content_type": "image/jpeg",
                "size": 182044,
                "sha256": "a7a4c1f0e2b94d1c8e5f3a6b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f70819",
                "public": True,
                "created_at": "2026-11-24T09:31:05+08:00",
                "download_url": "/api/v1/attachments/3",
            }
        ]
    },
    ("POST", "/tickets/{number}/attachments"): {
        "201": {
            "id": 3,
            "original_name": "leak.jpg",
            "kind": "photo",
            "content_type": "image/jpeg",
            "size": 182044,
            "sha256": "a7a4c1f0e2b94d1c8e5f3a6b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f70819",
            "public": True,
            "created_at": "2026-11-24T09:31:05+08:00",
            "download_url": "/api/v1/attachments/3",
        }
    },
    ("POST", "/auth/code"): {
        "request": {"phone": "139 1234 5678", "purpose": "sign_in"},
        "202": {
            "purpose": "sign_in",
            "detail": "If this number has an account, a code is on its way.",
            "code_minutes": 10,
            "resend_seconds": 60,
        },
    },
    ("POST", "/auth/token"): {
        "request": {"phone": "139 1234 5678", "code": "482915", "device_name": "iPhone 15 of 赵敏"},
        "201": {
            "token": "ask_3f9a2c41_…",
            "token_id": 17,
            "prefix": "ask_3f9a2c41",
            "device_name": "iPhone 15 of 赵敏",
            "scopes": ["tickets:read", "tickets:write", "catalog:read"],
            "expires_at": "2027-02-22T09:30:00+08:00",
            "username": "p8613912345678",
            "customer_id": 42,
        },
    },
    ("GET", "/me"): {
        "200": {
            "username": "agent",
            "display_name": "李娜",
            "role": "agent",
            "customer": False,
            "customer_id": None,
            "via": "api_key",
            "key_prefix": "ask_1a2b3c4d",
            "scopes": ["tickets:read", "tickets:write"],
            "region": "east",
        }
    },
}
