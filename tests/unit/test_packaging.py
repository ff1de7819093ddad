"""pyproject.toml agrees with what each Frappe line pins (checked against every bench found)."""

import os
from pathlib import Path

import pytest

try:
	import tomllib
except ImportError:  # Python 3.10 (Frappe v15 allows it); Frappe itself depends on tomli
	import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BENCHES = [Path(b) for b in os.environ.get("AP_BENCHES", "/opt/bench /opt/bench16").split()]


def our_requirement(name):
	from packaging.requirements import Requirement

	for dep in PROJECT["project"]["dependencies"]:
		req = Requirement(dep)
		if req.name.lower() == name:
			return req
	return None


def test_frappe_dependency_admits_v15_and_v16():
	from packaging.specifiers import SpecifierSet

	spec = SpecifierSet(PROJECT["tool"]["bench"]["frappe-dependencies"]["frappe"])
	assert "15.101.1" in spec and "16.9.0" in spec and "17.0.0" not in spec


@pytest.mark.parametrize("pinned", ["6.7.1", "6.6.2", "3.17.4"])
def test_pypdf_range_admits_every_frappe_pin(pinned):
	assert pinned in our_requirement("pypdf").specifier


@pytest.mark.parametrize(
	"bench", [b for b in BENCHES if (b / "apps" / "frappe" / "pyproject.toml").exists()] or [None]
)
def test_pins_agree_with_the_bench(bench):
	if bench is None:
		pytest.skip("no Frappe bench here to compare pins with")
	from packaging.requirements import Requirement

	frappe_deps = tomllib.loads((bench / "apps" / "frappe" / "pyproject.toml").read_text())["project"][
		"dependencies"
	]
	pins = {r.name.lower(): r for r in map(Requirement, frappe_deps)}
	for name in ("pypdf", "requests"):
		lowest = min(spec.version for spec in pins[name].specifier)
		assert lowest in our_requirement(name).specifier, f"{bench}: Frappe pins {pins[name]}"
