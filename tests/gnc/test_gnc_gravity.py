"""Gravity models: closed forms, the polyhedron truth model, Laplacian, far field, fits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gnc.bodies import G_SI
from gnc.gravity import (
    EllipsoidGravity,
    MasconGravity,
    PointMassGravity,
    PolyhedronGravity,
    compare_gravity,
    fit_mascons,
    gravity_error_table,
    sample_shell,
)
from gnc.shape import ellipsoid_mesh, icosphere, synthetic_body

RHO = 2700.0


@pytest.fixture(scope="module")
def body():
    return synthetic_body(41.0, seed=1, subdivisions=3)


@pytest.fixture(scope="module")
def truth(body):
    return PolyhedronGravity(body, RHO)


def _numeric_jacobian(model, r, h=1e-3):
    cols = [
        (model.acceleration(r + h * e) - model.acceleration(r - h * e)) / (2 * h) for e in np.eye(3)
    ]
    return np.array(cols).T


def _numeric_minus_grad_u(model, r, h=1e-3):
    return -np.array(
        [(model.potential(r + h * e) - model.potential(r - h * e)) / (2 * h) for e in np.eye(3)]
    )


def test_sphere_textbook_potential_inside_and_outside():
    # homogeneous sphere: U = -GM/r outside, U = -GM (3R^2 - r^2) / (2 R^3) inside
    radius = 20.0
    sphere = EllipsoidGravity((radius, radius, radius), density_kg_m3=RHO)
    gm = G_SI * RHO * 4 / 3 * math.pi * radius**3
    assert sphere.gm == pytest.approx(gm)
    out = np.array([[30.0, 0, 0], [10, 40, -20], [0, 0, 20.0001]])
    np.testing.assert_allclose(sphere.potential(out), -gm / np.linalg.norm(out, axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        sphere.acceleration(out), -gm * out / np.linalg.norm(out, axis=1)[:, None] ** 3, rtol=1e-10
    )
    inside = np.array([[5.0, 3, 2], [0, 0, 0], [0, 19.9, 0]])
    rn = np.linalg.norm(inside, axis=1)
    np.testing.assert_allclose(
        sphere.potential(inside), -gm * (3 * radius**2 - rn**2) / (2 * radius**3), rtol=1e-12
    )
    np.testing.assert_allclose(
        sphere.acceleration(inside), -gm * inside / radius**3, rtol=1e-10, atol=1e-20
    )


@pytest.mark.parametrize(
    "r", [[40.0, 12.0, -7.0], [8.0, -5.0, 3.0], [0.0, 0.0, 25.0], [30.0, 0.0, 0.0]]
)
def test_ellipsoid_derivatives_are_consistent(r):
    e = EllipsoidGravity((28.0, 20.0, 15.0), density_kg_m3=RHO)
    r = np.array(r)
    a = e.acceleration(r)
    np.testing.assert_allclose(a, _numeric_minus_grad_u(e, r), rtol=1e-6)
    jac = e.gradient(r)
    np.testing.assert_allclose(jac, jac.T, atol=1e-12 * np.abs(jac).max())
    np.testing.assert_allclose(jac, _numeric_jacobian(e, r), atol=1e-6 * np.abs(jac).max())


def test_ellipsoid_laplacian_inside_and_outside():
    e = EllipsoidGravity((28.0, 20.0, 15.0), density_kg_m3=RHO)
    pts = np.array([[1.0, 2, 3], [20, 5, 1], [0, 0, 0], [40, 10, 5], [0, 0, 16], [100, -50, 30]])
    trace = np.trace(e.gradient(pts), axis1=1, axis2=2)
    expected = np.array([-4 * math.pi * G_SI * RHO] * 3 + [0.0] * 3)
    np.testing.assert_allclose(trace, expected, atol=1e-9 * 4 * math.pi * G_SI * RHO)


def test_ellipsoid_matches_polyhedron_of_finely_meshed_ellipsoid():
    axes = (28.0, 20.0, 15.0)
    mesh = ellipsoid_mesh(axes, subdivisions=5)
    poly = PolyhedronGravity(mesh, RHO)
    # same mass, so the comparison measures the field shape, not the meshing volume loss
    ell = EllipsoidGravity(axes, gm_total=poly.gm)
    pts = np.array([[35.0, 0, 0], [0, 0, 22.0], [30, 25, 10], [-60, 20, 40], [200, 0, 0]])
    stats = compare_gravity(ell, poly, pts)
    assert stats["max"] < 3e-3
    assert stats["potential_rel_max"] < 1e-3


def test_polyhedron_sign_convention_and_derivatives(truth):
    r = np.array([35.0, 10.0, -8.0])
    u = truth.potential(r)
    assert u < 0
    a = truth.acceleration(r)
    assert np.dot(a, r) < 0  # pulls towards the body
    np.testing.assert_allclose(a, _numeric_minus_grad_u(truth, r), rtol=1e-6)
    np.testing.assert_allclose(
        truth.gradient(r), _numeric_jacobian(truth, r), atol=1e-6 * np.abs(truth.gradient(r)).max()
    )


def test_polyhedron_laplacian_is_minus_4_pi_g_rho_inside_zero_outside(body, truth):
    inside = np.array([[0.0, 0.0, 0.0], [5.0, -3.0, 2.0], [-10.0, 4.0, -3.0]])
    assert body.contains(inside).all()
    outside = sample_shell(body, 6, 1.05, 3.0, seed=4)
    tr_in = np.trace(truth.gradient(inside), axis1=1, axis2=2)
    tr_out = np.trace(truth.gradient(outside), axis1=1, axis2=2)
    scale = 4 * math.pi * G_SI * RHO
    np.testing.assert_allclose(tr_in, -scale, rtol=1e-8)
    np.testing.assert_allclose(tr_out, 0.0, atol=1e-8 * scale)


def test_polyhedron_far_field_tends_to_point_mass_as_inverse_square(body, truth):
    pm = PointMassGravity(truth.gm)
    direction = np.array([0.6, 0.5, 0.62])
    direction /= np.linalg.norm(direction)
    radii = np.array([60.0, 120.0, 240.0, 480.0])
    errs = np.array([compare_gravity(pm, truth, [direction * r])["max"] for r in radii])
    assert errs[-1] < errs[0] / 40  # (480/60)^2 = 64
    # the leading error is the quadrupole: relative error ~ (R/r)^2, slope -2 in log-log
    slope = np.polyfit(np.log(radii), np.log(errs), 1)[0]
    assert -2.3 < slope < -1.7
    assert truth.gm == pytest.approx(G_SI * RHO * body.volume)


def test_polyhedron_of_sphere_is_point_mass_outside():
    mesh = icosphere(4, radius=10.0)
    poly = PolyhedronGravity(mesh, RHO, check=True)
    pts = np.array([[15.0, 0, 0], [0, 30.0, 5.0], [-8, -8, 9]])
    pm = PointMassGravity(poly.gm)
    assert compare_gravity(pm, poly, pts)["max"] < 1e-4


def test_mascon_fit_beats_ellipsoid_and_point_mass(truth, body):
    mascons = fit_mascons(truth, n_mascons=40, n_samples=300, seed=0)
    assert mascons.gm == pytest.approx(truth.gm, rel=1e-4)
    assert np.all(mascons.gm_each > 0)
    assert body.contains(mascons.positions).all()
    pts = sample_shell(body, 200, 1.5, 3.0, seed=11)
    err_mascon = compare_gravity(mascons, truth, pts)
    err_ellipsoid = compare_gravity(EllipsoidGravity.from_mesh(body, RHO), truth, pts)
    err_point = compare_gravity(PointMassGravity(truth.gm), truth, pts)
    assert err_mascon["median"] < err_ellipsoid["median"] < err_point["median"]
    assert err_mascon["p95"] < 0.02


def test_ellipsoid_from_mesh_recovers_the_ellipsoid():
    axes = (28.0, 20.0, 15.0)
    fitted = EllipsoidGravity.from_mesh(ellipsoid_mesh(axes, subdivisions=4), RHO)
    np.testing.assert_allclose(fitted.semi_axes, axes, rtol=3e-3)


def test_mascon_derivatives_and_casadi_expression():
    casadi = pytest.importorskip("casadi")
    m = MasconGravity([[1.0, 0, 0], [-2.0, 1.0, 0.5]], [1e-3, 2e-3])
    r = np.array([10.0, -4.0, 3.0])
    np.testing.assert_allclose(m.acceleration(r), _numeric_minus_grad_u(m, r), rtol=1e-7)
    np.testing.assert_allclose(m.gradient(r), _numeric_jacobian(m, r), rtol=1e-6)
    x = casadi.SX.sym("r", 3)
    f = casadi.Function("a", [x], [m.casadi_acceleration(x)])
    np.testing.assert_allclose(np.array(f(r)).ravel(), m.acceleration(r), rtol=1e-12)
    pm = PointMassGravity(5e-3)
    xm = casadi.MX.sym("r", 3)
    fm = casadi.Function("a", [xm], [pm.casadi_acceleration(xm)])
    np.testing.assert_allclose(np.array(fm(r)).ravel(), pm.acceleration(r), rtol=1e-12)


def test_shapes_of_results_and_bad_inputs():
    pm = PointMassGravity(1e-3)
    assert pm.acceleration([1.0, 2.0, 3.0]).shape == (3,)
    assert pm.gradient(np.ones((4, 3))).shape == (4, 3, 3)
    assert pm.potential(np.ones((4, 3))).shape == (4,)
    with pytest.raises(ValueError, match=r"shape \(3,\) or \(n, 3\)"):
        pm.acceleration([1.0, 2.0])
    with pytest.raises(ValueError, match="exactly one"):
        EllipsoidGravity((1, 1, 1), density_kg_m3=1.0, gm_total=1.0)
    with pytest.raises(ValueError, match="positive"):
        PointMassGravity(-1.0)
    with pytest.raises(ValueError, match="singular"):
        pm.acceleration([0.0, 0.0, 0.0])


def test_error_table_is_a_labelled_dataset(truth, body):
    table = gravity_error_table(
        truth,
        {"point": PointMassGravity(truth.gm), "ellipsoid": EllipsoidGravity.from_mesh(body, RHO)},
        body,
        shells=((1.5, 3.0), (3.0, 10.0)),
        n=40,
    )
    assert table["median"].dims == ("model", "shell")
    assert table["p95"].attrs["units"] == "1"
    # errors shrink with distance for every model
    assert (table["median"].isel(shell=1) < table["median"].isel(shell=0)).all()


def test_polyhedron_cube_potential_matches_closed_form():
    """Potential of a homogeneous cube of side a at a corner: G rho a^2 [(3/2) ln((sqrt3+1)/(sqrt3-1)) - pi/4].

    Classical result (MacMillan, The Theory of the Potential, 1930); the centre, where
    eight half-size cubes meet at their corners, has 8 (a/2)^2 = 2 a^2 times the factor.
    """
    from gnc.shape import TriangleMesh

    side = 3.0
    v = side * np.array(
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
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
    cube = PolyhedronGravity(TriangleMesh(v, np.array(f)), RHO)
    s3 = math.sqrt(3.0)
    factor = 1.5 * math.log((s3 + 1) / (s3 - 1)) - math.pi / 4  # 1.1900386819...
    corner = -cube.potential([side, side, side])
    centre = -cube.potential([side / 2] * 3)
    assert corner == pytest.approx(G_SI * RHO * side**2 * factor, rel=1e-10)
    assert centre == pytest.approx(2 * G_SI * RHO * side**2 * factor, rel=1e-10)
    np.testing.assert_allclose(
        cube.acceleration([side / 2] * 3), 0.0, atol=1e-12 * G_SI * RHO * side
    )
