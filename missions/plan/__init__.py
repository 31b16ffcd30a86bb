"""The mission planner: ``plan_mission(mission)`` -> :class:`MissionPlan` (see ``docs/mission-plan.md``)."""

from missions.plan.planner import Manoeuvre, MissionPlan, PlanSettings, plan_mission

__all__ = ["Manoeuvre", "MissionPlan", "PlanSettings", "plan_mission"]
