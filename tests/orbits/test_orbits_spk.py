"""SPK writing (orbits.spk): read back through spkezr, comments, segments at burns, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from orbits.nbody import FiniteBurn, ForceModel, Spacecraft, propagate_et
from orbits.spice import ensure_kernels
from orbits.spk import readback_error_km, spk_sample, write_spk

DAY = 86400.0
ET0 = 8.0e8
SMALL = ForceModel(("emb", "jupiter"))


@pytest.fixture(scope="module")
def flyby():
    """A spacecraft passing the Earth at ~1e6 km with two burns: varied step sizes and breaks."""
    ensure_kernels()
    earth = spiceypy.spkezr("3", ET0, "ECLIPJ2000", "NONE", "10")[0]
    s0 = earth + np.array([2.0e6, -3.0e6, 1.0e5, -0.3, 0.45, 0.0])
    burns = [
        FiniteBurn(ET0 + 20 * DAY, 2 * DAY, thrust_n=0.2, isp_s=3000.0, direction=(0, 1, 0)),
        FiniteBurn(ET0 + 70 * DAY, 600.0, thrust_n=400.0, isp_s=320.0, direction=(1, 0, 0)),
    ]
    res = propagate_et(
        s0,
        ET0,
        [ET0 + 150 * DAY],
        force=SMALL,
        spacecraft=Spacecraft(1500.0, 20.0),
        burns=burns,
        dense=True,
    )
    return res, burns


def test_written_spk_reproduces_the_propagation(tmp_path, flyby):
    res, burns = flyby
    breaks = [e for b in burns for e in (b.start, b.stop)]
    et, states = spk_sample(res, breaks=breaks)
    path = write_spk(
        tmp_path / "craft.bsp", -77001, et, states, breaks=breaks, comments=["unit test"]
    )
    # at the samples: exact up to rounding
    at_samples = readback_error_km(path, -77001, et[::7], states[::7])
    assert at_samples[0] < 1e-6
    # halfway between samples: Hermite interpolation error against Taylor dense output
    mid = 0.5 * (et[1:] + et[:-1])
    pos_err, vel_err = readback_error_km(path, -77001, mid, res.dense(mid))
    assert pos_err < 1e-3  # < 1 m
    assert vel_err < 1e-8
    # including right across the impulsive-like 400 N burn
    around = np.linspace(burns[1].start - 3600.0, burns[1].stop + 3600.0, 97)
    assert readback_error_km(path, -77001, around, res.dense(around))[0] < 1e-3


def test_comment_area_says_what_made_the_file(tmp_path, flyby):
    res, _ = flyby
    et, states = spk_sample(res)
    path = write_spk(tmp_path / "c.bsp", -77002, et, states, comments=["Kamoʻoalewa test ✓"])
    handle = spiceypy.dafopr(str(path))
    try:
        _, lines, _ = spiceypy.dafec(handle, 50, 1000)
    finally:
        spiceypy.dafcls(handle)
    text = "\n".join(lines)
    assert "orbits.spk.write_spk" in text
    assert "-77002" in text and "type 13" in text
    assert "Kamooalewa test ?" in text  # folded to printable ASCII


def test_breaks_start_new_segments(tmp_path, flyby):
    res, burns = flyby
    breaks = [e for b in burns for e in (b.start, b.stop)]
    et, states = spk_sample(res, breaks=breaks)
    path = write_spk(tmp_path / "s.bsp", -77003, et, states, breaks=breaks)
    handle = spiceypy.dafopr(str(path))
    starts = []
    try:
        spiceypy.dafbfs(handle)
        while spiceypy.daffna():
            dc, ic = spiceypy.dafus(spiceypy.dafgs(2 + 6), 2, 6)
            starts.append(dc[0])
    finally:
        spiceypy.dafcls(handle)
    assert len(starts) == 5
    assert np.allclose(sorted(starts)[1:], sorted(breaks))


def test_spk_frame_conversion_keeps_states(tmp_path):
    ensure_kernels()
    et = np.linspace(ET0, ET0 + 10 * DAY, 21)
    w = 2 * np.pi / (365.25 * DAY)
    r = 1.496e8
    states = np.column_stack(
        [
            r * np.cos(w * (et - ET0)),
            r * np.sin(w * (et - ET0)),
            0 * et,
            -r * w * np.sin(w * (et - ET0)),
            r * w * np.cos(w * (et - ET0)),
            0 * et,
        ]
    )
    path = write_spk(
        tmp_path / "circ.bsp", -77004, et, states, frame="ECLIPJ2000", out_frame="J2000"
    )
    assert readback_error_km(path, -77004, et, states, frame="ECLIPJ2000")[0] < 1e-6


@pytest.mark.parametrize(
    ("et", "states", "kwargs", "match"),
    [
        (np.array([0.0, 2.0, 1.0]), np.zeros((3, 6)), {}, "increasing"),
        (np.array([0.0, 1.0, 1.0, 1.0, 2.0]), np.ones((5, 6)), {}, "three times"),
        (np.array([0.0, 0.0, 1.0]), np.ones((3, 6)), {}, "at least two states"),
        (np.array([0.0, 1.0]), np.zeros((3, 6)), {}, "must be \\(n, 6\\)"),
        (np.array([0.0, 1.0]), np.full((2, 6), np.nan), {}, "finite"),
        (np.array([0.0, 1.0]), np.ones((2, 6)), {"degree": 4}, "odd"),
    ],
)
def test_bad_inputs_are_rejected(tmp_path, et, states, kwargs, match):
    with pytest.raises(ValueError, match=match):
        write_spk(tmp_path / "bad.bsp", -1, et, states, **kwargs)


def test_impulsive_manoeuvre_splits_the_file(tmp_path):
    # two coasting arcs with a 10 m/s jump in between: the SPK gives each side exactly
    ensure_kernels()
    et0, dv = ET0, np.array([0.0, 0.01, 0.0])
    s0 = np.array([1.4e8, 5.0e7, 1.0e6, -10.0, 27.0, 0.5])
    arc1 = propagate_et(s0, et0, et0 + np.linspace(0, 10 * DAY, 21)[1:], force=SMALL)
    kick = arc1.state[-1] + np.concatenate([np.zeros(3), dv])
    t_kick = et0 + 10 * DAY
    arc2 = propagate_et(kick, t_kick, t_kick + np.linspace(0, 10 * DAY, 21)[1:], force=SMALL)
    et = np.concatenate([[et0], arc1.et, [t_kick], arc2.et])
    states = np.concatenate([[s0], arc1.state, [kick], arc2.state])
    path = write_spk(tmp_path / "kick.bsp", -77005, et, states)
    assert readback_error_km(path, -77005, et[1:20], states[1:20])[0] < 1e-6
    assert readback_error_km(path, -77005, et[22:], states[22:])[0] < 1e-6
    spiceypy.furnsh(str(path))
    try:
        before = spiceypy.spkezr("-77005", t_kick - 1e-3, "ECLIPJ2000", "NONE", "10")[0]
        after = spiceypy.spkezr("-77005", t_kick + 1e-3, "ECLIPJ2000", "NONE", "10")[0]
    finally:
        spiceypy.unload(str(path))
    assert np.linalg.norm(after[3:] - before[3:] - dv) < 1e-7  # gravity adds ~1e-8 in 2 ms
