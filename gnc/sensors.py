"""Sensor models for proximity operations: altimeter, navigation camera, star tracker, IMU, target marker.

Units: metres, seconds, radians, m/s^2 (see :mod:`gnc.bodies`). Every sensor is a
small frozen dataclass with a ``measure(truth, rng)`` method that takes a
:class:`TruthState` and a ``numpy.random.Generator`` and returns a plain measurement
dataclass, or ``None`` when the sensor drops out (random dropout, target out of
range or out of the field of view). All randomness comes from the generator handed
in, so a seeded run is reproducible.

Frames and attitude conventions
-------------------------------
- Positions and velocities are in the small body's body-fixed frame.
- Quaternions are scalar-first ``[w, x, y, z]``. ``TruthState.q_sc`` rotates
  spacecraft-frame vectors into the body-fixed frame: ``v_body = R(q_sc) v_sc``.
- The camera, altimeter and their boresight are the spacecraft's +z axis.
- The star tracker measures the spacecraft attitude relative to the non-rotating
  (inertial) frame: ``q_inertial = q_z(theta) * q_sc`` with ``theta`` the spin phase.
- Camera measurements are normalised image coordinates ``(x/z, y/z)`` of the line
  of sight in the camera frame (a pinhole of unit focal length); one pixel of a
  1024-pixel, 20-degree camera is about 3.4e-4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gnc.shape import surface_ray

# --- quaternions -----------------------------------------------------------------------------


def quat_multiply(p, q) -> np.ndarray:
    """Hamilton product p * q of scalar-first quaternions."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    w1, x1, y1, z1 = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
    w2, x2, y2, z2 = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ],
        axis=-1,
    )


def quat_conjugate(q) -> np.ndarray:
    """Conjugate (inverse for unit quaternions)."""
    q = np.asarray(q, dtype=float)
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_to_dcm(q) -> np.ndarray:
    """Rotation matrix R with ``v_parent = R v_child`` for a unit quaternion child->parent."""
    w, x, y, z = np.asarray(q, dtype=float) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def dcm_to_quat(m) -> np.ndarray:
    """Unit quaternion (scalar-first, w >= 0) of a rotation matrix."""
    m = np.asarray(m, dtype=float)
    tr = np.trace(m)
    if tr > 0:
        s = 2.0 * np.sqrt(tr + 1.0)
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s]
    else:
        i = int(np.argmax(np.diag(m)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = 2.0 * np.sqrt(1.0 + m[i, i] - m[j, j] - m[k, k])
        q = np.empty(4)
        q[0] = (m[k, j] - m[j, k]) / s
        q[1 + i] = 0.25 * s
        q[1 + j] = (m[j, i] + m[i, j]) / s
        q[1 + k] = (m[k, i] + m[i, k]) / s
    q = np.asarray(q, dtype=float)
    return q if q[0] >= 0 else -q


def quat_from_rotvec(phi) -> np.ndarray:
    """Quaternion of a rotation vector (axis * angle, rad)."""
    phi = np.asarray(phi, dtype=float)
    angle = np.linalg.norm(phi)
    if angle < 1e-12:
        return np.concatenate([[1.0], 0.5 * phi])
    axis = phi / angle
    return np.concatenate([[np.cos(angle / 2)], np.sin(angle / 2) * axis])


def quat_to_rotvec(q) -> np.ndarray:
    """Rotation vector (rad) of a unit quaternion (shortest rotation)."""
    q = np.asarray(q, dtype=float)
    q = q if q[0] >= 0 else -q
    s = np.linalg.norm(q[1:])
    if s < 1e-12:
        return 2.0 * q[1:]
    return 2.0 * np.arctan2(s, q[0]) * q[1:] / s


def quat_z(theta: float) -> np.ndarray:
    """Quaternion of a rotation by ``theta`` (rad) about +z."""
    return np.array([np.cos(theta / 2), 0.0, 0.0, np.sin(theta / 2)])


def nadir_attitude(r, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Attitude q_sc (spacecraft -> body-fixed) pointing the +z boresight at the body's centre.

    The spacecraft +x axis is kept as close as possible to ``up`` (or to body +x when
    ``up`` is parallel to the boresight).
    """
    r = np.asarray(r, dtype=float)
    z = -r / np.linalg.norm(r)
    hint = np.asarray(up, dtype=float)
    if abs(np.dot(hint, z)) > 0.99 * np.linalg.norm(hint):
        hint = np.array([1.0, 0.0, 0.0]) if abs(z[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    x = hint - np.dot(hint, z) * z
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return dcm_to_quat(np.column_stack([x, y, z]))


def attitude_in_body_frame(q_inertial, spin_phase: float) -> np.ndarray:
    """Spacecraft->body-fixed attitude from a star-tracker (spacecraft->inertial) quaternion."""
    return quat_multiply(quat_z(-spin_phase), q_inertial)


# --- truth and measurements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TruthState:
    """What the world is at time ``t``: the inputs every sensor model reads.

    ``r``, ``v`` body-fixed (m, m/s); ``q_sc`` spacecraft->body-fixed attitude;
    ``specific_force`` non-gravitational acceleration (thrust + SRP, m/s^2) in the
    body-fixed frame; ``omega_sc`` spacecraft angular velocity w.r.t. inertial space in
    the spacecraft frame (rad/s); ``spin_phase`` of the small body (rad).
    """

    t: float
    r: np.ndarray
    v: np.ndarray
    q_sc: np.ndarray = field(default_factory=lambda: np.array([1.0, 0.0, 0.0, 0.0]))
    specific_force: np.ndarray = field(default_factory=lambda: np.zeros(3))
    omega_sc: np.ndarray = field(default_factory=lambda: np.zeros(3))
    spin_phase: float = 0.0

    @classmethod
    def nadir(cls, t: float, r, v, **kw) -> TruthState:
        """A truth state with the boresight pointed at the body's centre."""
        r = np.asarray(r, dtype=float)
        return cls(t=t, r=r, v=np.asarray(v, dtype=float), q_sc=nadir_attitude(r), **kw)

    @property
    def dcm_sc(self) -> np.ndarray:
        """R(q_sc): spacecraft -> body-fixed."""
        return quat_to_dcm(self.q_sc)


@dataclass(frozen=True)
class RangeMeasurement:
    """Altimeter range (m) along ``direction_sc`` (unit, spacecraft frame)."""

    t: float
    range_m: float
    direction_sc: np.ndarray
    sigma_m: float


@dataclass(frozen=True)
class BearingMeasurement:
    """Normalised image coordinates ``uv`` (k, 2) of landmarks ``ids`` (k,) seen by the camera."""

    t: float
    ids: np.ndarray
    uv: np.ndarray
    sigma: float


@dataclass(frozen=True)
class AttitudeMeasurement:
    """Star-tracker attitude ``q_inertial`` (spacecraft -> inertial, scalar-first)."""

    t: float
    q_inertial: np.ndarray
    sigma_rad: np.ndarray


@dataclass(frozen=True)
class ImuMeasurement:
    """Accelerometer specific force (m/s^2) and gyro rate (rad/s), spacecraft frame."""

    t: float
    specific_force_sc: np.ndarray
    angular_rate_sc: np.ndarray


@dataclass(frozen=True)
class MarkerMeasurement:
    """Image coordinates ``uv`` (2,) of the target marker."""

    t: float
    uv: np.ndarray
    sigma: float


# --- sensors ---------------------------------------------------------------------------------------


def _check_prob(p: float, name: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p}")


def _check_positive(x: float, name: str) -> None:
    if not x > 0:
        raise ValueError(f"{name} must be positive, got {x}")


@dataclass(frozen=True)
class LaserAltimeter:
    """Laser altimeter / LIDAR: range along the boresight to the shape, with noise, bias, dropouts.

    ``surface`` is a :class:`gnc.shape.TriangleMesh` or ellipsoid semi-axes. Range noise
    is ``sigma_m + sigma_fraction * range`` (1-sigma); ``bias_m`` adds a fixed offset.
    Beyond ``max_range_m`` or below ``min_range_m`` the sensor returns None, as does a
    random dropout with probability ``dropout_prob``.
    """

    surface: object
    sigma_m: float = 0.05
    sigma_fraction: float = 0.0
    bias_m: float = 0.0
    max_range_m: float = 1000.0
    min_range_m: float = 0.5
    dropout_prob: float = 0.0
    direction_sc: tuple[float, float, float] = (0.0, 0.0, 1.0)

    def __post_init__(self) -> None:
        _check_positive(self.sigma_m, "sigma_m")
        _check_positive(self.max_range_m, "max_range_m")
        _check_prob(self.dropout_prob, "dropout_prob")

    def true_range(self, truth: TruthState) -> float:
        """Noise-free range (m) to the surface along the beam, ``inf`` on a miss.

        0 when the instrument is inside the body (the first surface the beam meets faces
        away from it, as when the spacecraft is pressed into the surface at contact): the
        beam returns nothing then, rather than the far side of the body tens of metres away.
        """
        d_body = truth.dcm_sc @ np.asarray(self.direction_sc, float)
        d_body = d_body / np.linalg.norm(d_body)
        dist, normal = surface_ray(self.surface, truth.r, d_body)
        if np.isfinite(dist) and float(normal @ d_body) > 0.0:
            return 0.0
        return float(dist)

    def measure(self, truth: TruthState, rng: np.random.Generator) -> RangeMeasurement | None:
        if rng.random() < self.dropout_prob:
            return None
        rho = self.true_range(truth)
        if not (self.min_range_m <= rho <= self.max_range_m):
            return None
        sigma = self.sigma_m + self.sigma_fraction * rho
        d = np.asarray(self.direction_sc, float)
        return RangeMeasurement(
            truth.t, rho + self.bias_m + sigma * rng.standard_normal(), d / np.linalg.norm(d), sigma
        )


def lrf_beams(tilt_deg: float = 15.0, n: int = 4) -> tuple[tuple[float, float, float], ...]:
    """Unit beam directions (spacecraft frame) of an ``n``-beam laser range finder.

    Beams are tilted by ``tilt_deg`` from +z and spread evenly in azimuth, like the
    four-beam LRF Hayabusa2 used below ~30 m to measure height and local slope.
    """
    t = np.radians(tilt_deg)
    az = 2 * np.pi * np.arange(n) / n + np.pi / n
    return tuple(
        (float(np.sin(t) * np.cos(a)), float(np.sin(t) * np.sin(a)), float(np.cos(t))) for a in az
    )


@dataclass(frozen=True)
class LaserRangeFinder:
    """Multi-beam laser range finder: one :class:`LaserAltimeter` per beam, dropping out per beam.

    ``measure`` returns the list of beams that returned a range (possibly empty); each
    item is a :class:`RangeMeasurement` the filter can use on its own. The spread of
    ranges across tilted beams gives the local slope of the surface.
    """

    surface: object
    beams_sc: tuple = field(default_factory=lrf_beams)
    sigma_m: float = 0.02
    max_range_m: float = 50.0
    min_range_m: float = 0.3
    dropout_prob: float = 0.0

    def _beam(self, d) -> LaserAltimeter:
        return LaserAltimeter(
            self.surface,
            sigma_m=self.sigma_m,
            max_range_m=self.max_range_m,
            min_range_m=self.min_range_m,
            dropout_prob=self.dropout_prob,
            direction_sc=tuple(d),
        )

    def measure(self, truth: TruthState, rng: np.random.Generator) -> list[RangeMeasurement]:
        out = []
        for d in self.beams_sc:
            m = self._beam(d).measure(truth, rng)
            if m is not None:
                out.append(m)
        return out

    def local_normal(self, measurements: list[RangeMeasurement], attitude_dcm) -> np.ndarray | None:
        """Surface normal (body-fixed, unit) of the plane through three or more beam footprints."""
        if len(measurements) < 3:
            return None
        c = np.asarray(attitude_dcm, dtype=float)
        pts = np.array([m.range_m * (c @ m.direction_sc) for m in measurements])
        centred = pts - pts.mean(axis=0)
        normal = np.linalg.svd(centred)[2][-1]
        boresight = c @ np.array([0.0, 0.0, 1.0])
        return normal if normal @ boresight < 0 else -normal


@dataclass(frozen=True)
class NavCamera:
    """Navigation camera seeing surface landmarks as bearings (normalised image coordinates).

    ``landmarks`` (k, 3) body-fixed positions (m) and ``normals`` (k, 3) outward surface
    normals. A landmark is seen when it lies inside the half-angle ``fov_deg / 2`` of the
    boresight, faces the camera at an emission angle below ``max_emission_deg``, is
    closer than ``max_range_m``, is lit (if ``sun_dir_body`` is given) and, if
    ``occluder`` (a mesh) is given, is not hidden behind the terrain. At most
    ``max_landmarks`` are returned per image; a whole image drops out with
    ``dropout_prob``.
    """

    landmarks: np.ndarray
    normals: np.ndarray
    fov_deg: float = 30.0
    sigma: float = 3.4e-4
    max_emission_deg: float = 70.0
    max_range_m: float = 2000.0
    max_landmarks: int = 20
    dropout_prob: float = 0.0
    occluder: object = None

    def __post_init__(self) -> None:
        lm = np.atleast_2d(np.asarray(self.landmarks, float))
        nm = np.atleast_2d(np.asarray(self.normals, float))
        if lm.shape != nm.shape or lm.shape[1] != 3:
            raise ValueError(
                f"landmarks and normals must both be (k, 3), got {lm.shape} and {nm.shape}"
            )
        object.__setattr__(self, "landmarks", lm)
        object.__setattr__(self, "normals", nm / np.linalg.norm(nm, axis=1, keepdims=True))
        _check_positive(self.sigma, "sigma")
        _check_prob(self.dropout_prob, "dropout_prob")
        if not 0 < self.fov_deg < 180:
            raise ValueError(f"fov_deg must be in (0, 180), got {self.fov_deg}")

    @classmethod
    def from_mesh(cls, mesh, n_landmarks: int, rng: np.random.Generator, **kw) -> NavCamera:
        """Landmarks at the centres of ``n_landmarks`` randomly chosen faces of ``mesh``."""
        idx = rng.choice(len(mesh.faces), size=n_landmarks, replace=False)
        return cls(mesh.face_centers[idx], mesh.face_normals[idx], **kw)

    def visible(self, truth: TruthState, sun_dir_body=None) -> np.ndarray:
        """Indices of landmarks the camera can see from ``truth`` (noise-free geometry)."""
        rel = self.landmarks - truth.r  # camera -> landmark, body frame
        dist = np.linalg.norm(rel, axis=1)
        los_sc = rel @ truth.dcm_sc  # R^T rel, row-wise
        cos_off = los_sc[:, 2] / dist
        in_fov = cos_off > np.cos(np.radians(self.fov_deg / 2))
        cos_emit = -np.sum(self.normals * rel, axis=1) / dist
        facing = cos_emit > np.cos(np.radians(self.max_emission_deg))
        ok = in_fov & facing & (dist < self.max_range_m)
        if sun_dir_body is not None:
            ok &= self.normals @ np.asarray(sun_dir_body, float) > 0
        if self.occluder is not None and np.any(ok):
            cand = np.flatnonzero(ok)
            hit, _ = self.occluder.ray_cast(
                np.broadcast_to(truth.r, (len(cand), 3)), rel[cand] / dist[cand, None]
            )
            ok[cand[hit < dist[cand] - 0.05]] = False
        return np.flatnonzero(ok)

    def measure(
        self, truth: TruthState, rng: np.random.Generator, sun_dir_body=None
    ) -> BearingMeasurement | None:
        if rng.random() < self.dropout_prob:
            return None
        ids = self.visible(truth, sun_dir_body)
        if len(ids) == 0:
            return None
        if len(ids) > self.max_landmarks:
            ids = np.sort(rng.choice(ids, size=self.max_landmarks, replace=False))
        los = (self.landmarks[ids] - truth.r) @ truth.dcm_sc
        uv = los[:, :2] / los[:, 2:3] + self.sigma * rng.standard_normal((len(ids), 2))
        return BearingMeasurement(truth.t, ids, uv, self.sigma)


@dataclass(frozen=True)
class TargetMarker:
    """A Hayabusa2-style retro-reflective target marker resting on the surface.

    Seen by the camera (flash-on/flash-off differencing) as one bright point when it is
    inside the field of view and closer than ``max_range_m``; detection probability
    falls linearly from 1 at ``reliable_range_m`` to 0 at ``max_range_m``.
    ``position`` is its true body-fixed position (m).
    """

    position: tuple[float, float, float]
    fov_deg: float = 30.0
    sigma: float = 5e-4
    reliable_range_m: float = 100.0
    max_range_m: float = 200.0
    dropout_prob: float = 0.0

    def __post_init__(self) -> None:
        _check_prob(self.dropout_prob, "dropout_prob")
        if not 0 < self.reliable_range_m <= self.max_range_m:
            raise ValueError(
                f"need 0 < reliable_range_m <= max_range_m, got {self.reliable_range_m}, {self.max_range_m}"
            )

    def measure(self, truth: TruthState, rng: np.random.Generator) -> MarkerMeasurement | None:
        rel = np.asarray(self.position, float) - truth.r
        dist = np.linalg.norm(rel)
        los = truth.dcm_sc.T @ rel
        if los[2] <= dist * np.cos(np.radians(self.fov_deg / 2)) or dist > self.max_range_m:
            return None
        p_detect = np.clip(
            (self.max_range_m - dist) / (self.max_range_m - self.reliable_range_m + 1e-12), 0, 1
        )
        if rng.random() < self.dropout_prob or rng.random() > p_detect:
            return None
        uv = los[:2] / los[2] + self.sigma * rng.standard_normal(2)
        return MarkerMeasurement(truth.t, uv, self.sigma)


@dataclass(frozen=True)
class StarTracker:
    """Star tracker: inertial attitude with small-angle noise (cross-boresight and roll)."""

    sigma_cross_rad: float = 5e-5  # ~10 arcsec
    sigma_roll_rad: float = 3e-4  # ~60 arcsec about its boresight
    dropout_prob: float = 0.0

    def __post_init__(self) -> None:
        _check_prob(self.dropout_prob, "dropout_prob")

    def measure(self, truth: TruthState, rng: np.random.Generator) -> AttitudeMeasurement | None:
        if rng.random() < self.dropout_prob:
            return None
        sig = np.array([self.sigma_cross_rad, self.sigma_cross_rad, self.sigma_roll_rad])
        err = quat_from_rotvec(sig * rng.standard_normal(3))  # error in the spacecraft frame
        q_true = quat_multiply(quat_z(truth.spin_phase), truth.q_sc)
        q = quat_multiply(q_true, err)
        return AttitudeMeasurement(truth.t, q / np.linalg.norm(q), sig)

    def available(self, rng: np.random.Generator) -> bool:
        """Whether :meth:`measure` would give a measurement, drawing the same random numbers from ``rng``.

        For a simulation that only needs the tracker's validity flag: the generator
        ends in the same state as after :meth:`measure`, without the attitude arithmetic.
        """
        if rng.random() < self.dropout_prob:
            return False
        rng.standard_normal(3)
        return True


@dataclass(frozen=True)
class IMU:
    """Accelerometer and gyro with white noise and constant biases (spacecraft frame).

    ``accel_sigma`` m/s^2 and ``gyro_sigma`` rad/s per sample; ``accel_bias`` (3,) m/s^2
    and ``gyro_bias`` (3,) rad/s. Draw biases with :meth:`with_random_biases`.
    """

    accel_sigma: float = 1e-5
    gyro_sigma: float = 1e-5
    accel_bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gyro_bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    dropout_prob: float = 0.0

    def __post_init__(self) -> None:
        _check_prob(self.dropout_prob, "dropout_prob")

    @classmethod
    def with_random_biases(
        cls, rng: np.random.Generator, accel_bias_sigma=3e-5, gyro_bias_sigma=1e-5, **kw
    ) -> IMU:
        """An IMU whose biases are drawn from zero-mean normals (seeded by ``rng``)."""
        return cls(
            accel_bias=tuple(accel_bias_sigma * rng.standard_normal(3)),
            gyro_bias=tuple(gyro_bias_sigma * rng.standard_normal(3)),
            **kw,
        )

    def measure(self, truth: TruthState, rng: np.random.Generator) -> ImuMeasurement | None:
        if rng.random() < self.dropout_prob:
            return None
        f_sc = truth.dcm_sc.T @ np.asarray(truth.specific_force, float)
        f = f_sc + np.asarray(self.accel_bias) + self.accel_sigma * rng.standard_normal(3)
        w = (
            np.asarray(truth.omega_sc, float)
            + np.asarray(self.gyro_bias)
            + self.gyro_sigma * rng.standard_normal(3)
        )
        return ImuMeasurement(truth.t, f, w)
