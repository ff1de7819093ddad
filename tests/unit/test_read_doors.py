"""The read-only doors that Frappe does not route through `frappe.read_only()` itself carry it, so a site
with a replica (site_config `read_from_replica`) answers them from there (compat.py 12; proven against a
real replica by tests/integration/test_replica.py). Frappe runs every report through it already
(frappe.desk.query_report.run), so the reports need nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "ap_framework"
# module: the whitelisted functions that only read (None: every one in the module)
READ_DOORS = {
	"oversight/cards.py": None,  # the workspace's number cards and chart sources
	"oversight/packs.py": None,  # the planning-call pack and governors' report PDFs
	"oversight/progress.py": None,  # the domain chart on the Pupil and Placement forms
	"transfer/ctf.py": {"export_ctf"},
}


def doors():
	for module, names in READ_DOORS.items():
		tree = ast.parse((APP / module).read_text())
		for node in tree.body:
			if not isinstance(node, ast.FunctionDef):
				continue
			decorators = [ast.unparse(d) for d in node.decorator_list]
			if "frappe.whitelist()" in decorators and (names is None or node.name in names):
				yield f"{module}:{node.name}", decorators


def test_the_read_doors_are_found():
	assert len(list(doors())) == 13


@pytest.mark.parametrize("where, decorators", list(doors()), ids=lambda v: v if isinstance(v, str) else "")
def test_a_read_door_reads_the_replica(where, decorators):
	"""frappe.read_only() right inside frappe.whitelist(), as Frappe's own query_report.run has it: the
	method Frappe registers and calls is the one that switches to the replica."""
	assert decorators[:2] == ["frappe.whitelist()", "frappe.read_only()"], where
