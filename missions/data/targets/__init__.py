"""Target bodies as TOML: osculating elements with their sources (read by missions.targets)."""
