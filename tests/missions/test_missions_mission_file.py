"""Mission files: the reference mission loads; every kind of mistake is one error naming its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from missions.mission import REFERENCE_MISSION, load_mission

TEXT = REFERENCE_MISSION.read_text(encoding="utf-8")


def test_reference_mission_loads_with_its_facts():
    m = load_mission()
    assert m.spacecraft.wet_mass_kg == 2100.0  # "about 2.1 t", mission-facts §1
    assert m.phases.launch.window_start <= "2025-05-28" <= m.phases.launch.window_end
    assert m.phases.extended.flybys[0] == "earth"
    assert m.phases.return_.entry_speed_max_km_s == 12.0
    assert m.targets.asteroid == "kamooalewa" and m.targets.comet == "311p"
    assert "estimate" in m.launch_vehicle.source
    assert "kamooalewa" in repr(m).lower()


def test_power_and_launch_vehicle_models():
    m = load_mission()
    sep = m.spacecraft.sep
    t1 = float(sep.max_thrust_n(1.0))
    # thrust = 2 eta P / (Isp g0), P ~ 1/r^2 beyond 1 au and capped inside
    assert t1 == pytest.approx(2 * sep.efficiency * sep.power_1au_kw * 1e3 / (sep.isp_s * 9.80665))
    assert float(sep.max_thrust_n(2.0)) == pytest.approx(t1 / 4)
    assert float(sep.max_thrust_n(0.9)) == pytest.approx(
        2
        * sep.efficiency
        * min(sep.power_1au_kw / 0.81, sep.max_power_kw)
        * 1e3
        / (sep.isp_s * 9.80665)
    )
    lv = m.launch_vehicle
    c3 = lv.max_c3(2100.0)
    assert lv.mass_capability(c3) == pytest.approx(2100.0)
    assert lv.max_c3(1e5) != lv.max_c3(1e5)  # NaN: too heavy
    assert np.all(np.diff(lv.mass_capability(np.linspace(0, 30, 7))) < 0)


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "data" / "targets").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, named",
    [
        ("wet_mass_kg = 2100.0", "", "spacecraft.wet_mass_kg"),
        ("wet_mass_kg = 2100.0", "wet_mass_kg = -5.0", "spacecraft.wet_mass_kg"),
        ("wet_mass_kg = 2100.0", "wet_mass_kg = 'heavy'", "spacecraft.wet_mass_kg"),
        ("wet_mass_kg = 2100.0", "wet_mass_kg = 9000.0", "spacecraft.wet_mass_kg"),
        ("dry_mass_kg = 1250.0", "dry_mass_kg = 2500.0", "dry_mass_kg"),
        ("thrust_n = 490.0", "thrust_n = 0.0", "spacecraft.chemical.thrust_n"),
        ("efficiency = 0.6", "efficiency = 1.6", "spacecraft.sep.efficiency"),
        ("efficiency = 0.6", "efficency = 0.6", "spacecraft.sep.efficency"),
        ("mass_kg = [2900.0, 2650.0", "mass_kg = [2650.0", "launch_vehicle"),
        ('window_start = "2025-04-15"', 'window_start = "2025-09-15"', "phases.launch"),
        ('window_start = "2025-04-15"', 'window_start = "April"', "phases.launch.window_start"),
        ("min_days = 200.0", "min_days = 400.0", "phases.stay"),
        (
            "entry_speed_max_km_s = 12.0",
            "entry_speed_max_km_s = -1.0",
            "phases.return.entry_speed_max_km_s",
        ),
        ('flybys = ["earth"]', 'flybys = ["mars"]', "phases.extended.flybys"),
        ('flybys = ["earth"]', 'flybys = ["earth", "mars"]', "min_flyby_altitude_km"),
        ('flybys = ["earth"]', 'flybys = ["earth", "pluto"]', "phases.extended.flybys"),
        ('minimize = "propellant"', 'minimize = "fun"', "objective.minimize"),
        ('design = "low-thrust"', 'design = "warp"', "phases.outbound.design"),
        ("[phases.stay]", "[phases.stey]", "phases"),
        ('asteroid = "kamooalewa"', 'asteroid = "bennu"', "targets.asteroid"),
    ],
)
def test_errors_name_the_key(tmp_path, old, new, named):
    assert old in TEXT
    path = _write(tmp_path, TEXT.replace(old, new, 1))
    with pytest.raises(ValueError) as info:
        load_mission(path)
    message = str(info.value)
    assert named in message, message
    assert message.startswith("m.toml") or "m.toml" in message
    assert "\n" not in message


def test_missing_target_file_and_bad_toml(tmp_path):
    path = _write(tmp_path, TEXT.replace("data/targets/311p.toml", "data/targets/nowhere.toml"))
    with pytest.raises(ValueError, match="targets.comet_file"):
        load_mission(path)
    path = _write(tmp_path, TEXT + "\n[[broken\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_mission(path)
    with pytest.raises(ValueError, match="does not exist"):
        load_mission(tmp_path / "absent.toml")


def test_replace_is_validated_like_a_file():
    m = load_mission()
    m2 = m.replace(**{"phases.launch.window_start": "2025-06-01"})
    assert m2.phases.launch.window_start == "2025-06-01"
    assert m.phases.launch.window_start == "2025-04-15"  # frozen original
    with pytest.raises(ValueError, match="phases.launch"):
        m.replace(**{"phases.launch.window_start": "2026-01-01"})
    with pytest.raises(ValueError, match="unknown mission key"):
        m.replace(**{"phases.launch.start": "2025-06-01"})


def test_cli_rejects_a_bad_mission_file_in_one_line(tmp_path):
    path = _write(tmp_path, TEXT.replace("isp_s = 315.0", "isp_s = 3150.0"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "mission",
            "plan",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "spacecraft.chemical.isp_s" in result.stderr
    assert result.stdout == ""
