"""Resource bookkeeping: propellant, battery state of charge, data volume, and their limits.

The executive keeps its own propellant count from the thrust it commands (as flight
software does between tank-gauge readings) and takes the gauge when it comes; it
asks this book before starting anything: is there propellant for the attempt plus
the return reserve, charge for a critical operation, room in mass memory for
imaging.
"""

from __future__ import annotations

from dataclasses import dataclass

G0 = 9.80665


@dataclass(frozen=True)
class ResourceLimits:
    """Limits the executive respects."""

    min_propellant_kg: float = 5.0
    min_soc_for_critical: float = 0.40
    max_data_fraction: float = 0.90
    imaging_resume_fraction: float = 0.75


class ResourceBook:
    """Current propellant (kg), battery state of charge (0..1) and stored data (Mbit)."""

    def __init__(
        self,
        propellant_kg: float,
        isp_s: float,
        limits: ResourceLimits | None = None,
        battery_soc: float = 1.0,
        data_capacity_mbit: float = 1.0e5,
    ) -> None:
        if propellant_kg < 0:
            raise ValueError(f"propellant_kg must be >= 0, got {propellant_kg}")
        if isp_s <= 0:
            raise ValueError(f"isp_s must be positive, got {isp_s}")
        self.limits = limits or ResourceLimits()
        self.propellant_kg = float(propellant_kg)
        self.propellant_start_kg = float(propellant_kg)
        self.isp_s = float(isp_s)
        self.battery_soc = float(battery_soc)
        self.stored_mbit = 0.0
        self.capacity_mbit = float(data_capacity_mbit)
        self.imaging_allowed = True

    def burn(self, thrust_total_n: float, duration_s: float) -> float:
        """Book the propellant of ``thrust_total_n`` (sum of thruster forces, N) over ``duration_s``; returns kg used."""
        used = thrust_total_n * duration_s / (self.isp_s * G0)
        self.propellant_kg = max(0.0, self.propellant_kg - used)
        return used

    def gauge(self, propellant_kg: float) -> None:
        self.propellant_kg = float(propellant_kg)

    def power(self, soc: float) -> None:
        self.battery_soc = float(soc)

    def data(self, stored_mbit: float, capacity_mbit: float) -> str | None:
        """Update mass memory; returns a reason when imaging must stop or may resume (hysteresis)."""
        self.stored_mbit = float(stored_mbit)
        self.capacity_mbit = float(capacity_mbit)
        frac = self.data_fraction
        if self.imaging_allowed and frac >= self.limits.max_data_fraction:
            self.imaging_allowed = False
            return f"mass memory {frac * 100:.0f} % full (limit {self.limits.max_data_fraction * 100:.0f} %): imaging off"
        if not self.imaging_allowed and frac <= self.limits.imaging_resume_fraction:
            self.imaging_allowed = True
            return f"mass memory down to {frac * 100:.0f} %: imaging allowed again"
        return None

    @property
    def data_fraction(self) -> float:
        return self.stored_mbit / self.capacity_mbit if self.capacity_mbit > 0 else 1.0

    @property
    def used_kg(self) -> float:
        return self.propellant_start_kg - self.propellant_kg

    def propellant_ok(self, needed_kg: float, reserve_kg: float | None = None) -> bool:
        reserve = self.limits.min_propellant_kg if reserve_kg is None else reserve_kg
        return self.propellant_kg - needed_kg >= reserve

    def battery_ok_for_critical(self) -> bool:
        return self.battery_soc >= self.limits.min_soc_for_critical

    def snapshot(self) -> dict[str, float]:
        return {
            "propellant_kg": self.propellant_kg,
            "propellant_used_kg": self.used_kg,
            "battery_soc": self.battery_soc,
            "data_stored_mbit": self.stored_mbit,
            "data_fraction": self.data_fraction,
        }

    def __repr__(self) -> str:
        return (
            f"ResourceBook(propellant {self.propellant_kg:.2f} kg, battery {self.battery_soc * 100:.0f} %, "
            f"data {self.stored_mbit:.0f}/{self.capacity_mbit:.0f} Mbit)"
        )
