"""Relative navigation near a small body: an extended Kalman filter in the body-fixed frame.

Units: metres, m/s, seconds, radians (see :mod:`gnc.bodies`).

State (body-fixed, rotating frame)::

    x = [r (3), v (3), b_a (3)]            + [dtheta] when the spin phase is estimated

``b_a`` is the accelerometer bias expressed in the body-fixed frame (constant when the
spacecraft holds a fixed attitude relative to the surface, as it does when hovering or
descending nadir-pointed; slowly re-rotated otherwise, which the bias random walk
absorbs). ``dtheta`` is the error of the spin phase the navigation assumes: the true
phase is ``theta_nominal + dtheta``, so an attitude computed from the star tracker with
the nominal phase, ``C_nom``, relates to the truth by ``C_true = Rz(-dtheta) C_nom``.

Prediction integrates ``r'' = a_grav(r) - 2 w x v - w x (w x r) + (f_meas - b_a)`` with
RK4, where ``f_meas`` is the accelerometer's specific force rotated into the body-fixed
frame (thrust + SRP). The covariance uses the exact discrete transition and process
noise of the linearised model (Van Loan), with continuous white-noise acceleration of
power spectral density ``accel_psd`` (m^2/s^3), a bias random walk ``bias_psd``
(m^2/s^5), and optionally the accelerometer's own sample noise ``accel_sigma``
(m/s^2) held over the step.

Updates: altimeter range along a known beam (ray cast to the filter's shape model,
Jacobian ``-n / (n . d)`` from the local facet normal), landmark bearings (normalised
image coordinates of catalogued surface points) and the target marker (a landmark
whose position is uncertain). Each update is gated on its normalised innovation
squared (NIS) and returns it, so that tests can check the filter's consistency:
NEES and NIS averaged over seeded Monte Carlo runs fall inside their chi-square
bounds (:func:`hover_consistency_run`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import chi2

from gnc.gravity import GravityModel
from gnc.sensors import BearingMeasurement, MarkerMeasurement, RangeMeasurement
from gnc.shape import surface_ray


def _skew(w: np.ndarray) -> np.ndarray:
    return np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


def _rz(theta: float) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _expm(m: np.ndarray) -> np.ndarray:
    """Matrix exponential by scaling and squaring of a 12-term Taylor series.

    The filter's matrices are small (<= 20x20) and well scaled; this avoids the
    overhead of scipy's Pade code, which dominated the filter's run time.
    """
    norm = np.abs(m).sum(axis=1).max()
    s = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    a = m / 2.0**s
    out = np.eye(len(m))
    term = np.eye(len(m))
    for k in range(1, 13):
        term = term @ a / k
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def _drz(theta: float) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[-s, -c, 0.0], [c, -s, 0.0], [0.0, 0.0, 0.0]])


@dataclass(frozen=True)
class UpdateResult:
    """Outcome of one measurement update: innovation, its covariance, NIS and the gate."""

    kind: str
    t: float
    innovation: np.ndarray
    innovation_cov: np.ndarray
    nis: float
    dof: int
    accepted: bool


@dataclass
class RelativeNavigationEKF:
    """Extended Kalman filter for position, velocity and accelerometer bias (body-fixed frame).

    ``gravity`` is the filter's gravity model (any :class:`gnc.gravity.GravityModel`),
    ``omega`` the spin rate (rad/s) or vector, ``x0`` (9,) or (10,) and ``P0`` the initial
    estimate. ``surface`` (mesh or ellipsoid semi-axes) is the shape the altimeter model
    ray-casts to; ``landmarks`` (k, 3) is the catalogue of landmark positions.
    ``gate_probability`` rejects updates whose NIS exceeds that chi-square quantile
    (None disables gating).
    """

    gravity: GravityModel
    omega: object
    x0: np.ndarray
    P0: np.ndarray
    accel_psd: float = 1e-14
    bias_psd: float = 0.0
    phase_psd: float = 0.0
    estimate_phase: bool = False
    surface: object = None
    landmarks: np.ndarray | None = None
    landmark_sigma_m: float = 0.0
    gate_probability: float | None = 0.9999
    iterations: int = 3
    range_model_sigma_m: float = 0.0
    range_linearization: str = "sigma"
    t: float = 0.0
    history: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        w = np.asarray(self.omega, dtype=float)
        self.omega_vec = np.array([0.0, 0.0, float(w)]) if w.ndim == 0 else w.astype(float)
        n = 10 if self.estimate_phase else 9
        self.x = np.array(self.x0, dtype=float).copy()
        self.P = np.array(self.P0, dtype=float).copy()
        if self.x.shape != (n,) or self.P.shape != (n, n):
            raise ValueError(
                f"with estimate_phase={self.estimate_phase} the state has {n} elements: "
                f"got x0 {self.x.shape} and P0 {self.P.shape}"
            )
        if np.any(np.linalg.eigvalsh(0.5 * (self.P + self.P.T)) <= 0):
            raise ValueError("P0 must be symmetric positive definite")
        if self.landmarks is not None:
            self.landmarks = np.atleast_2d(np.asarray(self.landmarks, dtype=float))
        self.n = n

    # --- accessors ---------------------------------------------------------------------------
    @property
    def position(self) -> np.ndarray:
        return self.x[0:3]

    @property
    def velocity(self) -> np.ndarray:
        return self.x[3:6]

    @property
    def accel_bias(self) -> np.ndarray:
        return self.x[6:9]

    @property
    def phase_error(self) -> float:
        return float(self.x[9]) if self.estimate_phase else 0.0

    def sigmas(self) -> np.ndarray:
        """1-sigma of every state element."""
        return np.sqrt(np.diag(self.P))

    def nees(self, x_true) -> float:
        """Normalised estimation error squared of the estimate against the true state."""
        e = np.asarray(x_true, dtype=float)[: self.n] - self.x
        return float(e @ np.linalg.solve(self.P, e))

    # --- prediction ---------------------------------------------------------------------------
    def _deriv(self, r, v, u):
        w = self.omega_vec
        acc = self.gravity.acceleration(r) - 2.0 * _cross(w, v) - _cross(w, _cross(w, r)) + u
        return v, acc

    def _jacobian(self) -> np.ndarray:
        n = self.n
        F = np.zeros((n, n))
        W = _skew(self.omega_vec)
        F[0:3, 3:6] = np.eye(3)
        F[3:6, 0:3] = self.gravity.gradient(self.x[0:3]) - W @ W
        F[3:6, 3:6] = -2.0 * W
        F[3:6, 6:9] = -np.eye(3)
        return F

    def _process_noise_psd(self) -> np.ndarray:
        qc = np.zeros((self.n, self.n))
        qc[3:6, 3:6] = self.accel_psd * np.eye(3)
        qc[6:9, 6:9] = self.bias_psd * np.eye(3)
        if self.estimate_phase:
            qc[9, 9] = self.phase_psd
        return qc

    def transition(self, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """Discrete transition matrix Phi and process noise Qd over ``dt`` (Van Loan)."""
        n = self.n
        F = self._jacobian()
        M = np.zeros((2 * n, 2 * n))
        M[:n, :n] = -F
        M[:n, n:] = self._process_noise_psd()
        M[n:, n:] = F.T
        E = _expm(M * dt)
        phi = E[n:, n:].T
        qd = phi @ E[:n, n:]
        return phi, 0.5 * (qd + qd.T)

    def propagate_mean(self, x: np.ndarray, dt: float, u: np.ndarray) -> np.ndarray:
        """One RK4 step of the state ``x`` under acceleration ``u`` (body frame) held over ``dt``."""
        r, v = x[0:3], x[3:6]
        k1r, k1v = self._deriv(r, v, u)
        k2r, k2v = self._deriv(r + 0.5 * dt * k1r, v + 0.5 * dt * k1v, u)
        k3r, k3v = self._deriv(r + 0.5 * dt * k2r, v + 0.5 * dt * k2v, u)
        k4r, k4v = self._deriv(r + dt * k3r, v + dt * k3v, u)
        out = x.copy()
        out[0:3] = r + dt / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
        out[3:6] = v + dt / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        return out

    def predict(self, dt: float, specific_force_body=None, accel_sigma: float = 0.0) -> None:
        """Advance the estimate by ``dt`` seconds with the measured specific force (body frame).

        ``accel_sigma`` (m/s^2) is the accelerometer's per-sample noise, treated as held
        constant over ``dt``.
        """
        if not dt > 0:
            raise ValueError(f"dt must be positive, got {dt}")
        f = np.zeros(3) if specific_force_body is None else np.asarray(specific_force_body, float)
        phi, qd = self.transition(dt)
        self.x = self.propagate_mean(self.x, dt, f - self.x[6:9])
        if accel_sigma > 0:
            g = np.zeros((self.n, 3))
            g[0:3] = 0.5 * dt * dt * np.eye(3)
            g[3:6] = dt * np.eye(3)
            qd = qd + accel_sigma**2 * g @ g.T
        self.P = phi @ self.P @ phi.T + qd
        self.P = 0.5 * (self.P + self.P.T)
        self.t += dt

    # --- updates -------------------------------------------------------------------------------
    def _update(self, kind, t, z, model, iterations: int | None = None) -> UpdateResult | None:
        """Iterated EKF update: ``model(x) -> (h, H, R)`` or None where it cannot be evaluated.

        The first linearisation gives the innovation, its covariance and the NIS (the
        gate); further Gauss-Newton iterations (``self.iterations``) relinearise at the
        updated estimate, which matters when a precise measurement meets a large prior
        (bearings at tens of metres with a metre of position uncertainty).
        """
        x0, P = self.x.copy(), self.P
        out = model(x0)
        if out is None:
            return None
        h, H, R = out
        y = z - h
        S = H @ P @ H.T + R
        nis = float(y @ np.linalg.solve(S, y))
        accepted = True
        if self.gate_probability is not None:
            accepted = nis <= chi2.ppf(self.gate_probability, len(y))
        if accepted:
            xi = x0 + np.linalg.solve(S, H @ P).T @ y
            for _ in range((self.iterations if iterations is None else iterations) - 1):
                out_i = model(xi)
                if out_i is None:
                    break
                h, H, R = out_i
                S = H @ P @ H.T + R
                xi = x0 + np.linalg.solve(S, H @ P).T @ (z - h - H @ (x0 - xi))
            K = np.linalg.solve(S, H @ P).T
            IKH = np.eye(self.n) - K @ H
            self.x = xi
            self.P = IKH @ P @ IKH.T + K @ R @ K.T
            self.P = 0.5 * (self.P + self.P.T)
        result = UpdateResult(kind, float(t), y, S, nis, len(y), bool(accepted))
        self.history.append(result)
        return result

    def update_range(self, meas: RangeMeasurement, attitude_dcm) -> UpdateResult | None:
        """Altimeter update; ``attitude_dcm`` is the spacecraft->body-fixed attitude (nominal phase)."""
        if self.surface is None:
            raise ValueError(
                "the filter needs a surface (mesh or ellipsoid axes) for altimeter updates"
            )
        c_nom = np.asarray(attitude_dcm, dtype=float)
        d_sc = np.asarray(meas.direction_sc, dtype=float)
        R = np.array([[meas.sigma_m**2 + self.range_model_sigma_m**2]])

        def beam(x):
            dth = x[9] if self.estimate_phase else 0.0
            return _rz(-dth) @ c_nom @ d_sc

        def facet_model(x):
            d = beam(x)
            rho, normal = surface_ray(self.surface, x[0:3], d)
            if not np.isfinite(rho):
                return None
            nd = float(normal @ d)
            if abs(nd) < 1e-3:
                return None
            H = np.zeros((1, self.n))
            H[0, 0:3] = -normal / nd
            if self.estimate_phase:
                # the beam turns with dtheta: d rho = -(n . dd) rho / (n . d)
                dd = -_drz(-x[9]) @ c_nom @ d_sc
                H[0, 9] = -float(normal @ dd) * rho / nd
            return np.array([rho]), H, R

        def sigma_point_model(x):
            # statistical linearisation over the position (and phase) uncertainty: on a
            # faceted shape the local facet normal is a poor slope when the uncertainty
            # spans several facets; the regression slope over sigma points is not.
            idx = [0, 1, 2] + ([9] if self.estimate_phase else [])
            m = len(idx)
            pss = self.P[np.ix_(idx, idx)]
            sq = np.linalg.cholesky(m * pss + 1e-12 * np.eye(m))
            offsets = np.vstack([np.zeros(m), sq.T, -sq.T])
            pts = np.repeat(x[None, :], len(offsets), axis=0)
            pts[:, idx] += offsets
            dirs = np.array([beam(p) for p in pts])
            rho, _ = surface_ray(self.surface, pts[:, 0:3], dirs)
            if not np.all(np.isfinite(rho)):
                return facet_model(x)
            w = np.full(len(pts), 1.0 / (2 * m))
            w[0] = 0.0
            mean = float(w @ rho)
            dev = rho - mean
            cross = (w * dev) @ offsets  # P_{s rho}
            slope = np.linalg.solve(pss, cross)
            resid = dev - offsets @ slope
            H = np.zeros((1, self.n))
            H[0, idx] = slope
            r_lin = float(w @ resid**2)
            return np.array([mean]), H, R + r_lin

        from gnc.shape import TriangleMesh

        use_sigma = self.range_linearization == "sigma" or (
            self.range_linearization == "auto" and isinstance(self.surface, TriangleMesh)
        )
        model = sigma_point_model if use_sigma else facet_model
        # statistical linearisation already spans the prior; re-iterating it adds nothing
        iters = 1 if use_sigma else None
        return self._update("range", meas.t, np.array([meas.range_m]), model, iters)

    def _bearing_model(self, x, points, c_nom):
        """Predicted uv (k, 2), Jacobians wrt state (k, 2, n) and points (k, 2, 3), depths (k,)."""
        dth = x[9] if self.estimate_phase else 0.0
        c_nom = np.asarray(c_nom, dtype=float)
        a = c_nom.T @ _rz(dth)  # body -> camera
        rel = points - x[0:3]
        los = rel @ a.T
        px, py, pz = los[:, 0], los[:, 1], los[:, 2]
        uv = np.stack([px / pz, py / pz], axis=1)
        duv = np.zeros((len(points), 2, 3))
        duv[:, 0, 0] = 1 / pz
        duv[:, 0, 2] = -px / pz**2
        duv[:, 1, 1] = 1 / pz
        duv[:, 1, 2] = -py / pz**2
        H = np.zeros((len(points), 2, self.n))
        H[:, :, 0:3] = -duv @ a
        if self.estimate_phase:
            dlos = rel @ (c_nom.T @ _drz(dth)).T
            H[:, :, 9] = np.einsum("kij,kj->ki", duv, dlos)
        return uv, H, duv @ a, pz

    def update_bearings(self, meas: BearingMeasurement, attitude_dcm) -> UpdateResult | None:
        """Landmark-bearing update against the filter's landmark catalogue."""
        if self.landmarks is None:
            raise ValueError("the filter needs a landmark catalogue for bearing updates")
        pts = self.landmarks[np.asarray(meas.ids)]
        k = len(pts)

        def model(x):
            uv, H, dpts, depth = self._bearing_model(x, pts, attitude_dcm)
            if np.any(depth <= 0):
                return None
            R = meas.sigma**2 * np.eye(2 * k)
            if self.landmark_sigma_m > 0:
                J = np.zeros((2 * k, 3 * k))
                for i in range(k):
                    J[2 * i : 2 * i + 2, 3 * i : 3 * i + 3] = dpts[i]
                R = R + self.landmark_sigma_m**2 * J @ J.T
            return uv.reshape(-1), H.reshape(2 * k, self.n), R

        return self._update("bearings", meas.t, np.asarray(meas.uv, float).reshape(-1), model)

    def update_marker(
        self, meas: MarkerMeasurement, attitude_dcm, marker_position, marker_sigma_m: float = 0.5
    ) -> UpdateResult | None:
        """Target-marker update: a bearing to a point whose catalogued position has 1-sigma ``marker_sigma_m``."""
        pts = np.atleast_2d(np.asarray(marker_position, dtype=float))

        def model(x):
            uv, H, dpts, depth = self._bearing_model(x, pts, attitude_dcm)
            if depth[0] <= 0:
                return None
            R = meas.sigma**2 * np.eye(2) + marker_sigma_m**2 * dpts[0] @ dpts[0].T
            return uv[0], H[0], R

        return self._update("marker", meas.t, np.asarray(meas.uv, float), model)


class RelativeNavigationUKF(RelativeNavigationEKF):
    """Unscented variant of :class:`RelativeNavigationEKF` (same state, inputs and updates).

    Sigma points (scaled unscented transform, ``alpha = 1``, ``kappa = 0``, ``beta = 2``:
    2n points at ``x +- sqrt(n P)`` columns) go through the RK4 prediction and through
    each measurement function, so no Jacobian is used except for the additive process
    noise, which keeps the linearised Van Loan form. It costs about 2n + 1 times the
    EKF's prediction. The altimeter uses the plain ray-cast range at every sigma point.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.range_linearization = "facet"

    def _sigma_points(self) -> np.ndarray:
        n = self.n
        sq = np.linalg.cholesky(n * self.P + 1e-30 * np.eye(n))
        return np.vstack([self.x, self.x + sq.T, self.x - sq.T])

    def _weights(self) -> np.ndarray:
        w = np.full(2 * self.n + 1, 1.0 / (2 * self.n))
        w[0] = 0.0
        return w

    def predict(self, dt: float, specific_force_body=None, accel_sigma: float = 0.0) -> None:
        if not dt > 0:
            raise ValueError(f"dt must be positive, got {dt}")
        f = np.zeros(3) if specific_force_body is None else np.asarray(specific_force_body, float)
        _, qd = self.transition(dt)
        pts = self._sigma_points()
        prop = np.array([self.propagate_mean(p, dt, f - p[6:9]) for p in pts])
        w = self._weights()
        mean = prop[0] if w[0] > 0 else w @ prop
        dev = prop - mean
        if accel_sigma > 0:
            g = np.zeros((self.n, 3))
            g[0:3] = 0.5 * dt * dt * np.eye(3)
            g[3:6] = dt * np.eye(3)
            qd = qd + accel_sigma**2 * g @ g.T
        self.x = mean
        self.P = (w[:, None] * dev).T @ dev + qd
        self.P = 0.5 * (self.P + self.P.T)
        self.t += dt

    def _update(self, kind, t, z, model, iterations: int | None = None) -> UpdateResult | None:
        out0 = model(self.x)
        if out0 is None:
            return None
        _, _, R = out0
        pts = self._sigma_points()
        outs = [model(p) for p in pts]
        if any(o is None for o in outs):
            return super()._update(kind, t, z, model, iterations)
        hs = np.array([o[0] for o in outs])
        w = self._weights()
        h_mean = w @ hs
        dz = hs - h_mean
        dx = pts - self.x
        S = (w[:, None] * dz).T @ dz + R
        pxz = (w[:, None] * dx).T @ dz
        y = z - h_mean
        nis = float(y @ np.linalg.solve(S, y))
        accepted = True
        if self.gate_probability is not None:
            accepted = nis <= chi2.ppf(self.gate_probability, len(y))
        if accepted:
            K = np.linalg.solve(S, pxz.T).T
            self.x = self.x + K @ y
            self.P = self.P - K @ S @ K.T
            self.P = 0.5 * (self.P + self.P.T)
        result = UpdateResult(kind, float(t), y, S, nis, len(y), bool(accepted))
        self.history.append(result)
        return result


# --- consistency scenario -------------------------------------------------------------------------


def nees_bounds(n_runs: int, dof: int, probability: float = 0.95) -> tuple[float, float]:
    """Two-sided chi-square bounds of the run-averaged NEES/NIS (Bar-Shalom et al. 2001, 5.4)."""
    lo = chi2.ppf((1 - probability) / 2, n_runs * dof) / n_runs
    hi = chi2.ppf((1 + probability) / 2, n_runs * dof) / n_runs
    return float(lo), float(hi)


def hover_consistency_run(
    seed: int,
    gravity: GravityModel,
    spin_rate: float,
    mesh,
    duration_s: float = 400.0,
    dt: float = 2.0,
    start=(0.0, 40.0, 55.0),
    estimate_phase: bool = False,
    camera_every: int = 5,
    n_landmarks: int = 150,
    accel_psd: float = 1e-13,
    accel_sigma: float = 2e-6,
    accel_bias_sigma: float = 3e-5,
    position_sigma_m: float = 1.0,
    velocity_sigma_m_s: float = 0.01,
    phase_sigma_rad: float = 0.02,
    altimeter_surface=None,
    altimeter_sigma_m: float = 0.05,
    use_altimeter: bool = True,
    range_model_sigma_m: float = 0.0,
    iterations: int = 3,
    range_linearization: str = "sigma",
    filter_kind: str = "ekf",
) -> dict[str, np.ndarray]:
    """One seeded Monte Carlo run of the filter on a hovering arc; returns NEES and NIS series.

    The truth is propagated with the filter's own discrete model (RK4 plus process noise
    drawn from the filter's Qd), so any inconsistency shown is the filter's own
    (linearisation, Jacobians, bookkeeping). The spacecraft holds a hover: its thrust
    cancels the nominal gravity and spin terms at the start point. Sensors: laser
    altimeter every step, camera landmarks every ``camera_every`` steps, accelerometer
    with a bias every step.
    """
    from gnc.sensors import LaserAltimeter, NavCamera, TruthState, nadir_attitude

    rng = np.random.default_rng(seed)
    n = 10 if estimate_phase else 9
    sig0 = [position_sigma_m] * 3 + [velocity_sigma_m_s] * 3 + [accel_bias_sigma] * 3
    if estimate_phase:
        sig0.append(phase_sigma_rad)
    P0 = np.diag(np.square(sig0))
    # truth: bias and phase offset drawn from the prior, whose mean (0) the filter starts at
    x_true = np.zeros(n)
    x_true[0:3] = start
    x_true[6:9] = accel_bias_sigma * rng.standard_normal(3)
    if estimate_phase:
        x_true[9] = phase_sigma_rad * rng.standard_normal()
    x_hat = np.zeros(n)
    x_hat[0:6] = x_true[0:6] + np.array(sig0[0:6]) * rng.standard_normal(6)
    camera = NavCamera.from_mesh(mesh, n_landmarks, rng, fov_deg=60.0, max_landmarks=8)
    alt_surface = mesh if altimeter_surface is None else altimeter_surface
    altimeter = LaserAltimeter(alt_surface, sigma_m=altimeter_sigma_m)
    cls = {"ekf": RelativeNavigationEKF, "ukf": RelativeNavigationUKF}[filter_kind]
    ekf = cls(
        gravity,
        spin_rate,
        x_hat,
        P0,
        accel_psd=accel_psd,
        estimate_phase=estimate_phase,
        surface=alt_surface,
        landmarks=camera.landmarks,
        gate_probability=None,
        range_model_sigma_m=range_model_sigma_m,
        iterations=iterations,
        range_linearization=range_linearization,
    )
    # the truth model: same discrete dynamics, no bias in the dynamics, thrust applied exactly
    truth_model = RelativeNavigationEKF(
        gravity, spin_rate, x_true.copy(), P0, accel_psd=accel_psd, estimate_phase=estimate_phase
    )
    w = np.array([0.0, 0.0, spin_rate])
    r0 = np.asarray(start, float)
    hover_thrust = -(gravity.acceleration(r0) - np.cross(w, np.cross(w, r0)))
    steps = int(round(duration_s / dt))
    nees = np.empty(steps)
    nis_range, nis_bear = [], []
    for k in range(steps):
        truth_model.x = x_true
        _, qd = truth_model.transition(dt)
        x_next = truth_model.propagate_mean(x_true, dt, hover_thrust) + _sample_gaussian(qd, rng)
        x_next[6:] = x_true[6:]  # constant bias and phase offset (no random walk here)
        x_true = x_next
        # accelerometer: true specific force + bias + white noise held over the step
        f_meas = hover_thrust + x_true[6:9] + accel_sigma * rng.standard_normal(3)
        ekf.predict(dt, f_meas, accel_sigma=accel_sigma)
        phase = x_true[9] if estimate_phase else 0.0
        truth = TruthState(t=ekf.t, r=x_true[0:3], v=x_true[3:6], q_sc=nadir_attitude(x_true[0:3]))
        c_nom = _rz(phase) @ truth.dcm_sc  # the attitude the filter computes with the nominal phase
        m = altimeter.measure(truth, rng) if use_altimeter else None
        if m is not None:
            res = ekf.update_range(m, c_nom)
            if res is not None:
                nis_range.append(res.nis)
        if k % camera_every == camera_every - 1:
            b = camera.measure(truth, rng)
            if b is not None:
                res = ekf.update_bearings(b, c_nom)
                if res is not None:
                    nis_bear.append((res.nis, res.dof))
        nees[k] = ekf.nees(x_true)
    return {
        "nees": nees,
        "nis_range": np.array(nis_range),
        "nis_bearings": np.array(nis_bear).reshape(-1, 2),
        "final_error": x_true - ekf.x,
        "final_sigma": ekf.sigmas(),
    }


def _sample_gaussian(cov: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    return v @ (np.sqrt(np.clip(w, 0.0, None)) * rng.standard_normal(len(w)))


def consistency_campaign(n_runs: int = 20, seed: int = 0, body_diameter_m: float = 41.0, **run_kw):
    """Seeded Monte Carlo of :func:`hover_consistency_run` as an xarray Dataset.

    Run ``i`` uses the ``i``-th child of ``numpy.random.SeedSequence(seed)``, so results
    do not depend on how runs are distributed. Returns ``nees`` over ``(run, step)``,
    the run-averaged ``nees_mean`` and the 95 % chi-square band ``nees_lo``/``nees_hi``
    as attributes, plus the altimeter ``nis_range_mean`` per run.
    """
    import xarray as xr

    from gnc.bodies import kamooalewa
    from gnc.shape import synthetic_body

    if n_runs < 1:
        raise ValueError(f"n_runs must be at least 1, got {n_runs}")
    body = kamooalewa(diameter_m=body_diameter_m)
    mesh = synthetic_body(body.diameter_m, seed=seed, subdivisions=3)
    gravity = body.point_mass_gravity()
    children = np.random.SeedSequence(seed).spawn(n_runs)
    runs = [hover_consistency_run(c, gravity, body.spin_rate, mesh, **run_kw) for c in children]
    nees = np.array([r["nees"] for r in runs])
    n_states = len(runs[0]["final_sigma"])
    lo, hi = nees_bounds(n_runs, n_states)
    dt = run_kw.get("dt", 2.0)
    mean = nees.mean(axis=0)
    return xr.Dataset(
        {
            "nees": (
                ("run", "time"),
                nees,
                {"units": "1", "long_name": "normalised estimation error squared"},
            ),
            "nees_mean": ("time", mean, {"units": "1", "long_name": "run-averaged NEES"}),
            "nis_range_mean": (
                "run",
                np.array([r["nis_range"].mean() if len(r["nis_range"]) else np.nan for r in runs]),
                {"units": "1", "long_name": "mean altimeter NIS per run (1 dof)"},
            ),
        },
        coords={
            "run": np.arange(n_runs),
            "time": (
                "time",
                dt * np.arange(1, nees.shape[1] + 1),
                {"units": "s", "long_name": "time"},
            ),
        },
        attrs={
            "n_states": n_states,
            "nees_lo": lo,
            "nees_hi": hi,
            "fraction_inside": float(np.mean((mean > lo) & (mean < hi))),
        },
    )
