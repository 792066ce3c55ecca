"""The compatibility shim for python-wechaty 0.10.7: fails loudly when an upgrade changes
what bot/transport/wechaty_compat.py works around (read its docstring before fixing)."""
from __future__ import annotations

import dataclasses
import sys
from importlib.metadata import version

from bot.transport.wechaty_compat import PuppetOptions, Wechaty, WechatyOptions, new_options


def test_versions_are_the_ones_the_shim_was_written_for():
    assert version("wechaty") == "0.10.7", "wechaty changed: re-check wechaty_compat.py and drop what is fixed"
    assert int(version("pyee").split(".")[0]) < 12, "pyee 12+ has no AsyncIOEventEmitter (wechaty needs it)"
    assert int(version("urllib3").split(".")[0]) < 2, "urllib3 2 removed get_host (old requests path)"


def test_python_version_is_supported():
    # wechaty-puppet-service imports telnetlib, which Python 3.13 removed.
    assert (3, 11) <= sys.version_info[:2] <= (3, 12)
    import wechaty_puppet_service  # noqa: F401


def test_wechaty_options_construct_and_do_not_share_puppet_options():
    first, second = new_options(endpoint="127.0.0.1:1", token="a"), new_options(token="b")
    assert first.puppet_options is not second.puppet_options
    assert (first.puppet_options.end_point, first.puppet_options.token) == ("127.0.0.1:1", "a")
    assert second.puppet_options.token == "b"
    assert WechatyOptions().puppet == "wechaty-puppet-service"
    field = next(f for f in dataclasses.fields(WechatyOptions) if f.name == "puppet_options")
    assert isinstance(field.default, PuppetOptions)


def test_the_patch_is_still_needed():
    # If PuppetOptions became hashable (frozen) upstream, the patch in wechaty_compat is dead code.
    assert PuppetOptions.__hash__ is object.__hash__
    assert dataclasses.fields(PuppetOptions)[0].name == "token"


def test_wechaty_builds_with_an_in_process_puppet():
    from tests.inprocess_puppet import InProcessPuppet
    bot = Wechaty(new_options(puppet=InProcessPuppet()))
    assert bot.puppet.self_id() == "wxid_linli"
