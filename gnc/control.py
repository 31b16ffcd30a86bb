"""Actuation: thruster allocation with minimum impulse bits, and quaternion attitude feedback.

:class:`ThrusterLayout` is a realistic reaction-control layout: twelve
thrusters, two per direction along +-x, +-y, +-z of the spacecraft, each pair
offset from the centre of mass so that firing one of the pair also gives a
torque. Every torque axis is served by two pairs, so any force and torque
within limits can be made with non-negative thrusts.

:meth:`ThrusterLayout.allocate` turns a wanted force and torque into thruster
forces by non-negative least squares with a small propellant penalty
(``min |B f - w|^2 + lambda |f|_1`` over ``f >= 0``, then scaled into the
thrust limit), and :class:`PulseModulator` turns those forces into on-times
for one control period with a minimum on-time (the minimum impulse bit): an
error accumulator (sigma-delta) fires a minimum pulse when enough impulse has
been owed, so small average forces are still delivered on average.

:func:`quaternion_feedback_torque` is the classic proportional-derivative
quaternion law (Wie, Weiss & Arapostathis, "Quaternion feedback regulator for
spacecraft eigenaxis rotations", JGCD 12(3), 1989):
``tau = -Kp sign(q_e0) q_e,vec - Kd (w - w_ref) + w x J w``.

Units: N, N m, s, kg m^2, rad. Quaternions are scalar-first ``[w, x, y, z]``
(as in :mod:`gnc.sensors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

from gnc.sensors import quat_conjugate, quat_multiply

__all__ = [
    "PulseModulator",
    "ThrusterLayout",
    "default_layout",
    "quaternion_error",
    "quaternion_feedback_torque",
]


@dataclass(frozen=True)
class ThrusterLayout:
    """Thruster positions (k, 3) m and force directions (k, 3) in the spacecraft frame, with force ``f_max`` (N)."""

    positions: np.ndarray
    directions: np.ndarray
    f_max: float = 20.0
    min_on_time_s: float = 0.02
    fuel_weight: float = 1e-6
    _B: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pos = np.asarray(self.positions, dtype=float)
        dirs = np.asarray(self.directions, dtype=float)
        if pos.shape != dirs.shape or pos.ndim != 2 or pos.shape[1] != 3:
            raise ValueError(
                f"positions and directions must both be (k, 3), got {pos.shape}, {dirs.shape}"
            )
        if not self.f_max > 0:
            raise ValueError(f"f_max must be positive (N), got {self.f_max}")
        dirs = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
        B = np.vstack([dirs.T, np.cross(pos, dirs).T])
        if np.linalg.matrix_rank(B) < 6:
            raise ValueError("the layout cannot make every force and torque (rank of B < 6)")
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "directions", dirs)
        object.__setattr__(self, "_B", B)

    @property
    def n_thrusters(self) -> int:
        return len(self.positions)

    @property
    def matrix(self) -> np.ndarray:
        """(6, k) map from thruster forces to [force; torque]."""
        return self._B

    @property
    def minimum_impulse_bit_n_s(self) -> float:
        """Smallest impulse one thruster can give (N s)."""
        return self.f_max * self.min_on_time_s

    def allocate(self, force, torque=(0.0, 0.0, 0.0)) -> np.ndarray:
        """Thruster forces (k,) in ``[0, f_max]`` making ``force`` (N) and ``torque`` (N m) as closely as possible.

        When the request exceeds what the layout can make, all forces are scaled
        down together (the direction of the request is kept).
        """
        w = np.concatenate([np.asarray(force, float), np.asarray(torque, float)])
        lam = np.sqrt(self.fuel_weight)
        A = np.vstack([self._B, lam * np.ones((1, self.n_thrusters))])
        f, _ = nnls(A, np.concatenate([w, [0.0]]))
        peak = f.max(initial=0.0)
        if peak > self.f_max:
            f *= self.f_max / peak
        return f

    def wrench(self, forces) -> tuple[np.ndarray, np.ndarray]:
        """Force (3,) and torque (3,) produced by thruster forces (k,)."""
        w = self._B @ np.asarray(forces, dtype=float)
        return w[:3], w[3:]

    def __repr__(self) -> str:
        return (
            f"ThrusterLayout({self.n_thrusters} x {self.f_max:g} N, minimum impulse bit "
            f"{self.minimum_impulse_bit_n_s:.2g} N s)"
        )


def default_layout(
    f_max: float = 20.0, arm_m: float = 0.8, half_size_m: float = 1.0, min_on_time_s: float = 0.02
) -> ThrusterLayout:
    """Twelve thrusters, two per direction; each pair is offset so it also gives +-torque about one axis."""
    h, a = half_size_m, arm_m
    ex, ey, ez = np.eye(3)
    spec = [
        # (force direction, offsets of the two thrusters): the offset axis sets the torque axis
        (ex, [(-h, a, 0), (-h, -a, 0)]),  # +x, torque about z
        (-ex, [(h, 0, a), (h, 0, -a)]),  # -x, torque about y
        (ey, [(0, -h, a), (0, -h, -a)]),  # +y, torque about x
        (-ey, [(a, h, 0), (-a, h, 0)]),  # -y, torque about z
        (ez, [(a, 0, -h), (-a, 0, -h)]),  # +z, torque about y
        (-ez, [(0, a, h), (0, -a, h)]),  # -z, torque about x
    ]
    pos, dirs = [], []
    for d, offs in spec:
        for o in offs:
            pos.append(o)
            dirs.append(d)
    return ThrusterLayout(np.array(pos, float), np.array(dirs, float), f_max, min_on_time_s)


class PulseModulator:
    """On-times for one control period from wanted average forces, honouring the minimum on-time.

    A per-thruster accumulator carries the impulse still owed, so pulses below
    the minimum impulse bit are delivered later rather than lost.
    """

    def __init__(self, layout: ThrusterLayout, period_s: float) -> None:
        if not period_s > layout.min_on_time_s:
            raise ValueError(
                f"control period {period_s} s must exceed the minimum on-time {layout.min_on_time_s} s"
            )
        self.layout = layout
        self.period_s = float(period_s)
        self.owed = np.zeros(layout.n_thrusters)

    def on_times(self, forces) -> np.ndarray:
        """On-time (s) of every thruster this period; 0 or between the minimum on-time and the period."""
        lay = self.layout
        wanted = np.asarray(forces, dtype=float) * self.period_s / lay.f_max + self.owed
        on = np.clip(wanted, 0.0, self.period_s)
        small = on < lay.min_on_time_s
        fire_min = small & (on >= 0.5 * lay.min_on_time_s)
        on = np.where(small, np.where(fire_min, lay.min_on_time_s, 0.0), on)
        self.owed = np.clip(wanted - on, -lay.min_on_time_s, lay.min_on_time_s)
        return on

    def average_forces(self, on_times) -> np.ndarray:
        """Average thruster forces (N) over the period for given on-times."""
        return self.layout.f_max * np.asarray(on_times) / self.period_s


def quaternion_error(q, q_ref) -> np.ndarray:
    """Error quaternion ``q_ref^-1 * q`` (scalar first), the rotation from the reference to the actual attitude."""
    return quat_multiply(quat_conjugate(q_ref), q)


def quaternion_feedback_torque(
    q, omega, q_ref, omega_ref=(0.0, 0.0, 0.0), *, inertia, kp: float, kd: float
) -> np.ndarray:
    """Attitude control torque (N m, spacecraft frame) from the quaternion PD law with gyroscopic compensation.

    ``q`` and ``q_ref`` map spacecraft-frame vectors to the reference frame;
    ``omega`` and ``omega_ref`` are angular velocities in the spacecraft frame (rad/s).
    The sign of the error's scalar part picks the shorter rotation.
    """
    if kp < 0 or kd < 0:
        raise ValueError(f"gains must be non-negative, got kp={kp}, kd={kd}")
    qe = quaternion_error(q, q_ref)
    s = 1.0 if qe[0] >= 0 else -1.0
    J = np.asarray(inertia, dtype=float)
    w = np.asarray(omega, dtype=float)
    return -kp * s * qe[1:] - kd * (w - np.asarray(omega_ref)) + np.cross(w, J @ w)
