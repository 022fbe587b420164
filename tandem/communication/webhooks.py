"""Chat and generic webhook formats: pure functions from a message to the request each platform expects.

Each platform gets its documented format:

- Slack incoming webhook: ``text`` (the notification fallback) and ``blocks`` with a ``mrkdwn``
  section; Slack answers ``ok``.
- Microsoft Teams (Workflows "post to a channel when a webhook request is received"): a ``message``
  with one Adaptive Card 1.4 attachment; it answers 202.
- WeCom group robot: ``msgtype`` ``markdown``; the answer carries ``errcode`` 0 on success.
- DingTalk custom robot: ``msgtype`` ``markdown`` with ``title`` and ``text``; signed (when the robot
  has a secret) with ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret,
  timestamp + "\\n" + secret))) as query parameters; the answer carries ``errcode`` 0.
- Feishu / Lark custom bot: ``msg_type`` ``post`` (rich text); signed (when the bot has a secret) with
  ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256 keyed with timestamp + "\\n" + secret over an
  empty message) in the body; the answer carries ``code`` 0.
- Generic: ``{id, event, occurred_at, project: {code, name}, title, text, url}`` with the headers
  ``X-Tandem-Event``, ``X-Tandem-Delivery`` (the same on every retry), ``X-Tandem-Timestamp`` and
  ``X-Tandem-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.

A delivery stores :func:`payload` (the body without the per-attempt signature); :func:`build_request`
signs it for one attempt and :func:`response_error` reads the platform's answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tandem.communication.choices import WebhookKind

#: WeCom limits a markdown message to 4096 bytes; the others accept more, so one budget fits all.
TEXT_BUDGET = 3500


@dataclass(frozen=True)
class Message:
    """What happened, already rendered in the endpoint's language."""

    id: str
    event: str
    occurred_at: str
    project_code: str
    project_name: str
    title: str
    text: str
    url: str
    open_label: str = "Open in Tandem"


def new_secret() -> str:
    """A signing secret for a generic webhook."""
    return "whsec_" + secrets.token_urlsafe(32)


def _cut(text: str, budget: int = TEXT_BUDGET) -> str:
    if len(text.encode()) <= budget:
        return text
    cut = text.encode()[: budget - 3].decode(errors="ignore")
    return cut + "…"


def _slack_escape(text: str) -> str:
    # Slack reads &, < and > as markup (<!channel> would ping everyone).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook message: plain fallback text and a mrkdwn section with a link."""
    title = _slack_escape(message.title)
    body = _slack_escape(_cut(message.text))
    link = f"<{message.url}|{_slack_escape(message.open_label)}>"
    return {
        "text": f"[{message.project_code}] {message.title}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{_slack_escape(message.project_name)} · {link}"}],
            },
        ],
    }


def teams(message: Message) -> dict[str, Any]:
    """A Teams Workflows message with one Adaptive Card 1.4."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": message.title,
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {"type": "TextBlock", "text": _cut(message.text), "wrap": True},
                        {
                            "type": "TextBlock",
                            "text": message.project_name,
                            "isSubtle": True,
                            "spacing": "Small",
                            "wrap": True,
                        },
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": message.open_label, "url": message.url}],
                },
            }
        ],
    }


def _markdown(message: Message) -> str:
    return (
        f"**{message.title}**\n\n{_cut(message.text)}\n\n"
        f"{message.project_name} · [{message.open_label}]({message.url})"
    )


def wecom(message: Message) -> dict[str, Any]:
    """A WeCom group-robot markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": _cut(_markdown(message), 4000)}}


def dingtalk(message: Message) -> dict[str, Any]:
    """A DingTalk custom-robot markdown message (the title shows in the conversation list)."""
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": _markdown(message)}}


def feishu(message: Message) -> dict[str, Any]:
    """A Feishu / Lark rich-text (post) message."""
    paragraphs: list[list[dict[str, Any]]] = [
        [{"tag": "text", "text": line}] for line in _cut(message.text).splitlines() if line.strip()
    ]
    paragraphs.append(
        [
            {"tag": "text", "text": f"{message.project_name} · "},
            {"tag": "a", "text": message.open_label, "href": message.url},
        ]
    )
    post = {"title": message.title, "content": paragraphs}
    return {"msg_type": "post", "content": {"post": {"zh_cn": post, "en_us": post}}}


def generic(message: Message) -> dict[str, Any]:
    """The generic JSON event."""
    return {
        "id": message.id,
        "event": message.event,
        "occurred_at": message.occurred_at,
        "project": {"code": message.project_code, "name": message.project_name},
        "title": message.title,
        "text": message.text,
        "url": message.url,
    }


FORMATTERS = {
    WebhookKind.SLACK: slack,
    WebhookKind.TEAMS: teams,
    WebhookKind.WECOM: wecom,
    WebhookKind.DINGTALK: dingtalk,
    WebhookKind.FEISHU: feishu,
    WebhookKind.GENERIC: generic,
}


def payload(kind: str, message: Message) -> dict[str, Any]:
    """The body the platform ``kind`` expects for ``message``, without any per-attempt signature."""
    return FORMATTERS[WebhookKind(kind)](message)


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature (base64, not yet URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: the key is timestamp + newline + secret, the message is empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def generic_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``"{timestamp}.{body}"``."""
    signed = f"{timestamp_s}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    query.extend(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def build_request(
    *,
    kind: str,
    url: str,
    secret: str,
    body: dict[str, Any],
    event: str,
    delivery_id: str,
    now: float,
) -> tuple[str, dict[str, str], bytes]:
    """The ``(url, headers, body)`` of one attempt, signed as the platform requires at time ``now``."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Tandem-Webhooks/1"}
    if kind == WebhookKind.DINGTALK and secret:
        timestamp_ms = int(now * 1000)
        url = _with_query(url, {"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)})
    elif kind == WebhookKind.FEISHU and secret:
        timestamp_s = int(now)
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **body}
    raw = _dumps(body)
    if kind == WebhookKind.GENERIC:
        timestamp_s = int(now)
        headers.update(
            {
                "X-Tandem-Event": event,
                "X-Tandem-Delivery": delivery_id,
                "X-Tandem-Timestamp": str(timestamp_s),
                "X-Tandem-Signature": generic_signature(secret, timestamp_s, raw),
            }
        )
    return url, headers, raw


def response_error(kind: str, status_code: int, text: str) -> str:
    """Why the platform refused the message, or ``""`` when it was accepted.

    A 2xx is not enough: WeCom and DingTalk answer ``errcode`` ≠ 0, Feishu ``code`` ≠ 0, with 200.
    """
    if not 200 <= status_code < 300:
        return f"HTTP {status_code}"
    if kind not in (WebhookKind.WECOM, WebhookKind.DINGTALK, WebhookKind.FEISHU):
        return ""
    try:
        answer = json.loads(text or "{}")
    except ValueError:
        return "not a JSON answer"
    if not isinstance(answer, dict):
        return "not a JSON object"
    if kind == WebhookKind.FEISHU:
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code = answer.get("errcode", 0)
        message = answer.get("errmsg", "")
    if code in (0, "0", None):
        return ""
    return f"code {code}: {message}"
