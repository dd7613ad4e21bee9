"""The parsed configuration is shared between callers that only read it (the city's time zone, asked for every local
day) and copied for callers that change it; either way an edited file is what the next call sees."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from citycredit.core import city, config


def test_a_copy_changed_by_its_caller_leaves_what_the_next_caller_reads(tmp_path):
    (tmp_path / "settings.yaml").write_text("city: {name: 平顶山市, timezone: Asia/Shanghai}\n", encoding="utf-8")
    mine = config.load_yaml("settings.yaml", tmp_path)
    mine["city"]["name"] = "别的市"
    assert config.read_yaml("settings.yaml", tmp_path) == {"city": {"name": "平顶山市", "timezone": "Asia/Shanghai"}}
    assert config.load_yaml("settings.yaml", tmp_path)["city"]["name"] == "平顶山市"


def test_the_time_zone_follows_an_edited_registry(tmp_path, monkeypatch):
    registry = tmp_path / "departments.yaml"
    registry.write_text("city: {name: 平顶山市, timezone: Asia/Shanghai}\ndepartments: []\n", encoding="utf-8")
    monkeypatch.setenv(city.REGISTRY_ENV, str(registry))
    assert city.timezone() == ZoneInfo("Asia/Shanghai")
    registry.write_text("city: {name: 乌鲁木齐市, timezone: Asia/Urumqi}\ndepartments: []\n", encoding="utf-8")
    os.utime(registry, ns=(1, 1))  # another version even where the clock's step is coarser than two writes
    assert city.timezone() == ZoneInfo("Asia/Urumqi")
    assert city.registry_file()[1]["city"]["name"] == "乌鲁木齐市"
