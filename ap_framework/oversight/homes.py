"""Each role's desk home (ap_framework/rules/homes.py says which), and the school a report opens on.

Landing: Frappe v16 sends a desk user to its role_home_page after login (hooks.py); v15 sends them to
their User's default workspace (see ap_framework/compat.py, 14). So a user of ours gets the default
workspace of their role too, where they have none of their own choosing: set when the user is saved,
and for existing users on migrate.
"""

from __future__ import annotations

import frappe
from frappe.query_builder import DocType

from ap_framework.oversight import evidence
from ap_framework.rules import homes


def set_default_workspace(doc, method=None):
	"""User.validate: a user with no default workspace, or with one of our homes that none of their roles
	opens any more, gets their role's home. A workspace the user chose themselves (not ours) stays."""
	if doc.default_workspace and not homes.ours(doc.default_workspace):
		return
	home = homes.home_for(r.role for r in doc.get("roles") or [])
	if home and frappe.db.exists("Workspace", home):
		doc.default_workspace = home
	elif homes.ours(doc.default_workspace):
		doc.default_workspace = None  # their role went: back to Frappe's own choice


def assign_homes():
	"""after_migrate: the same for users made before the homes existed (one query per home, no saves)."""
	user, has_role = DocType("User"), DocType("Has Role")
	taken: set[str] = set()
	for workspace, roles in homes.HOMES.items():
		if not frappe.db.exists("Workspace", workspace):
			continue
		holders = (
			frappe.qb.from_(has_role)
			.select(has_role.parent)
			.distinct()
			.where((has_role.parenttype == "User") & has_role.role.isin(roles))
			.run(pluck=True)
		)
		names = [n for n in holders if n not in taken]  # the widest home wins, as home_for decides
		taken.update(holders)
		if names:
			(
				frappe.qb.update(user)
				.set(user.default_workspace, workspace)
				.where(user.name.isin(names))
				.where(user.default_workspace.isnull() | (user.default_workspace == ""))
				.run()
			)


def own_school(user: str | None = None) -> str | None:
	"""The school the user belongs to, for a report's School filter to open on; None for a user of every
	school (LA) or of several (a trust), who chooses. Names only a school they may read."""
	schools = evidence.allowed_schools(user)
	return schools[0] if schools and len(schools) == 1 else None


def boot_session(bootinfo):
	"""boot_session hook: the desk knows the user's own school from the start, so a report's School
	filter opens on it (`default: frappe.boot.ap_own_school`) before the report first runs; a filter set
	later by a request of its own would race that first run, and a report needing the school would open
	on "Please set filters"."""
	if frappe.session.user != "Guest":
		bootinfo.ap_own_school = own_school()
