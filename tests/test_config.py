"""Configuration: good files load; bad ones get one readable error, never a traceback."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings

GOOD = """\
timezone: Asia/Shanghai
rooms:
  - {id: r-all, name: 江畔社区居民群, scope: community}
  - {id: r-b3, name: 姚畔湾3号楼, scope: building, building: 3号楼}
staff:
  - {id: u-mao, name: 毛宁, role: grid_worker, buildings: [3号楼]}
"""


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text, env=None) -> str:
    with pytest.raises(ConfigError) as exc:
        load_settings(write(tmp_path, text), env=env or {})
    return str(exc.value)


def test_sample_config_loads(settings):
    assert settings.community.name == "江畔社区"
    assert len(settings.rooms) == 4 and settings.transport == "local"
    assert settings.cases.sla.accept == timedelta(hours=2)
    assert settings.schedule.digest == "mon 09:00"


def test_defaults_fill_what_is_left_out(tmp_path):
    s = load_settings(write(tmp_path, GOOD), env={})
    assert s.database == "sqlite:///linli.db" and s.web.port == 8080
    assert s.cases.ladder == ["社区", "职能部门", "街道"] and s.proposals.support_threshold == 5


def test_environment_overrides_database_and_file(tmp_path):
    path = write(tmp_path, GOOD)
    s = load_settings(None, env={"LINLI_CONFIG": str(path), "LINLI_DATABASE": "sqlite:///x.db"})
    assert s.database == "sqlite:///x.db" and s.source == path


def test_missing_key_names_key_file_and_line(tmp_path):
    msg = error_for(tmp_path, "timezone: Asia/Shanghai\nstaff: []\n")
    assert "config.yaml:1" in msg and "rooms" in msg and "required" in msg


def test_wrong_value_points_at_its_line(tmp_path):
    text = GOOD.replace("role: grid_worker", "role: wizard")
    msg = error_for(tmp_path, text)
    assert "config.yaml:6" in msg and "staff.0.role" in msg and "grid_worker" in msg


def test_bad_duration_is_explained(tmp_path):
    msg = error_for(tmp_path, GOOD + "cases:\n  sla: {accept: soon}\n")
    assert "cases.sla.accept" in msg and "2h" in msg and "config.yaml:8" in msg


def test_unknown_key_is_reported(tmp_path):
    msg = error_for(tmp_path, GOOD + "transprot: local\n")
    assert "transprot" in msg and "unknown key" in msg


def test_building_room_needs_a_building(tmp_path):
    msg = error_for(tmp_path, GOOD.replace(", building: 3号楼}", "}"))
    assert "rooms.1" in msg and "building" in msg


def test_yaml_syntax_error_names_the_line(tmp_path):
    msg = error_for(tmp_path, GOOD + "web: {host: [\n")
    assert "not valid YAML" in msg and "config.yaml:" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_cli_prints_the_error_without_traceback(tmp_path, capsys):
    path = write(tmp_path, "rooms: 3\n")
    assert main(["replay", "x.jsonl", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "rooms" in err and "Traceback" not in err
