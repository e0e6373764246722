"""Browser, operating system and device of a login session, for "Innloggingssesjon/IP"."""
from __future__ import annotations

import json
from functools import lru_cache

from ua_parser import parse as parse_user_agent


@lru_cache(maxsize=4096)
def describe_client(user_agent: str | None, client_hints: str | None) -> tuple[str, str, str]:
    """(browser, operating system, device) from the user agent, refined by client hints.

    User agents freeze Windows at "Windows NT 10.0"; the Sec-CH-UA-Platform-Version hint
    tells Windows 11 (platform version 13 or later) apart.
    """
    if not user_agent:
        return ("Ukjent", "Ukjent", "Ukjent")
    result = parse_user_agent(user_agent)
    browser = _version(result.user_agent.family, result.user_agent.major) if result.user_agent else "Ukjent"
    os_name = _version(result.os.family, result.os.major) if result.os else "Ukjent"
    hints = json.loads(client_hints) if client_hints else {}
    platform = str(hints.get("platform", "")).strip('"')
    version = str(hints.get("platform_version", "")).strip('"')
    if platform == "Windows" and version:
        major = int(version.split(".")[0] or 0)
        os_name = "Windows 11" if major >= 13 else "Windows 10"
    device = result.device.family if result.device and result.device.family != "Other" else "Datamaskin"
    return (browser, os_name, device)


def _version(family: str, major: str | None) -> str:
    return f"{family} {major}" if major else family
