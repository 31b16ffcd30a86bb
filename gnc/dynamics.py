"""Motion of a spacecraft near a spinning small body, in the body-fixed rotating frame.

Units: metres, m/s, seconds, rad (see :mod:`gnc.bodies`). The body-fixed frame has
its origin at the centre of mass and turns with angular velocity ``omega`` (rad/s,
a 3-vector in body axes; uniform spin about +z is ``[0, 0, w]``). In that frame

    r'' = a_grav(r) - 2 omega x v - omega x (omega x r) - omega_dot x r + a_ext(t, r, v) + u

where ``a_ext`` collects the Sun's tidal term and solar radiation pressure
(:mod:`gnc.environment`) and ``u`` is the commanded specific thrust (m/s^2, = F/m).
For uniform spin the Jacobi integral

    C = |v|^2 / 2 - |omega x r|^2 / 2 + U(r)

is conserved when ``a_ext = u = 0`` (``U`` is the kamo potential, negative).

Inertial <-> body-fixed: the inertial frame here is the body-centred frame that
does not turn; at time ``t`` the body has turned by the spin phase
``theta = theta0 + w t`` about +z, so ``r_inertial = Rz(theta) r_body`` and
``v_inertial = Rz(theta) (v_body + omega x r_body)``.

Two propagators: :func:`propagate` (``scipy.integrate.solve_ivp``, DOP853 by
default, any gravity model, any perturbation and control callables, surface-impact
event) and the numba fixed-step RK4 kernels :func:`rk4_step_mascon` /
:func:`rk4_propagate_mascon` for the closed-loop simulation (point mass = one mascon).
For non-principal-axis rotation pass a :class:`TumblingSpin` as ``omega`` to
:func:`propagate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from scipy.integrate import solve_ivp

from gnc.gravity import GravityModel, MasconGravity, mascon_acceleration_kernel

PerturbationFn = Callable[[float, np.ndarray, np.ndarray], np.ndarray]
ControlFn = Callable[[float, np.ndarray], np.ndarray]


def _omega_vec(omega) -> np.ndarray:
    w = np.asarray(omega, dtype=float)
    if w.ndim == 0:
        return np.array([0.0, 0.0, float(w)])
    if w.shape != (3,):
        raise ValueError(f"omega must be a spin rate (rad/s) or a 3-vector, got shape {w.shape}")
    return w


# --- frames -----------------------------------------------------------------------------
def rotation_z(theta) -> np.ndarray:
    """Rotation matrix (or stack (n, 3, 3)) about +z by ``theta`` (rad)."""
    th = np.asarray(theta, dtype=float)
    c, s = np.cos(th), np.sin(th)
    z, o = np.zeros_like(th), np.ones_like(th)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def spin_phase(t, spin_rate: float, phase0: float = 0.0):
    """Spin phase theta = theta0 + w t (rad)."""
    return phase0 + spin_rate * np.asarray(t, dtype=float)


def body_to_inertial(t, r_body, v_body, spin_rate: float, phase0: float = 0.0):
    """Body-fixed (r, v) -> non-rotating body-centred (r, v) at times ``t`` (s); broadcasts over (..., 3)."""
    r = np.asarray(r_body, dtype=float)
    v = np.asarray(v_body, dtype=float)
    rot = rotation_z(spin_phase(t, spin_rate, phase0))
    w = np.array([0.0, 0.0, spin_rate])
    r_i = np.einsum("...ij,...j->...i", rot, r)
    v_i = np.einsum("...ij,...j->...i", rot, v + np.cross(w, r))
    return r_i, v_i


def inertial_to_body(t, r_inertial, v_inertial, spin_rate: float, phase0: float = 0.0):
    """Non-rotating body-centred (r, v) -> body-fixed (r, v) at times ``t`` (s)."""
    r = np.asarray(r_inertial, dtype=float)
    v = np.asarray(v_inertial, dtype=float)
    rot_t = np.swapaxes(rotation_z(spin_phase(t, spin_rate, phase0)), -1, -2)
    w = np.array([0.0, 0.0, spin_rate])
    r_b = np.einsum("...ij,...j->...i", rot_t, r)
    v_b = np.einsum("...ij,...j->...i", rot_t, v) - np.cross(w, r_b)
    return r_b, v_b


# --- equations of motion ----------------------------------------------------------------------
def rotating_frame_acceleration(r, v, a_grav, omega, omega_dot=None):
    """Total acceleration in the rotating frame from gravity plus the frame's fictitious terms.

    ``r, v, a_grav`` broadcast over (..., 3); returns
    ``a_grav - 2 w x v - w x (w x r) - w_dot x r``.
    """
    w = _omega_vec(omega)
    r = np.asarray(r, dtype=float)
    out = np.asarray(a_grav, dtype=float) - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
    if omega_dot is not None:
        out = out - np.cross(np.asarray(omega_dot, dtype=float), r)
    return out


def jacobi_integral(gravity: GravityModel, omega, r, v):
    """Jacobi integral C = |v|^2/2 - |w x r|^2/2 + U(r) (m^2/s^2), for (3,) or (n, 3) states."""
    w = _omega_vec(omega)
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    wxr = np.cross(w, r)
    return 0.5 * np.sum(v * v, axis=-1) - 0.5 * np.sum(wxr * wxr, axis=-1) + gravity.potential(r)


def make_rhs(
    gravity: GravityModel,
    omega,
    perturbation: PerturbationFn | None = None,
    control: ControlFn | None = None,
) -> Callable[[float, np.ndarray], np.ndarray]:
    """Right-hand side f(t, x) for x = [r, v] (6,) in the body-fixed frame.

    ``perturbation(t, r, v)`` and ``control(t, x)`` return accelerations (m/s^2) in the
    body-fixed frame; either may be None. ``omega`` is a spin rate about +z (rad/s), a
    constant spin vector, or a :class:`TumblingSpin` for non-principal-axis rotation.
    """
    if isinstance(omega, TumblingSpin):
        spin = omega

        def rhs(t: float, x: np.ndarray) -> np.ndarray:
            r, v = x[:3], x[3:]
            w, w_dot = spin.omega(t), spin.omega_dot(t)
            acc = (
                gravity.acceleration(r)
                - 2.0 * np.cross(w, v)
                - np.cross(w, np.cross(w, r))
                - np.cross(w_dot, r)
            )
            if perturbation is not None:
                acc = acc + perturbation(t, r, v)
            if control is not None:
                acc = acc + control(t, x)
            return np.concatenate([v, acc])

        return rhs

    w = _omega_vec(omega)

    def rhs(t: float, x: np.ndarray) -> np.ndarray:
        r, v = x[:3], x[3:]
        acc = gravity.acceleration(r) - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
        if perturbation is not None:
            acc = acc + perturbation(t, r, v)
        if control is not None:
            acc = acc + control(t, x)
        return np.concatenate([v, acc])

    return rhs


class TumblingSpin:
    """Torque-free non-principal-axis rotation of a rigid body (Euler's equations).

    ``inertia`` is the body's principal moments (I1, I2, I3) or a diagonal inertia tensor
    (kg m^2; only ratios matter), ``omega0`` the angular velocity (rad/s) in body axes
    at t = 0. Euler's equations ``I w' = (I w) x w`` and the attitude kinematics are
    integrated once over ``[0, duration]`` (DOP853, dense output); afterwards
    ``omega(t)``, ``omega_dot(t)`` and ``rotation(t)`` (body-fixed -> inertial matrix,
    identity at t = 0) are cheap look-ups. Pass the object as ``omega`` to
    :func:`propagate` / :func:`make_rhs` to add the Euler term ``-omega_dot x r``.
    """

    def __init__(self, inertia, omega0, duration: float, rtol: float = 1e-12) -> None:
        moments = np.asarray(inertia, dtype=float)
        if moments.shape == (3, 3):
            moments = np.diag(moments)
        if moments.shape != (3,) or np.any(moments <= 0):
            raise ValueError(f"inertia must be three positive principal moments, got {inertia!r}")
        self.moments = moments
        self.omega0 = np.asarray(omega0, dtype=float)
        if self.omega0.shape != (3,):
            raise ValueError(f"omega0 must be a 3-vector (rad/s), got {omega0!r}")
        self.duration = float(duration)
        if not self.duration > 0:
            raise ValueError(f"duration must be positive, got {duration}")

        def f(t, y):
            w = y[:3]
            rot = y[3:].reshape(3, 3)
            w_dot = np.cross(self.moments * w, w) / self.moments
            return np.concatenate([w_dot, (rot @ _skew(w)).ravel()])

        sol = solve_ivp(
            f,
            (0.0, self.duration),
            np.concatenate([self.omega0, np.eye(3).ravel()]),
            method="DOP853",
            rtol=rtol,
            atol=rtol * 1e-3,
            dense_output=True,
        )
        if not sol.success:
            raise RuntimeError(f"Euler equations failed to integrate: {sol.message}")
        self._sol = sol

    def _check(self, t) -> None:
        if np.any(np.asarray(t) < 0) or np.any(np.asarray(t) > self.duration * (1 + 1e-12)):
            raise ValueError(f"t={t} is outside the integrated span [0, {self.duration}] s")

    def omega(self, t: float) -> np.ndarray:
        """Angular velocity (rad/s) in body axes at time ``t``."""
        self._check(t)
        return self._sol.sol(t)[:3]

    def omega_dot(self, t: float) -> np.ndarray:
        """Angular acceleration (rad/s^2) in body axes at time ``t`` (from Euler's equations)."""
        w = self.omega(t)
        return np.cross(self.moments * w, w) / self.moments

    def rotation(self, t: float) -> np.ndarray:
        """Rotation matrix body-fixed -> inertial at time ``t`` (re-orthonormalised)."""
        self._check(t)
        rot = self._sol.sol(t)[3:].reshape(3, 3)
        u, _, vt = np.linalg.svd(rot)
        return u @ vt

    def kinetic_energy(self, t: float) -> float:
        """Rotational kinetic energy per unit of the inertia scale, 0.5 w.I w."""
        w = self.omega(t)
        return 0.5 * float(np.sum(self.moments * w * w))

    def angular_momentum_inertial(self, t: float) -> np.ndarray:
        """Angular momentum in the inertial frame (constant for a torque-free body)."""
        return self.rotation(t) @ (self.moments * self.omega(t))

    def __repr__(self) -> str:
        return (
            f"TumblingSpin(I={self.moments}, omega0={self.omega0} rad/s, span {self.duration:g} s)"
        )


def _skew(w: np.ndarray) -> np.ndarray:
    return np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])


def radial_altitude(surface, r) -> np.ndarray:
    """Height of ``r`` above the surface along the radial line (m, negative inside).

    ``surface`` is a :class:`gnc.shape.TriangleMesh` (star-shaped about the origin) or
    a tuple of ellipsoid semi-axes (a, b, c). Continuous in ``r``, so usable as an
    integration event.
    """
    p = np.atleast_2d(np.asarray(r, dtype=float))
    rn = np.linalg.norm(p, axis=1)
    u = p / rn[:, None]
    if isinstance(surface, tuple | list | np.ndarray):
        axes = np.asarray(surface, dtype=float)
        rs = 1.0 / np.sqrt(((u / axes) ** 2).sum(axis=1))
    else:
        rs, _ = surface.ray_cast(np.zeros_like(u), u)
    h = rn - rs
    return h[0] if np.ndim(r) == 1 else h


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A propagated trajectory in the body-fixed frame: ``t`` (n,) s, ``r`` and ``v`` (n, 3)."""

    t: np.ndarray
    r: np.ndarray
    v: np.ndarray
    impact: bool = False
    message: str = ""

    @property
    def states(self) -> np.ndarray:
        """(n, 6) array [r, v]."""
        return np.hstack([self.r, self.v])

    def to_dataset(self):
        """The trajectory as an xarray Dataset over ``time`` with units attributes."""
        import xarray as xr

        ds = xr.Dataset(
            {
                "position": (
                    ("time", "axis"),
                    self.r,
                    {"units": "m", "long_name": "position, body-fixed frame"},
                ),
                "velocity": (
                    ("time", "axis"),
                    self.v,
                    {
                        "units": "m/s",
                        "long_name": "velocity relative to the rotating body-fixed frame",
                    },
                ),
            },
            coords={
                "time": ("time", self.t, {"units": "s", "long_name": "time since start"}),
                "axis": ["x", "y", "z"],
            },
            attrs={"frame": "small-body body-fixed (rotating)", "impact": int(self.impact)},
        )
        return ds

    def __repr__(self) -> str:
        return (
            f"Trajectory({len(self.t)} samples over {self.t[-1] - self.t[0]:.1f} s, "
            f"|r| {np.linalg.norm(self.r, axis=1).min():.2f}..{np.linalg.norm(self.r, axis=1).max():.2f} m"
            f"{', impact' if self.impact else ''})"
        )


def propagate(
    gravity: GravityModel,
    omega,
    r0,
    v0,
    duration,
    t_eval=None,
    perturbation: PerturbationFn | None = None,
    control: ControlFn | None = None,
    surface=None,
    method: str = "DOP853",
    rtol: float = 1e-10,
    atol: float = 1e-12,
    max_step: float = np.inf,
) -> Trajectory:
    """Integrate the rotating-frame equations of motion from (r0, v0) for ``duration`` seconds.

    ``r0`` m, ``v0`` m/s, ``duration`` s (Quantities accepted). With ``surface`` (a mesh
    or ellipsoid semi-axes) the integration stops when the spacecraft reaches the surface
    (``Trajectory.impact``). ``t_eval`` selects output times; by default the solver's steps.
    """
    from gnc.bodies import as_array, as_float

    r0 = as_array(r0, "m", "r0")
    v0 = as_array(v0, "m/s", "v0")
    if r0.shape != (3,) or v0.shape != (3,):
        raise ValueError(f"r0 and v0 must be 3-vectors, got shapes {r0.shape} and {v0.shape}")
    T = as_float(duration, "s", "duration")
    if T <= 0:
        raise ValueError(f"duration must be positive, got {T} s")
    rhs = make_rhs(gravity, omega, perturbation, control)
    events = None
    if surface is not None:

        def hit(t, x):
            return radial_altitude(surface, x[:3])

        hit.terminal = True
        hit.direction = -1
        events = [hit]
    sol = solve_ivp(
        rhs,
        (0.0, T),
        np.concatenate([r0, v0]),
        method=method,
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
        events=events,
        max_step=max_step,
    )
    if not sol.success:
        raise RuntimeError(f"propagation failed: {sol.message}")
    impact = bool(events is not None and len(sol.t_events[0]) > 0)
    return Trajectory(sol.t, sol.y[:3].T.copy(), sol.y[3:].T.copy(), impact, sol.message)


# --- numba fixed-step RK4 ----------------------------------------------------------------------
@numba.njit(cache=True)
def _rhs_mascon(x, omega, positions, gm, a_ext):
    r = x[:3]
    v = x[3:]
    a = mascon_acceleration_kernel(r, positions, gm)
    wx, wy, wz = omega[0], omega[1], omega[2]
    # w x v
    cvx = wy * v[2] - wz * v[1]
    cvy = wz * v[0] - wx * v[2]
    cvz = wx * v[1] - wy * v[0]
    # w x r, then w x (w x r)
    crx = wy * r[2] - wz * r[1]
    cry = wz * r[0] - wx * r[2]
    crz = wx * r[1] - wy * r[0]
    ccx = wy * crz - wz * cry
    ccy = wz * crx - wx * crz
    ccz = wx * cry - wy * crx
    out = np.empty(6)
    out[0] = v[0]
    out[1] = v[1]
    out[2] = v[2]
    out[3] = a[0] - 2.0 * cvx - ccx + a_ext[0]
    out[4] = a[1] - 2.0 * cvy - ccy + a_ext[1]
    out[5] = a[2] - 2.0 * cvz - ccz + a_ext[2]
    return out


@numba.njit(cache=True)
def rk4_step_mascon(x, dt, omega, positions, gm, a_ext):
    """One RK4 step of the rotating-frame dynamics with mascon gravity (numba).

    ``x`` (6,) [r m, v m/s]; ``omega`` (3,) rad/s; ``positions`` (k, 3) m, ``gm`` (k,)
    m^3/s^2; ``a_ext`` (3,) m/s^2 held constant over the step (thrust + SRP + tides).
    """
    k1 = _rhs_mascon(x, omega, positions, gm, a_ext)
    k2 = _rhs_mascon(x + 0.5 * dt * k1, omega, positions, gm, a_ext)
    k3 = _rhs_mascon(x + 0.5 * dt * k2, omega, positions, gm, a_ext)
    k4 = _rhs_mascon(x + dt * k3, omega, positions, gm, a_ext)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@numba.njit(cache=True)
def rk4_propagate_mascon(x0, dt, n_steps, omega, positions, gm, a_ext):
    """``n_steps`` RK4 steps from ``x0``; returns the (n_steps + 1, 6) states.

    ``a_ext`` is (m, 3): row ``i`` acts over step ``i``; with fewer rows than steps the
    last row is held (pass one row for a constant acceleration).
    """
    out = np.empty((n_steps + 1, 6))
    out[0] = x0
    x = x0.copy()
    last = a_ext.shape[0] - 1
    for i in range(n_steps):
        x = rk4_step_mascon(x, dt, omega, positions, gm, a_ext[min(i, last)])
        out[i + 1] = x
    return out


def rk4_step(gravity: GravityModel, omega, x, dt: float, a_ext=None) -> np.ndarray:
    """One fixed RK4 step for any gravity model (e.g. the polyhedron truth in a simulation plant).

    ``x`` (6,) [r m, v m/s]; ``omega`` spin rate or vector (rad/s); ``a_ext`` (3,) m/s^2
    held over the step. Slower than :func:`rk4_step_mascon` (Python, four gravity calls)
    but works with every :class:`gnc.gravity.GravityModel`.
    """
    w = _omega_vec(omega)
    ext = np.zeros(3) if a_ext is None else np.asarray(a_ext, dtype=float)
    x = np.asarray(x, dtype=float)

    def f(y):
        r, v = y[:3], y[3:]
        acc = gravity.acceleration(r) - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r)) + ext
        return np.concatenate([v, acc])

    k1 = f(x)
    k2 = f(x + 0.5 * dt * k1)
    k3 = f(x + 0.5 * dt * k2)
    k4 = f(x + dt * k3)
    return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def rk4_propagate(
    gravity: MasconGravity, omega, x0, dt: float, n_steps: int, a_ext=None
) -> np.ndarray:
    """Convenience wrapper of :func:`rk4_propagate_mascon` for a :class:`MasconGravity` model."""
    if not isinstance(gravity, MasconGravity):
        raise TypeError(
            f"the numba RK4 kernel needs point-mass or mascon gravity, got {type(gravity).__name__}; "
            "use propagate() for other models"
        )
    ext = np.zeros((1, 3)) if a_ext is None else np.atleast_2d(np.asarray(a_ext, dtype=float))
    ext = np.ascontiguousarray(ext)
    if ext.ndim != 2 or ext.shape[1] != 3:
        raise ValueError(f"a_ext must be (3,) or (n_steps, 3) m/s^2, got shape {ext.shape}")
    return rk4_propagate_mascon(
        np.ascontiguousarray(x0, dtype=float),
        float(dt),
        int(n_steps),
        _omega_vec(omega),
        gravity.positions,
        gravity.gm_each,
        ext,
    )
