"""The app is installed as a whole: DocTypes, fixtures, settings."""

import frappe

OUR_DOCTYPES = [
	"School",
	"Pupil",
	"AP Provider",
	"Safeguarding Assurance",
	"QA Audit",
	"QA Standard",
	"Placement",
	"AP Attendance",
	"Pupil Plan",
	"Plan Review",
	"Development Domain",
	"Domain Assessment",
	"Contact Log",
	"Risk Assessment",
	"Reintegration Plan",
	"AP Settings",
]


def test_app_is_installed_with_every_doctype(site):
	assert "ap_framework" in frappe.get_installed_apps()
	for doctype in OUR_DOCTYPES:
		meta = frappe.get_meta(doctype)
		assert meta.module in ("Provision", "Placement", "Development", "Oversight")
		if not meta.issingle:
			assert frappe.db.table_exists(doctype), doctype


def test_fixtures_are_loaded(site):
	assert frappe.db.get_value("Role", "AP Provider User", "desk_access") == 0
	assert frappe.db.get_value("Role", "AP Lead", "desk_access") == 1
	for wf in ("Placement Approval", "QA Audit Approval", "Pupil Plan Agreement"):
		assert frappe.db.get_value("Workflow", wf, "is_active") == 1, wf
	assert frappe.db.count("QA Standard") >= 18
	assert frappe.db.count("Development Domain", {"is_active": 1}) >= 9
	assert frappe.db.count("Domain Level Descriptor", {"parent": "Resilience"}) == 5


def test_settings_defaults_are_stored(site):
	assert frappe.db.get_single_value("AP Settings", "review_interval_days") == 42
	assert frappe.db.get_single_value("AP Settings", "attendance_deadline_minutes") == 30
	# not the install time, which Frappe puts in an unsaved Single's Time fields
	assert str(frappe.db.get_single_value("AP Settings", "am_session_start")) in ("9:00:00", "09:00:00")
	assert str(frappe.db.get_single_value("AP Settings", "pm_session_start")) in ("13:00:00",)


def test_attendance_has_a_unique_index_per_session(site):
	rows = frappe.db.sql("show index from `tabAP Attendance` where Key_name = 'unique_mark'", as_dict=True)
	assert [r.Column_name for r in rows] == ["placement", "attendance_date", "session"]
	assert rows[0].Non_unique == 0
