"""Data Import for the LA's AP Administrator (ap_framework/setup/data_import.py): the placement template
imported by the AP Administrator themself, row by row under their own permissions; any DocType the
templates do not fill refused, naming the Document Type; a System Manager's other imports out of sight;
a school's AP Lead given no Data Import at all.

Data Import commits each good row: like test_spreadsheet_import this test commits its set-up and removes
what it imported (its `made` fixture)."""

from __future__ import annotations

import frappe
import pytest
from frappe.utils import add_days, today

from ap_framework.exceptions import ImportScopeError
from tests.integration.test_spreadsheet_import import as_csv, made, sheet, uk_date  # noqa: F401

START = "frappe.core.doctype.data_import.data_import.form_start_import"


def new_import(doctype: str, content: bytes | None = None, kept: list | None = None) -> frappe._dict:
	"""A Data Import as the desk makes one: saved with its Document Type, then the file attached."""
	doc = frappe.get_doc(
		{"doctype": "Data Import", "reference_doctype": doctype, "import_type": "Insert New Records"}
	).insert()
	if kept is not None:
		kept.append(("Data Import", doc.name))
	if content is not None:
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"placements-{frappe.generate_hash(length=6)}.csv",
				"content": content,
				"is_private": 1,
				"attached_to_doctype": "Data Import",
				"attached_to_name": doc.name,
				"attached_to_field": "import_file",
			}
		).insert()
		kept.append(("File", file.name))
		doc.import_file = file.file_url
		doc.mute_emails = 1
		doc.save()
	return doc


def week(first: dict) -> list[dict]:
	"""A placement's row and its timetable, Monday to Friday 09:00-15:00, one row a day."""
	days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	slot = {"Start Time (Timetable)": "09:00", "End Time (Timetable)": "15:00"}
	return [{**first, "Weekday (Timetable)": days[0], **slot}] + [
		{"Weekday (Timetable)": d, **slot} for d in days[1:]
	]


def placement_rows(world, made) -> list[dict]:  # noqa: F811
	"""Two placements the app accepts and, rows 12-16, one with no Placement Type, for pupils of their own."""
	pupils = [world.pupil(school) for school in (world.school_a, world.school_b, world.school_a)]
	made.extend(("Pupil", p) for p in pupils)
	return rows_for(world, pupils)


def rows_for(world, pupils: list[str]) -> list[dict]:
	"""The template filled in as an LA officer would, for three pupils: the first placed with Provider
	One, the second with Provider Two (rows 2-11, Monday to Friday each), the third with no Placement
	Type (rows 12-16)."""
	start = add_days(today(), 21)
	common = {
		"Placement Type": "Off-site Direction",
		"Start Date": uk_date(start),
		"Planned End Date": uk_date(add_days(start, 70)),
		"Rationale": "A smaller setting for a term",
		"Census Reason": "BEH",
	}
	upn = [frappe.db.get_value("Pupil", p, "upn") for p in pupils]
	return [
		*week({**common, "Pupil UPN": upn[0], "Provider Name": world.p1}),  # rows 2-6
		*week({**common, "Pupil UPN": upn[1], "Provider Name": world.p2}),  # rows 7-11
		*week({**common, "Pupil UPN": upn[2], "Provider Name": world.p1, "Placement Type": ""}),
	]


def test_the_ap_administrator_imports_the_placement_template(world, made, monkeypatch):  # noqa: F811
	rows = placement_rows(world, made)
	frappe.set_user(world.users["admin"])
	doc = new_import("Placement", as_csv(sheet("Placement", rows)), made)
	frappe.db.commit()  # as the desk saves it before the import starts
	# Frappe runs the job at once, in this process, as this user (v15 reads the flag, v16 frappe.in_test)
	monkeypatch.setattr(frappe.flags, "in_test", True)
	monkeypatch.setattr(frappe, "in_test", True, raising=False)
	frappe.call(START, data_import=doc.name)  # the form's Start Import button, as this user
	logs = frappe.get_all(
		"Data Import Log",
		filters={"data_import": doc.name},
		fields=["success", "docname", "row_indexes", "messages"],
		order_by="log_index",
	)
	made.extend(("Placement", log.docname) for log in logs if log.success)
	assert [log.success for log in logs] == [1, 1, 0], [
		(log.row_indexes, log.docname, log.messages[:1500]) for log in logs
	]
	assert "Placement Type" in logs[2].messages and logs[2].row_indexes.startswith("[12,")
	owners = frappe.get_all(
		"Placement", filters={"name": ("in", [log.docname for log in logs[:2]])}, pluck="owner"
	)
	assert owners == [world.users["admin"]] * 2  # imported as the AP Administrator, not as Administrator
	assert frappe.db.get_value("Data Import", doc.name, "status") == "Partial Success"


@pytest.mark.parametrize("doctype", ["User", "Role", "School"])
def test_the_ap_administrator_cannot_import_into_anything_else(world, doctype):
	"""User and Role would make a System Manager; School comes from GIAS Import, not a spreadsheet."""
	frappe.set_user(world.users["admin"])
	with pytest.raises(ImportScopeError) as refused:
		new_import(doctype)
	assert "Document Type" in str(refused.value) and doctype in str(refused.value)
	frappe.db.rollback()


def test_a_system_manager_still_imports_users():
	frappe.set_user("Administrator")
	assert new_import("User").reference_doctype == "User"
	frappe.db.rollback()


def test_the_ap_administrator_sees_no_system_managers_import_of_users(world):
	frappe.set_user("Administrator")
	users = new_import("User")
	placements = new_import("Placement")
	frappe.set_user(world.users["admin"])
	visible = frappe.get_list(
		"Data Import", filters={"name": ("in", [users.name, placements.name])}, pluck="name"
	)
	assert visible == [placements.name]
	assert not frappe.has_permission("Data Import", "read", doc=users.name)
	assert frappe.has_permission("Data Import", "write", doc=placements.name)
	frappe.set_user("Administrator")
	logs = {
		di.name: frappe.get_doc(
			{"doctype": "Data Import Log", "data_import": di.name, "success": 1, "log_index": 0}
		).insert(ignore_permissions=True)  # as the import job writes it
		for di in (users, placements)
	}
	frappe.set_user(world.users["admin"])
	visible = frappe.get_list("Data Import Log", filters={"name": ("in", [x.name for x in logs.values()])})
	assert [x.name for x in visible] == [logs[placements.name].name]  # the form reads its own log
	assert not frappe.has_permission("Data Import Log", "read", doc=logs[users.name].name)
	frappe.db.rollback()


@pytest.mark.parametrize("key", ["ap_lead_a", "qa"])
def test_a_school_ap_lead_cannot_make_a_data_import(world, key):
	frappe.set_user(world.users[key])
	assert not frappe.has_permission("Data Import", "create")
	with pytest.raises(frappe.PermissionError):
		new_import("Placement")
	frappe.db.rollback()
