"""Install and uninstall: settings with their defaults, and leaving nothing of ours behind."""

from __future__ import annotations

import frappe

from ap_framework.finance import setup as finance_setup
from ap_framework.oversight import homes, placement_evidence
from ap_framework.placement import registers_due
from ap_framework.setup import data_import

ROLES = (
	"AP Administrator",
	"AP Lead",
	"Safeguarding Lead",
	"Senior Leader",
	"Governor",
	"QA Officer",
	"AP Provider User",
)
WORKFLOWS = ("Placement Approval", "QA Audit Approval", "Pupil Plan Agreement")
SCOPE_DOCTYPES = ("School", "AP Provider", "Pupil", "Placement")
# Frappe's own install creates these; they are shared, never ours to delete.
FRAPPE_DEFAULTS = frozenset({"Pending", "Approved", "Rejected", "Approve", "Reject", "Review"})


def after_install():
	save_default_settings()
	finance_setup.install()  # ERPNext's fields, only where ERPNext is installed
	data_import.grant()  # the AP Administrator imports the LA's spreadsheets
	placement_evidence.rebuild()  # the readiness board's table, built from the first record
	registers_due.rebuild()  # today's registers due, until the night's job writes tomorrow's


def after_migrate():
	save_default_settings()
	finance_setup.install()
	data_import.grant()
	homes.assign_homes()  # users made before their role had a home land on it too


def save_default_settings():
	"""Store AP Settings' defaults once, so reports and SQL that read tabSingles see real values.

	Judged by what is stored. Frappe stores a new Single's Time fields as the current time (with
	microseconds) when it syncs the DocType: a session start with fractional seconds was never chosen by
	anyone, so it counts as unset."""
	settings = frappe.get_single("AP Settings")
	stored = frappe.db.get_singles_dict("AP Settings")
	unset = [
		df
		for df in settings.meta.fields
		if df.default not in (None, "") and _unset(df, stored.get(df.fieldname))
	]
	if not unset:
		return
	for df in unset:
		settings.set(df.fieldname, df.default)
	settings.flags.ignore_permissions = True  # install-time, run by the site administrator
	settings.save()
	for df in unset:  # the document save stores Time fields as "now" again: write those directly
		if df.fieldtype == "Time":
			frappe.db.set_single_value("AP Settings", df.fieldname, df.default)


def _unset(df, value) -> bool:
	return value in (None, "") or (df.fieldtype == "Time" and "." in str(value))


def before_uninstall():
	"""Frappe drops our DocTypes; remove what we added to other DocTypes' tables as well."""
	finance_setup.uninstall()  # custom fields, and the supplier group / items if unused
	for name in WORKFLOWS:
		frappe.delete_doc("Workflow", name, force=True, ignore_missing=True, ignore_permissions=True)
	_delete_unused("Workflow State", "state", "Workflow Document State")
	_delete_unused("Workflow Action Master", "action", "Workflow Transition")
	frappe.db.delete("User Permission", {"allow": ("in", SCOPE_DOCTYPES)})
	frappe.db.delete("Has Role", {"role": ("in", ROLES)})
	frappe.db.delete("Custom DocPerm", {"role": ("in", ROLES)})
	for role in ROLES:
		frappe.delete_doc("Role", role, force=True, ignore_missing=True, ignore_permissions=True)


def _delete_unused(doctype: str, fieldname: str, used_in: str):
	"""Delete the workflow states / actions we shipped unless another app's workflow still uses them."""
	from ap_framework.hooks import fixtures

	ours = next(f for f in fixtures if f["dt"] == doctype)["filters"][0][2]
	used = set(frappe.get_all(used_in, filters={fieldname: ("in", ours)}, pluck=fieldname))
	for name in set(ours) - used - FRAPPE_DEFAULTS:
		frappe.delete_doc(doctype, name, force=True, ignore_missing=True, ignore_permissions=True)
