"""Triangle meshes: mass properties against closed forms, file round trips, ray casts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gnc.shape import (
    TriangleMesh,
    ellipsoid_mesh,
    icosphere,
    load_icq,
    load_obj,
    save_icq,
    save_obj,
    synthetic_body,
)


def _cube(half=1.0):
    v = half * np.array(
        [
            [-1, -1, -1],
            [1, -1, -1],
            [1, 1, -1],
            [-1, 1, -1],
            [-1, -1, 1],
            [1, -1, 1],
            [1, 1, 1],
            [-1, 1, 1],
        ],
        float,
    )
    f = [
        [1, 3, 2],
        [0, 3, 1],
        [0, 1, 5],
        [0, 5, 4],
        [0, 7, 3],
        [0, 4, 7],
        [1, 2, 6],
        [1, 6, 5],
        [2, 3, 6],
        [3, 7, 6],
        [4, 5, 6],
        [4, 6, 7],
    ]
    return TriangleMesh(v, np.array(f))


def test_cube_mass_properties_exact():
    cube = _cube(1.0).translated([3.0, -2.0, 1.0])
    assert cube.volume == pytest.approx(8.0)
    np.testing.assert_allclose(cube.centroid, [3.0, -2.0, 1.0], atol=1e-12)
    # solid cube of side s: I = m s^2 / 6 about its centre
    inertia = cube.inertia_tensor(density_kg_m3=2.0)
    np.testing.assert_allclose(inertia, np.eye(3) * 16.0 * 4.0 / 6.0, atol=1e-12)
    assert cube.surface_area == pytest.approx(24.0)
    assert cube.is_closed()


def test_sphere_and_ellipsoid_converge_to_closed_forms():
    s = icosphere(5, radius=2.0)
    assert s.volume == pytest.approx(4 / 3 * math.pi * 8, rel=2e-3)
    e = ellipsoid_mesh((3.0, 2.0, 1.0), subdivisions=5)
    vol = 4 / 3 * math.pi * 6
    assert e.volume == pytest.approx(vol, rel=3e-3)
    # solid ellipsoid: I_xx = m (b^2 + c^2) / 5
    inertia = e.inertia_tensor(1.0)
    np.testing.assert_allclose(
        np.diag(inertia) / e.volume, [(4 + 1) / 5, (9 + 1) / 5, (9 + 4) / 5], rtol=5e-3
    )


def test_synthetic_body_is_seeded_closed_and_aligned():
    a = synthetic_body(41.0, seed=3)
    b = synthetic_body(41.0, seed=3)
    c = synthetic_body(41.0, seed=4)
    np.testing.assert_array_equal(a.vertices, b.vertices)
    assert not np.allclose(a.vertices, c.vertices)
    assert a.is_closed()
    assert a.equivalent_diameter == pytest.approx(41.0, rel=1e-9)
    np.testing.assert_allclose(a.centroid, 0.0, atol=1e-9)
    inertia = a.inertia_tensor()
    off = inertia - np.diag(np.diag(inertia))
    assert np.abs(off).max() < 1e-8 * np.abs(inertia).max()
    assert inertia[0, 0] < inertia[1, 1] < inertia[2, 2]  # +z = max inertia axis
    x, y, z = np.ptp(a.vertices, axis=0)
    assert x > y > z  # elongated along x


def test_obj_round_trip(tmp_path):
    mesh = synthetic_body(41.0, seed=2, subdivisions=2)
    path = save_obj(mesh, tmp_path / "body.obj")
    back = load_obj(path)
    np.testing.assert_allclose(back.vertices, mesh.vertices, rtol=1e-8)
    np.testing.assert_array_equal(back.faces, mesh.faces)


def test_obj_quads_negative_indices_and_inward_winding(tmp_path):
    text = "\n".join(
        ["# unit cube with quads, inward winding, negative indices"]
        + [f"v {x} {y} {z}" for x, y, z in _cube(0.5).vertices]
        + ["f -8/1 -7/1 -6/1 -5/1", "f 5 8 7 6", "f 1 5 6 2", "f 2 6 7 3", "f 3 7 8 4", "f 4 8 5 1"]
    )
    (tmp_path / "c.obj").write_text(text)
    mesh = load_obj(tmp_path / "c.obj")
    assert len(mesh.faces) == 12
    assert mesh.volume == pytest.approx(1.0)


def test_icq_round_trip(tmp_path):
    mesh = synthetic_body(41.0, seed=5, subdivisions=3)
    save_icq(mesh, tmp_path / "b.icq", q=12)
    back = load_icq(tmp_path / "b.icq")
    assert back.is_closed()
    assert len(back.vertices) == 6 * 12**2 + 2  # shared edges and corners merged
    assert back.volume == pytest.approx(mesh.volume, rel=0.02)
    # re-sampling the re-read ICQ gives the same grid
    save_icq(back, tmp_path / "c.icq", q=12)
    km = load_icq(tmp_path / "c.icq", scale=1e-3)
    assert km.volume == pytest.approx(back.volume * 1e-9, rel=1e-6)


def test_ray_cast_and_contains():
    s = icosphere(4, radius=10.0)
    dist, face = s.ray_cast(
        [[0.0, 0.0, 30.0], [0.0, 0.0, 30.0]], [[0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]
    )
    assert dist[0] == pytest.approx(20.0, abs=0.05)
    assert face[0] >= 0
    assert np.isinf(dist[1]) and face[1] == -1
    inside = s.contains([[0, 0, 0], [9.5, 0, 0], [10.5, 0, 0], [0, 0, -20]])
    np.testing.assert_array_equal(inside, [True, True, False, False])


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        TriangleMesh(np.zeros((4, 2)), np.zeros((4, 3), int))
    with pytest.raises(ValueError, match="face indices"):
        TriangleMesh(np.zeros((4, 3)), np.full((4, 3), 7))
    with pytest.raises(FileNotFoundError):
        load_obj(tmp_path / "missing.obj")
    (tmp_path / "bad.icq").write_text("3\n1 2 3\n")
    with pytest.raises(ValueError, match="needs 96 vertices"):
        load_icq(tmp_path / "bad.icq")
    with pytest.raises(ValueError, match="subdivisions"):
        icosphere(9)
