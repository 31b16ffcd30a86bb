"""Sensor models: geometry against hand-computed cases, noise statistics, dropouts, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.sensors import (
    IMU,
    LaserAltimeter,
    NavCamera,
    StarTracker,
    TargetMarker,
    TruthState,
    attitude_in_body_frame,
    dcm_to_quat,
    nadir_attitude,
    quat_conjugate,
    quat_from_rotvec,
    quat_multiply,
    quat_to_dcm,
    quat_to_rotvec,
    quat_z,
)
from gnc.shape import icosphere


def test_quaternion_algebra_matches_rotation_matrices():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = quat_from_rotvec(rng.normal(size=3))
        q = quat_from_rotvec(rng.normal(size=3))
        np.testing.assert_allclose(
            quat_to_dcm(quat_multiply(p, q)), quat_to_dcm(p) @ quat_to_dcm(q), atol=1e-12
        )
        back = dcm_to_quat(quat_to_dcm(q))
        assert min(np.abs(back - q).max(), np.abs(back + q).max()) < 1e-12
        phi = rng.normal(size=3)
        phi *= 3.0 / np.linalg.norm(phi)  # below pi
        np.testing.assert_allclose(quat_to_rotvec(quat_from_rotvec(phi)), phi, atol=1e-12)
    np.testing.assert_allclose(quat_to_dcm(quat_z(np.pi / 2)) @ [1, 0, 0], [0, 1, 0], atol=1e-15)
    np.testing.assert_allclose(quat_multiply(q, quat_conjugate(q)), [1, 0, 0, 0], atol=1e-15)


@pytest.mark.parametrize("r", [[0, 0, 60.0], [50.0, -20, 3], [0, 0, -40.0], [1e-3, 0, 80.0]])
def test_nadir_attitude_points_boresight_at_centre(r):
    c = quat_to_dcm(nadir_attitude(r))
    np.testing.assert_allclose(c @ [0, 0, 1], -np.asarray(r) / np.linalg.norm(r), atol=1e-12)
    np.testing.assert_allclose(c.T @ c, np.eye(3), atol=1e-12)
    assert np.linalg.det(c) == pytest.approx(1.0)


def test_altimeter_range_noise_bias_and_dropouts():
    sphere = (20.0, 20.0, 20.0)
    truth = TruthState.nadir(0.0, [0.0, 0.0, 60.0], [0.0, 0.0, 0.0])
    alt = LaserAltimeter(sphere, sigma_m=0.1, bias_m=0.3)
    assert alt.true_range(truth) == pytest.approx(40.0)
    rng = np.random.default_rng(1)
    ranges = np.array([alt.measure(truth, rng).range_m for _ in range(4000)])
    assert ranges.mean() == pytest.approx(40.3, abs=0.01)
    assert ranges.std() == pytest.approx(0.1, rel=0.05)
    mesh_alt = LaserAltimeter(icosphere(4, 20.0))
    assert mesh_alt.true_range(truth) == pytest.approx(40.0, abs=0.05)
    rng = np.random.default_rng(2)
    drop = LaserAltimeter(sphere, dropout_prob=0.3)
    got = [drop.measure(truth, rng) for _ in range(2000)]
    assert np.mean([g is None for g in got]) == pytest.approx(0.3, abs=0.03)
    assert LaserAltimeter(sphere, max_range_m=30.0).measure(truth, rng) is None
    away = TruthState(0.0, np.array([0.0, 0.0, 60.0]), np.zeros(3))  # boresight +z looks away
    assert LaserAltimeter(sphere).measure(away, rng) is None


@pytest.mark.parametrize("surface", [(20.0, 20.0, 20.0), icosphere(4, 20.0)])
def test_altimeter_pressed_into_the_surface_returns_nothing_not_the_far_side(surface):
    # at contact the sampler presses the spacecraft a few centimetres below the facet:
    # the beam then starts inside the body and must not range to the far side (~40 m)
    rng = np.random.default_rng(3)
    just_above = TruthState.nadir(0.0, [0.0, 0.0, 20.6], [0.0, 0.0, 0.0])
    assert LaserAltimeter(surface, min_range_m=0.3).true_range(just_above) == pytest.approx(
        0.6, abs=0.05
    )
    inside = TruthState.nadir(0.0, [0.0, 0.0, 19.95], [0.0, 0.0, 0.0])
    alt = LaserAltimeter(surface, min_range_m=0.3)
    assert alt.true_range(inside) == 0.0
    assert alt.measure(inside, rng) is None


def test_measurements_are_reproducible_from_the_seed():
    truth = TruthState.nadir(0.0, [0.0, 10.0, 60.0], [0.0, 0.0, 0.0])
    alt = LaserAltimeter((20.0, 20.0, 20.0), dropout_prob=0.2)
    a = [alt.measure(truth, np.random.default_rng(7)) for _ in range(3)]
    b = [alt.measure(truth, np.random.default_rng(7)) for _ in range(3)]
    assert [x.range_m if x else None for x in a] == [x.range_m if x else None for x in b]


def _camera(**kw):
    pts = np.array(
        [
            [0.0, 0.0, 20.0],
            [3.0, 0.0, 19.77],
            [0.0, 0.0, -20.0],
            [20.0, 0.0, 0.0],
            [0.0, 14.0, 14.28],
        ]
    )
    return NavCamera(pts, pts, **kw)


def test_camera_visibility_fov_and_facing():
    cam = _camera(fov_deg=20.0)
    truth = TruthState.nadir(0.0, [0.0, 0.0, 60.0], [0.0, 0.0, 0.0])
    # far side (-z) faces away, the +x limb point and the 45-deg point fall outside a 20-deg FOV
    np.testing.assert_array_equal(cam.visible(truth), [0, 1])
    wide = _camera(fov_deg=120.0, max_emission_deg=89.0)
    assert set(wide.visible(truth)) == {0, 1, 4}
    assert list(wide.visible(truth, sun_dir_body=[0.0, 1.0, 0.0])) == [4]  # only the lit one


def test_camera_bearings_are_unbiased_with_the_stated_noise():
    cam = _camera(fov_deg=30.0, sigma=1e-3)
    truth = TruthState.nadir(0.0, [0.0, 0.0, 60.0], [0.0, 0.0, 0.0])
    rng = np.random.default_rng(3)
    uvs = np.array([cam.measure(truth, rng).uv for _ in range(3000)])  # (n, 2 landmarks, 2)
    los = (cam.landmarks[1] - truth.r) @ truth.dcm_sc
    expected = los[:2] / los[2]
    np.testing.assert_allclose(uvs[:, 1].mean(axis=0), expected, atol=1e-4)
    np.testing.assert_allclose(uvs[:, 1].std(axis=0), 1e-3, rtol=0.06)
    np.testing.assert_allclose(uvs[:, 0].mean(axis=0), 0.0, atol=1e-4)  # straight below


def test_camera_occlusion_and_landmark_cap():
    sphere = icosphere(3, 20.0)
    rng = np.random.default_rng(4)
    cam = NavCamera.from_mesh(sphere, 200, rng, fov_deg=90.0, max_landmarks=5, occluder=sphere)
    truth = TruthState.nadir(0.0, [0.0, 0.0, 50.0], [0.0, 0.0, 0.0])
    ids = cam.visible(truth)
    assert len(ids) > 5
    assert np.all(cam.landmarks[ids, 2] > 0)  # only the near hemisphere
    assert len(cam.measure(truth, rng).ids) == 5


def test_target_marker_detection_range_and_fov():
    marker = TargetMarker((0.0, 0.0, 20.0), reliable_range_m=30.0, max_range_m=60.0, sigma=1e-4)
    rng = np.random.default_rng(5)
    near = TruthState.nadir(0.0, [0.0, 0.0, 45.0], [0.0, 0.0, 0.0])
    hits = [marker.measure(near, rng) for _ in range(200)]
    assert all(h is not None for h in hits)
    np.testing.assert_allclose(np.mean([h.uv for h in hits], axis=0), 0.0, atol=3e-5)
    mid = TruthState.nadir(0.0, [0.0, 0.0, 65.0], [0.0, 0.0, 0.0])  # 45 m: p = (60-45)/30 = 0.5
    rate = np.mean([marker.measure(mid, rng) is not None for _ in range(2000)])
    assert rate == pytest.approx(0.5, abs=0.04)
    assert marker.measure(TruthState.nadir(0.0, [0.0, 0.0, 90.0], [0, 0, 0]), rng) is None
    aside = TruthState.nadir(0.0, [40.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert marker.measure(aside, rng) is None


def test_star_tracker_noise_and_spin_phase():
    q_sc = nadir_attitude([10.0, 20.0, 50.0])
    truth = TruthState(0.0, np.array([10.0, 20.0, 50.0]), np.zeros(3), q_sc=q_sc, spin_phase=1.1)
    st = StarTracker(sigma_cross_rad=1e-4, sigma_roll_rad=5e-4)
    rng = np.random.default_rng(6)
    errs = []
    for _ in range(2000):
        m = st.measure(truth, rng)
        q_body = attitude_in_body_frame(m.q_inertial, truth.spin_phase)
        errs.append(quat_to_rotvec(quat_multiply(quat_conjugate(q_sc), q_body)))
    errs = np.array(errs)
    np.testing.assert_allclose(errs.std(axis=0), [1e-4, 1e-4, 5e-4], rtol=0.07)
    np.testing.assert_allclose(errs.mean(axis=0), 0.0, atol=3e-5)


def test_imu_bias_and_noise():
    rng = np.random.default_rng(8)
    imu = IMU.with_random_biases(rng, accel_bias_sigma=1e-4, accel_sigma=1e-5, gyro_sigma=1e-6)
    f_body = np.array([1e-4, -2e-4, 3e-5])
    truth = TruthState.nadir(
        0.0, [0.0, 30.0, 40.0], np.zeros(3), specific_force=f_body, omega_sc=np.array([0, 0, 1e-3])
    )
    ms = [imu.measure(truth, rng) for _ in range(3000)]
    f = np.array([m.specific_force_sc for m in ms])
    expected = truth.dcm_sc.T @ f_body + np.array(imu.accel_bias)
    np.testing.assert_allclose(f.mean(axis=0), expected, atol=1e-6)
    assert f.std(axis=0) == pytest.approx([1e-5] * 3, rel=0.07)
    w = np.array([m.angular_rate_sc for m in ms])
    np.testing.assert_allclose(w.mean(axis=0), np.array([0, 0, 1e-3]) + imu.gyro_bias, atol=1e-7)


def test_sensor_bad_inputs():
    with pytest.raises(ValueError, match="probability"):
        LaserAltimeter((1.0, 1.0, 1.0), dropout_prob=1.5)
    with pytest.raises(ValueError, match="sigma_m must be positive"):
        LaserAltimeter((1.0, 1.0, 1.0), sigma_m=0.0)
    with pytest.raises(ValueError, match=r"\(k, 3\)"):
        NavCamera(np.zeros((3, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="fov_deg"):
        NavCamera(np.ones((1, 3)), np.ones((1, 3)), fov_deg=200.0)
    with pytest.raises(ValueError, match="reliable_range_m"):
        TargetMarker((0, 0, 1.0), reliable_range_m=50.0, max_range_m=10.0)


def test_four_beam_lrf_sees_the_slope():
    from gnc.sensors import LaserRangeFinder, lrf_beams
    from gnc.shape import TriangleMesh

    # a big tilted flat "surface": a thin slab whose top face has normal n
    n = np.array([np.sin(0.3), 0.0, np.cos(0.3)])
    u = np.cross(n, [0.0, 1.0, 0.0])
    u /= np.linalg.norm(u)
    w = np.cross(n, u)
    top = [100 * (a * u + b * w) for a, b in [(-1, -1), (1, -1), (1, 1), (-1, 1)]]
    bottom = [p - 5.0 * n for p in top]
    verts = np.array(top + bottom)
    faces = np.array(
        [
            [0, 1, 2],
            [0, 2, 3],
            [4, 6, 5],
            [4, 7, 6],
            [0, 4, 5],
            [0, 5, 1],
            [1, 5, 6],
            [1, 6, 2],
            [2, 6, 7],
            [2, 7, 3],
            [3, 7, 4],
            [3, 4, 0],
        ]
    )
    slab = TriangleMesh(verts, faces).oriented_outwards()
    truth = TruthState.nadir(
        0.0,
        [0.0, 0.0, 10.0],
        [0.0, 0.0, 0.0],
    )
    lrf = LaserRangeFinder(slab, sigma_m=1e-3)
    ms = lrf.measure(truth, np.random.default_rng(0))
    assert len(ms) == 4 and len(lrf_beams()) == 4
    ranges = np.array([m.range_m for m in ms])
    assert np.ptp(ranges) > 0.5  # tilted beams see different heights on a 17-degree slope
    normal = lrf.local_normal(ms, truth.dcm_sc)
    assert np.degrees(np.arccos(normal @ n)) < 0.5
    assert lrf.local_normal(ms[:2], truth.dcm_sc) is None
