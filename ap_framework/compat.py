"""Frappe v15 / v16 differences this app meets, in one place.

Each entry says what differs, what the app does so one codebase is right on both, and which test
fails on the line where it would go wrong. Prefer one behaviour that is correct on both lines over a
version switch; add a switch here (never scattered through the code) only where no such behaviour exists.

1. has_permission hooks. v15 reads a hook's None as "no opinion" and keeps checking; v16 reads None as
   a denial. permissions.has_permission therefore always answers a bool: True for "no objection"
   (it grants nothing: roles and User Permissions still decide), False to deny.
   Proven by tests/integration/test_http.py::test_school_lead_gets_403_for_the_other_school (its 200 for
   the lead's own placement fails on v16 with a None) and test_compat.py.
2. Python. v16 runs on Python 3.14 only, v15 on 3.10-3.13: the code uses nothing newer than 3.10 and
   nothing removed by 3.14 (ruff's target is py310; the suite runs on both interpreters).
3. Pins. Frappe pins pypdf (v15.101.1: 6.7.1, v16.9.0: 6.6.2) and requests (~=2.32.0 / ~=2.32.5);
   pyproject.toml admits both and tests/unit/test_packaging.py checks it against each bench found.
"""

from __future__ import annotations


def frappe_major() -> int:
	"""The running Frappe's major version (for reports and diagnostics, not for branching)."""
	import frappe

	return int(frappe.__version__.split(".")[0])
