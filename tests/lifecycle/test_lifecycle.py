"""Install, migrate twice, uninstall: destructive, so only on a throwaway site named in AP_LIFECYCLE_SITE.

.ci/run creates such a site for every bench, runs the integration layer there, then this module last.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import BENCH, SITE, integration_skip_reason

LIFECYCLE_SITE = os.environ.get("AP_LIFECYCLE_SITE", "")
reason = integration_skip_reason()
if not reason and (not LIFECYCLE_SITE or LIFECYCLE_SITE != SITE):
	reason = "lifecycle tests skipped: they uninstall the app; set AP_LIFECYCLE_SITE to AP_SITE on a throwaway site"
pytestmark = pytest.mark.skipif(bool(reason), reason=reason or "")

MODULES = ("Provision", "Placement", "Development", "Oversight", "Finance")
ROLES = (
	"AP Administrator",
	"AP Lead",
	"Safeguarding Lead",
	"Senior Leader",
	"Governor",
	"QA Officer",
	"AP Provider User",
)


def bench(*args: str) -> str:
	python = BENCH / "env" / "bin" / "python"
	out = subprocess.run(
		[
			str(python if python.exists() else sys.executable),
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			SITE,
			*args,
		],
		cwd=BENCH / "sites",
		capture_output=True,
		text=True,
		timeout=900,
	)
	assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
	return out.stdout


@pytest.fixture(scope="module")
def db():
	import frappe

	os.chdir(BENCH / "sites")
	frappe.init(site=SITE, sites_path=".")
	frappe.connect()
	yield frappe.db
	frappe.destroy()


def fingerprint(db) -> str:
	"""Everything of ours a migrate could change: DocTypes, fields, permissions, workflows, fixtures, settings."""
	db.rollback()  # a fresh snapshot after another process wrote
	doctypes = [
		r[0] for r in db.sql("select name from tabDocType where module in %s order by name", (MODULES,))
	]
	parts = {
		"doctypes": db.sql(
			"select name, modified from tabDocType where module in %s order by name", (MODULES,)
		),
		"fields": db.sql(
			"""select parent, fieldname, fieldtype, options, permlevel, reqd, read_only, fetch_from
			from tabDocField where parent in %s order by parent, idx""",
			(doctypes,),
		),
		"perms": db.sql(
			"""select parent, role, permlevel, `read`, `write`, `create`, `delete`, submit, cancel
			from tabDocPerm where parent in %s order by parent, idx""",
			(doctypes,),
		),
		"custom": db.sql("select name from `tabCustom Field` where dt in %s order by name", (doctypes,))
		+ db.sql(
			"select name, value from `tabProperty Setter` where doc_type in %s order by name", (doctypes,)
		),
		"workflows": db.sql(
			"""select w.name, w.modified, count(t.name) from tabWorkflow w
			left join `tabWorkflow Transition` t on t.parent = w.name where w.document_type in %s
			group by w.name, w.modified order by w.name""",
			(doctypes,),
		),
		"roles": db.sql(
			"select name, desk_access, modified from tabRole where name in %s order by name", (ROLES,)
		),
		"fixtures": db.sql("select count(*), max(modified) from `tabQA Standard`")
		+ db.sql("select count(*), max(modified) from `tabDevelopment Domain`"),
		"settings": db.sql(
			"select field, value from tabSingles where doctype = 'AP Settings' order by field"
		),
		"patches": db.sql("select count(*) from `tabPatch Log` where patch like 'ap_framework.%%'"),
		# the fields the ERPNext integration adds (on ERPNext's DocTypes and on ours), with ERPNext only
		"finance": db.sql(
			"""select dt, fieldname, fieldtype, options, insert_after, read_only, allow_on_submit, hidden
			from `tabCustom Field` where name in %s order by dt, fieldname""",
			(finance_field_names(),),
		),
	}
	db.rollback()  # end the read: an open transaction's metadata locks would block the next DDL
	return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def finance_field_names() -> list[str]:
	from ap_framework.finance.setup import CUSTOM_FIELDS

	return [f"{dt}-{f['fieldname']}" for dt, fields in CUSTOM_FIELDS.items() for f in fields]


def erpnext_installed(db) -> bool:
	return bool(db.sql("select name from `tabInstalled Application` where app_name = 'erpnext'"))


def test_finance_fields_are_there_exactly_where_erpnext_is(db):
	installed = db.sql("select name from `tabCustom Field` where name in %s", (finance_field_names(),))
	assert len(installed) == (len(finance_field_names()) if erpnext_installed(db) else 0)
	db.rollback()


OLD_PUPIL_COLUMNS = {
	"sen_status": "varchar(140)",
	"ehcp": "int(1) not null default 0",
	"pupil_premium": "int(1) not null default 0",
	"fsm": "int(1) not null default 0",
	"looked_after": "int(1) not null default 0",
	"child_protection": "int(1) not null default 0",
	"child_in_need": "int(1) not null default 0",
	"safeguarding_notes": "text",
	"sen_notes": "text",
}


def test_upgrade_moves_the_facts_out_of_pupil_and_contact_log(db):
	"""A site from before Pupil Welfare: the facts on Pupil (permlevel 1), the concern on Contact Log, and
	their changes in the version history. The patch moves them, scrubs the history, drops the columns."""
	import frappe

	from ap_framework.compat import forget_table_columns
	from ap_framework.patches.v0_1 import special_category_records

	token = frappe.generate_hash(length=6).upper()
	school = frappe.get_doc(
		{"doctype": "School", "school_name": f"Upgrade {token}", "urn": "190001"}
	).insert()
	pupil = frappe.get_doc(
		{
			"doctype": "Pupil",
			"first_name": "Old",
			"last_name": token,
			"school": school.name,
			"date_of_birth": "2012-03-04",
		}
	).insert()
	db.delete("Pupil Welfare", pupil.name)  # the old release had none
	db.commit()  # DDL next: nothing of ours may hold a lock on the tables
	columns = ", ".join(f"add column `{c}` {t}" for c, t in OLD_PUPIL_COLUMNS.items())
	db.sql_ddl(f"alter table `tabPupil` {columns}")
	db.sql_ddl(
		"alter table `tabContact Log` add column safeguarding_concern int(1) not null default 0, add column concern_details text"
	)
	forget_table_columns("Pupil")
	forget_table_columns("Contact Log")
	db.sql(
		"update `tabPupil` set sen_status='E', looked_after=1, safeguarding_notes='Known to social care' where name=%s",
		pupil.name,
	)
	log = f"LOG-UPGRADE-{token}"
	db.sql(
		"""insert into `tabContact Log` (name, pupil, school, contact_datetime, contact_type, summary,
			safeguarding_concern, concern_details, owner, creation, modified, modified_by)
		values (%s, %s, %s, '2026-10-01 10:00:00', 'Phone', 'Call', 1, 'Bruise on arm', 'Administrator',
			now(), now(), 'Administrator')""",
		(log, pupil.name, school.name),
	)
	versions = {}
	for key, changed in (
		("mixed", [["looked_after", 0, 1], ["first_name", "Ol", "Old"]]),
		("facts only", [["child_protection", 0, 1]]),
	):
		versions[key] = (
			frappe.get_doc(
				{
					"doctype": "Version",
					"ref_doctype": "Pupil",
					"docname": pupil.name,
					"data": json.dumps({"changed": changed}),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	db.commit()
	try:
		special_category_records.execute()
		welfare = db.get_value(
			"Pupil Welfare",
			pupil.name,
			["school", "sen_status", "ehcp", "looked_after", "safeguarding_notes"],
		)
		assert welfare == (school.name, "E", 1, 1, "Known to social care")
		concern = frappe.get_doc("Safeguarding Concern", {"contact_log": log})
		assert (concern.pupil, concern.school, concern.details) == (pupil.name, school.name, "Bruise on arm")
		assert json.loads(db.get_value("Version", versions["mixed"], "data"))["changed"] == [
			["first_name", "Ol", "Old"]
		]
		assert not db.exists("Version", versions["facts only"])
		for doctype, column in (("Pupil", "looked_after"), ("Contact Log", "concern_details")):
			assert column not in db.get_table_columns(doctype), column
		special_category_records.execute()  # a second run finds nothing to do
		assert db.count("Safeguarding Concern", {"contact_log": log}) == 1
	finally:
		for doctype, filters in (
			("Safeguarding Concern", {"contact_log": log}),
			("Contact Log", {"name": log}),
			("Version", {"docname": pupil.name}),
			("Pupil Welfare", {"name": pupil.name}),
			("Pupil", {"name": pupil.name}),
			("School", {"name": school.name}),
		):
			db.delete(doctype, filters)
		db.commit()


def test_upgrade_drops_the_one_session_label_of_timetable_rows(db):
	"""A site from before two sessions a day: each timetable row had one `session` column, AM or PM. The
	patch recomputes from the times (the integration layer proves what) and drops that column."""
	from ap_framework.compat import forget_table_columns
	from ap_framework.patches.v0_1 import two_sessions_a_day

	db.commit()  # DDL next: nothing of ours may hold a lock on the table
	db.sql_ddl("alter table `tabPlacement Session` add column `session` varchar(140)")
	forget_table_columns("Placement Session")
	assert "session" in db.get_table_columns("Placement Session")
	two_sessions_a_day.execute()
	db.commit()
	assert "session" not in db.get_table_columns("Placement Session")
	two_sessions_a_day.execute()  # a second run finds nothing to drop
	db.commit()


def test_migrate_twice_changes_nothing(db):
	installed = fingerprint(db)
	bench("migrate", "--skip-search-index")
	first = fingerprint(db)
	bench("migrate", "--skip-search-index")
	second = fingerprint(db)
	assert installed == first == second


def test_erpnext_arriving_later_or_leaving_adds_or_removes_the_fields(db):
	"""ERPNext installed after this app (after_app_install) or uninstalled before it (before_app_uninstall)."""
	import frappe

	if not erpnext_installed(db):
		pytest.skip("ERPNext is not installed on this site: nothing to add or remove")
	from ap_framework.finance import setup

	before = fingerprint(db)
	setup.before_app_uninstall("erpnext")
	frappe.db.commit()
	assert not db.sql("select name from `tabCustom Field` where name in %s", (finance_field_names(),))
	setup.after_app_install("erpnext")
	frappe.db.commit()
	assert fingerprint(db) == before


def test_uninstall_leaves_nothing_behind(db):
	db.rollback()
	bench("uninstall-app", "ap_framework", "--yes", "--no-backup")
	db.rollback()
	assert "ap_framework" not in [r[0] for r in db.sql("select app_name from `tabInstalled Application`")]
	assert not db.sql("select name from tabDocType where module in %s", (MODULES,))
	assert not db.sql("select name from `tabModule Def` where app_name = 'ap_framework'")
	for table in ("tabPlacement", "tabPupil", "tabAP Attendance", "tabQA Audit", "tabDomain Assessment"):
		assert not db.sql("show tables like %s", (table,)), table
	assert not db.sql("select name from tabRole where name in %s", (ROLES,))
	assert not db.sql(
		"select name from tabWorkflow where name in ('Placement Approval', 'QA Audit Approval', 'Pupil Plan Agreement')"
	)
	assert not db.sql(
		"select name from `tabWorkflow State` where name in ('Pending Approval', 'Active', 'Ended', 'Agreed')"
	)
	assert not db.sql(
		"select name from `tabWorkflow Action Master` where name in ('Submit for Approval', 'Start', 'Propose')"
	)
	assert not db.sql("select name from `tabHas Role` where role in %s", (ROLES,))
	assert not db.sql(
		"select name from `tabCustom Field` where dt in ('Placement', 'QA Audit', 'Pupil Plan')"
	)
	assert not db.sql("select name from `tabCustom Field` where name in %s", (finance_field_names(),))
	if erpnext_installed(db):  # created on first use, and unused on a fresh site: removed with the app
		assert not db.sql("select name from `tabSupplier Group` where name = 'Alternative Provision'")
		assert not db.sql("select name from tabItem where name in ('AP Session', 'AP Day', 'AP Week')")
	# Frappe's own shared records survive
	assert db.sql("select name from `tabWorkflow State` where name = 'Approved'")
	assert db.sql("select name from `tabWorkflow Action Master` where name = 'Approve'")
