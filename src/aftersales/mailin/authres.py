"""``Authentication-Results`` (RFC 8601): what the receiving mail server found about SPF, DKIM and
DMARC, and whether a reply may therefore count as the customer's own.

No maintained parser is installed (``authres`` is unmaintained since 2019), so this is a small one
that follows the RFC's grammar: an authserv-id (a token or a quoted string) with an optional
version, then ``;``-separated results ``method[/version]=result [reason=value] ptype.property=value
…``, with comments in parentheses (nested, escaped) and quoted strings anywhere a value may be.
It never raises: a header it cannot read is skipped as if absent.

Trust: anybody can write an ``Authentication-Results`` header into a mail. Only a header whose
authserv-id is one of ours (``MAILIN_TRUSTED_AUTHSERV_IDS``) counts, and of those only the topmost
(the one the last hop, our receiving server, prepended; RFC 8601 §5 has it remove any older
header that claims its authserv-id). Configure the receiving server to do so (Postfix with
OpenDMARC/OpenDKIM, rspamd, Exchange Online and Gmail all do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Results that mean the check passed; everything else ("fail", "softfail", "neutral", "none",
#: "temperror", "permerror", "policy") does not.
PASS = "pass"  # noqa: S105 - an RFC 8601 result, not a password


@dataclass(frozen=True)
class MethodResult:
    method: str  # "spf", "dkim", "dmarc", … lower-case, version dropped
    result: str  # lower-case
    properties: dict[str, str] = field(default_factory=dict)  # "header.d" → "example.com"

    def prop(self, name: str) -> str:
        return self.properties.get(name, "")


@dataclass(frozen=True)
class AuthenticationResults:
    authserv_id: str  # lower-case
    results: list[MethodResult]

    def of(self, method: str) -> list[MethodResult]:
        return [r for r in self.results if r.method == method]


def _strip_comments(text: str) -> str:
    """``text`` without RFC 5322 comments; quoted strings kept as they are (quotes included)."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for ch in text:
        if escaped:
            if depth == 0:
                out.append(ch)
            escaped = False
            continue
        if ch == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
            continue
        if ch == "(":
            depth += 1
            continue
        if ch == ")" and depth:
            depth -= 1
            continue
        if depth:
            continue
        if ch == '"':
            quoted = True
        out.append(ch)
    return " " if depth else "".join(out)


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        out, escaped = [], False
        for ch in inner:
            if escaped:
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            else:
                out.append(ch)
        return "".join(out)
    return value


def _words(text: str) -> list[str]:
    """The words of a segment, with the spaces that RFC 8601 allows around ``=``, ``.`` and ``/``
    taken out (``header . d = x`` → ``header.d=x``); quoted strings kept whole."""
    tokens: list[tuple[str, bool]] = []  # (token, whitespace before it)
    current: list[str] = []
    space = False
    quoted = escaped = False

    def flush() -> None:
        nonlocal space
        if current:
            tokens.append(("".join(current), space))
            current.clear()
            space = False

    for ch in text:
        if quoted:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            current.append(ch)
            quoted = True
        elif ch.isspace():
            flush()
            space = True
        elif ch in "=/":
            flush()
            tokens.append((ch, space))
            space = False
        else:
            current.append(ch)
    flush()
    words: list[str] = []
    previous_separator = True
    for token, spaced in tokens:
        separator = token in {"=", "/"}
        if words and (separator or previous_separator or not spaced):
            words[-1] += token
        else:
            words.append(token)
        previous_separator = separator
    # "header . d" (spaces around the dot of a property name) → "header.d"
    joined: list[str] = []
    for word in words:
        if joined and (word.startswith(".") or joined[-1].endswith(".")) and "=" not in joined[-1]:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def parse(value: str) -> AuthenticationResults | None:
    """One ``Authentication-Results`` header's value; ``None`` when it is not one."""
    text = _strip_comments(" ".join((value or "").split()))
    segments = _split(text, ";")
    head = _words(segments[0])
    if not head:
        return None
    authserv_id = _unquote(head[0]).lower()
    if not authserv_id or "=" in head[0]:
        return None
    if len(head) > 2 or (len(head) == 2 and not head[1].isdigit()):
        return None  # an authserv-id is one value, optionally followed by a version number
    results: list[MethodResult] = []
    for segment in segments[1:]:
        words = _words(segment)
        if not words:
            continue
        if len(words) == 1 and words[0].lower() == "none":
            continue  # "no-result": nothing was checked
        method_word = words[0]
        method, sep, result = method_word.partition("=")
        if not sep or not method or not result:
            continue  # unreadable: skipped, which can only take a "pass" away
        method = method.partition("/")[0].strip().lower()
        properties: dict[str, str] = {}
        for word in words[1:]:
            name, sep, prop_value = word.partition("=")
            if not sep:
                continue  # stray text: ignore the word, keep the result
            properties[name.strip().lower()] = _unquote(prop_value)
        results.append(MethodResult(method=method, result=_unquote(result).lower(), properties=properties))
    return AuthenticationResults(authserv_id=authserv_id, results=results)


def trusted_results(headers: list[str], trusted_ids: frozenset[str]) -> AuthenticationResults | None:
    """The topmost header (``headers`` in the message's order) written by a trusted server. Older
    ones are never consulted, even where the topmost says nothing useful."""
    for value in headers:
        parsed = parse(value)
        if parsed is not None and parsed.authserv_id in trusted_ids:
            return parsed
    return None


def _domain(value: str) -> str:
    """The domain of an address, a domain, or ``@domain`` (as ``header.i`` writes it)."""
    return value.strip().strip("<>").rpartition("@")[2].strip().rstrip(".").lower()


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1) without a public-suffix list: the same domain, or one a
    subdomain of the other (a signer cannot hold a key for a public suffix)."""
    if not domain or not from_domain:
        return False
    return domain == from_domain or from_domain.endswith("." + domain) or domain.endswith("." + from_domain)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    found: bool  # a trusted header was there
    summary: str  # "spf=pass dkim=fail dmarc=fail", for the reason shown to agents


def verdict(*, headers: list[str], trusted_ids: frozenset[str], from_address: str) -> Verdict:
    """Does the receiving server vouch for the From address? DMARC's own answer when it gave one
    (for this From domain); else a DKIM signature or an SPF pass aligned with the From domain."""
    results = trusted_results(headers, trusted_ids)
    if results is None:
        return Verdict(passed=False, found=False, summary="")
    from_domain = _domain(from_address)
    summary = " ".join(f"{r.method}={r.result}" for r in results.results if r.method in {"spf", "dkim", "dmarc"}) or "none"
    dmarc = [r for r in results.of("dmarc") if not r.prop("header.from") or _domain(r.prop("header.from")) == from_domain]
    if any(r.result == PASS for r in dmarc):
        return Verdict(passed=True, found=True, summary=summary)
    if any(r.result not in {"none", ""} for r in dmarc):
        return Verdict(passed=False, found=True, summary=summary)  # fail, temperror, permerror: hold
    dkim_ok = any(
        r.result == PASS and aligned(_domain(r.prop("header.d") or r.prop("header.i")), from_domain) for r in results.of("dkim")
    )
    spf_ok = any(
        r.result == PASS and aligned(_domain(r.prop("smtp.mailfrom") or r.prop("smtp.helo")), from_domain)
        for r in results.of("spf")
    )
    return Verdict(passed=dkim_ok or spf_ok, found=True, summary=summary)
