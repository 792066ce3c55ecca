"""Import python-wechaty 0.10.7 on Python 3.11/3.12. Import wechaty only through here.

wechaty 0.10.7 (the newest release) no longer imports as published:

- `wechaty.wechaty.WechatyOptions` is a dataclass whose field default is a `PuppetOptions()`
  instance. Since Python 3.11 dataclasses reject any unhashable default as "mutable", and a
  plain `@dataclass` (eq=True) sets `__hash__ = None`. We give `PuppetOptions` the identity
  hash of `object` before `wechaty` is imported; nothing in wechaty hashes it otherwise.
  That default instance is still shared by every `WechatyOptions()`, and `Wechaty.__init__`
  writes the token into it: always pass a fresh `PuppetOptions()` (see `new_options`).
- pyee 12 dropped `AsyncIOEventEmitter` and urllib3 2 dropped `get_host` (used by the old
  `requests` path of the puppet service): pinned `pyee<12`, `urllib3<2` in pyproject.toml.
- wechaty-puppet-service imports `telnetlib`, removed in Python 3.13: Linli supports 3.11–3.12.

tests/test_wechaty_compat.py fails loudly when an upgrade changes any of this.
"""
from __future__ import annotations

import logging
import os
import re

# The library logs every event and message at INFO on its own handlers; WECHATY_LOG still
# chooses (silly|verbose|info|warn|error|silent).
os.environ.setdefault("WECHATY_LOG", "warn")

from wechaty_puppet.schemas.puppet import PuppetOptions  # noqa: E402

if getattr(PuppetOptions, "__hash__", None) is None:
    PuppetOptions.__hash__ = object.__hash__  # type: ignore[method-assign]

import wechaty  # noqa: E402  (must come after the patch above)
import wechaty_puppet_service.puppet  # noqa: E402,F401  (creates the PuppetService logger)
from wechaty import Wechaty, WechatyOptions  # noqa: E402



class _NoTokenInLogs(logging.Filter):
    """PuppetService warns "there are endpoint<…> and token<…>" (and "two tokens from
    options[adopted]<…>") with the token in clear, and whenever the environment and the
    options both name the gateway, which is how Linli always calls it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith("there are ") and re.search(r"token[^<]{0,30}<", message) is None


logging.getLogger("PuppetService").addFilter(_NoTokenInLogs())

__all__ = ["PuppetOptions", "Wechaty", "WechatyOptions", "new_options", "wechaty"]


def new_options(*, puppet=None, endpoint: str | None = None, token: str | None = None) -> WechatyOptions:
    """Options with their own PuppetOptions, so two bots never share a token by accident."""
    puppet_options = PuppetOptions(end_point=endpoint, token=token)
    if puppet is None:
        return WechatyOptions(puppet_options=puppet_options)
    return WechatyOptions(puppet=puppet, puppet_options=puppet_options)
