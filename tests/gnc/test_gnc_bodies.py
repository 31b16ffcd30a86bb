"""Small-body physical model: derived numbers against mission-facts section 2a."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest

from gnc.bodies import G_SI, SmallBodyModel, axes_for_diameter, kamooalewa


@pytest.mark.parametrize(
    ("diameter", "gm_table", "g_table", "vesc_cm_s"),
    [
        (36, 4.4e-3, 1.4e-5, 2.2),
        (41, 6.5e-3, 1.5e-5, 2.5),
        (58, 1.8e-2, 2.2e-5, 3.6),
        (100, 9.4e-2, 3.8e-5, 6.1),
    ],
)
def test_derived_table_of_mission_facts(diameter, gm_table, g_table, vesc_cm_s):
    # mission-facts 2a, "Derived spin/gravity numbers" (sphere, rho 2.7 g/cm3, P 28.3 min)
    body = kamooalewa(diameter_m=diameter)
    assert body.gm == pytest.approx(gm_table, rel=0.03)
    assert body.surface_gravity == pytest.approx(g_table, rel=0.05)
    assert body.escape_speed * 100 == pytest.approx(vesc_cm_s, rel=0.05)
    assert body.spin_rate == pytest.approx(3.70e-3, rel=0.01)
    # centrifugal/gravity ratio ~18, independent of diameter
    assert body.centrifugal_to_gravity == pytest.approx(18, rel=0.05)


def test_quantities_accepted_and_mass_consistent():
    body = kamooalewa(diameter_m=50 * u.m, density=2.7 * u.g / u.cm**3, period_min=0.47 * u.h)
    assert body.density_kg_m3 == pytest.approx(2700)
    assert body.period_s == pytest.approx(0.47 * 3600)
    assert body.gm == pytest.approx(G_SI * 2700 * math.pi / 6 * 50**3)
    a, b, c = body.semi_axes_m
    assert a * b * c == pytest.approx(25.0**3)
    assert a >= b >= c
    assert "Kamo" in repr(body)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"diameter_m": 20}, "diameter 20 m is outside"),
        ({"density": 9000}, "density"),
        ({"period_min": 60}, "rotation period"),
    ],
)
def test_out_of_range_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kamooalewa(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="positive"):
        SmallBodyModel("x", diameter_m=-1, density_kg_m3=2000, period_s=100)
    with pytest.raises(ValueError, match="convertible"):
        kamooalewa(diameter_m=3 * u.s)
    with pytest.raises(ValueError, match="axis ratios"):
        axes_for_diameter(10, (1, -1, 1))


def test_synchronous_radius_balances_forces():
    body = kamooalewa()
    rs = body.synchronous_radius_m
    assert body.gm / rs**2 == pytest.approx(body.spin_rate**2 * rs)


def test_gravity_set_builds_consistent_models():
    gs = kamooalewa(diameter_m=60.0, density=2000.0).gravity_set(
        seed=2, n_mascons=30, subdivisions=2
    )
    assert gs.mesh.equivalent_diameter == pytest.approx(60.0)
    assert gs.polyhedron.gm == pytest.approx(gs.body.gm, rel=1e-9)
    assert gs.mascons.gm == pytest.approx(gs.body.gm, rel=1e-4)
    assert gs.ellipsoid.gm == pytest.approx(gs.body.gm)
    r = [0.0, 0.0, 150.0]
    a = gs.polyhedron.acceleration(r)
    for model in (gs.mascons, gs.ellipsoid, gs.point_mass):
        assert np.linalg.norm(model.acceleration(r) - a) < 0.02 * np.linalg.norm(a)
    assert "mascons" in repr(gs)


def test_cli_body_json_and_range_error(tmp_path):
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "body",
            "--diameter",
            "58",
            "--json",
            "--shape-out",
            str(tmp_path / "s.obj"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["gm_m3_s2"] == pytest.approx(1.8e-2, rel=0.03)  # mission-facts 2a, D = 58 m
    assert data["centrifugal_to_gravity"] == pytest.approx(18, rel=0.05)
    assert (tmp_path / "s.obj").exists() and data["shape_faces"] == 1280
    bad = subprocess.run(
        [sys.executable, "-m", "missions.cli", "body", "--period", "10"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "rotation period 10 min is outside" in bad.stderr
