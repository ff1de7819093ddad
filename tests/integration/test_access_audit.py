"""The access audit of safeguarding records, over real HTTP: every read of a Risk Assessment, a
safeguarding-channel transfer (and, once they exist, Pupil Welfare and Safeguarding Concern) is written to
the Safeguarding Access Log, door by door; nobody can change or delete an entry; only the school's
Safeguarding Lead and the AP Administrator can read them; the Safeguarding Access report answers a
subject access request.

UK GDPR Art. 5(1)(f), 5(2), 15 and 32; Keeping Children Safe in Education, Part two (records of concerns
kept confidential and secure).
"""

from __future__ import annotations

import csv
import io
import json

import frappe
import pytest
from frappe.utils import add_days, add_to_date, now_datetime, today

from ap_framework.exceptions import AccessLogImmutableError

LOG = "Safeguarding Access Log"
FIELDS = [
	"name",
	"user",
	"outcome",
	"door",
	"access",
	"reference_doctype",
	"reference_name",
	"pupil",
	"school",
]
FIELDS += ["roles", "http_status", "accessed_on", "rows", "query"]


def get(s, path, **params):
	return s.get(s.base + path, params=params, timeout=60, allow_redirects=False)


def method(s, dotted, **params):
	return get(s, f"/api/method/{dotted}", **params)


def logged(since, **filters) -> list[dict]:
	"""Entries written since `since` (by the server: start a fresh snapshot to see its commits)."""
	frappe.db.rollback()
	filters = {"accessed_on": (">=", since), **filters}
	return frappe.get_all(LOG, filters=filters, fields=FIELDS, order_by="accessed_on")


def doors(entries) -> list[str]:
	return sorted(e["door"] for e in entries)


@pytest.fixture(scope="module")
def records(world):
	"""Committed records the server can serve: a risk assessment in each school, and an incoming
	profile on each channel in school A. Removed (with their log entries) afterwards."""
	frappe.set_user("Administrator")
	if "dsl_b" not in world.users:
		world.users["dsl_b"] = world.user("dsl_b", ["Safeguarding Lead"], {"School": world.school_b})

	def risk(placement):
		return (
			frappe.get_doc(
				{
					"doctype": "Risk Assessment",
					"placement": placement,
					"assessment_date": add_days(today(), -3),
					"review_date": add_days(today(), 40),
					"overall_rating": "Medium",
					"travel_risk": 1,
					"mitigations": "Taxi with a known driver",
				}
			)
			.insert()
			.name
		)

	def incoming(channel):
		return (
			frappe.get_doc(
				{
					"doctype": "Incoming Profile",
					"channel": channel,
					"school": world.school_a,
					"pupil": world.pupil_a1,
					"first_name": "Test",
					"last_name": "Incoming",
					"status": "Awaiting Acceptance",
				}
			)
			.insert()
			.name
		)

	made = frappe._dict(
		ra_a=risk(world.pa1),
		ra_b=risk(world.pb1),
		incoming_sg=incoming("Safeguarding"),
		incoming_profile=incoming("Profile"),
	)
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	frappe.db.delete("Risk Assessment", {"name": ("in", [made.ra_a, made.ra_b])})
	frappe.db.delete("Incoming Profile", {"name": ("in", [made.incoming_sg, made.incoming_profile])})
	# test data only: the entries about these records, and the test users' query entries
	frappe.db.delete(LOG, {"reference_name": ("in", list(made.values()))})
	frappe.db.delete(LOG, {"user": ("in", list(world.users.values()))})
	frappe.db.commit()


@pytest.fixture
def since():
	return now_datetime()


# ---- every door of one record ------------
def test_a_dsl_reading_a_risk_assessment_is_logged_once_per_door(world, http, records, since):
	dsl = http("dsl_a")
	ra = records.ra_a
	assert method(dsl, "frappe.desk.form.load.getdoc", doctype="Risk Assessment", name=ra).ok
	assert get(dsl, f"/api/resource/Risk Assessment/{ra}").ok
	assert method(dsl, "frappe.client.get", doctype="Risk Assessment", name=ra).ok
	r = get(dsl, "/printview", doctype="Risk Assessment", name=ra, format="Standard")
	assert r.status_code == 200 and "Taxi with a known driver" in r.text
	r = method(dsl, "frappe.utils.print_format.download_pdf", doctype="Risk Assessment", name=ra)
	assert r.status_code == 200 and r.content.startswith(b"%PDF")
	entries = logged(since, user=world.users["dsl_a"], reference_name=ra)
	# one entry per door per request: getdoc asks about the record several times (form, docinfo, onload)
	assert doors(entries) == ["API", "API", "Form", "PDF", "Print"]
	for e in entries:
		assert e["outcome"] == "Granted" and e["access"] == "Record" and e["http_status"] == 200
		assert e["reference_doctype"] == "Risk Assessment" and e["pupil"] == world.pupil_a1
		assert e["school"] == world.school_a and "Safeguarding Lead" in e["roles"]


def test_an_ap_lead_reading_a_risk_assessment_is_logged_too(world, http, records, since):
	assert get(http("ap_lead_a"), f"/api/resource/Risk Assessment/{records.ra_a}").ok
	[entry] = logged(since, user=world.users["ap_lead_a"], reference_name=records.ra_a)
	assert entry["door"] == "API" and entry["outcome"] == "Granted" and "AP Lead" in entry["roles"]


def test_a_refused_read_is_logged_as_denied(world, http, records, since):
	"""The other school's AP Lead (scope) and a Governor (no role permission) are refused, and the
	attempt is on the record: the DPO sees who tried."""
	assert get(http("ap_lead_b"), f"/api/resource/Risk Assessment/{records.ra_a}").status_code == 403
	assert get(http("governor_a"), f"/api/resource/Risk Assessment/{records.ra_a}").status_code == 403
	r = method(
		http("ap_lead_b"), "frappe.desk.form.load.getdoc", doctype="Risk Assessment", name=records.ra_a
	)
	assert r.status_code == 403
	lead_b = logged(since, user=world.users["ap_lead_b"], reference_name=records.ra_a)
	assert {(e["door"], e["outcome"], e["http_status"]) for e in lead_b} == {
		("API", "Denied", 403),
		("Form", "Denied", 403),
	}
	[governor] = logged(since, user=world.users["governor_a"], reference_name=records.ra_a)
	assert governor["outcome"] == "Denied"


def test_no_entry_no_data(world, http, records):
	"""If the log cannot be written (here: a column renamed away under it), a safeguarding record is
	not served; other records are."""
	dsl = http("dsl_a")
	frappe.db.sql_ddl(f"alter table `tab{LOG}` rename column `door` to `door_unwritable`")
	try:
		r = get(dsl, f"/api/resource/Risk Assessment/{records.ra_a}")
		assert r.status_code == 503 and "Taxi with a known driver" not in r.text
		r = method(
			dsl, "frappe.utils.print_format.download_pdf", doctype="Risk Assessment", name=records.ra_a
		)
		assert r.status_code == 503 and not r.content.startswith(b"%PDF")
		assert "Content-Disposition" not in r.headers
		assert get(dsl, f"/api/resource/Placement/{world.pa1}").ok
	finally:
		frappe.db.sql_ddl(f"alter table `tab{LOG}` rename column `door_unwritable` to `door`")


# ---- lists ------------
def test_a_list_records_each_record_it_named(world, http, records, since):
	dsl = http("dsl_a")
	r = dsl.post(
		dsl.base + "/api/method/frappe.desk.reportview.get",
		data={"doctype": "Risk Assessment", "fields": json.dumps(["`tabRisk Assessment`.`name`"])},
		timeout=30,
	)
	assert r.ok, r.text
	r = get(dsl, "/api/resource/Risk Assessment", limit_page_length=0)
	assert r.ok and records.ra_b not in {row["name"] for row in r.json()["data"]}
	mine = logged(since, user=world.users["dsl_a"], reference_doctype="Risk Assessment")
	named = [e for e in mine if e["reference_name"] in (records.ra_a, records.ra_b)]
	assert {(e["reference_name"], e["door"], e["access"]) for e in named} == {
		(records.ra_a, "List", "Query"),
		(records.ra_a, "API", "Query"),
	}
	assert all(e["pupil"] == world.pupil_a1 and e["school"] == world.school_a for e in named)


def test_a_count_that_names_no_record_is_one_query_entry_each(world, http, records, since):
	r = method(http("dsl_a"), "frappe.client.get_count", doctype="Risk Assessment")
	assert r.ok and r.json()["message"] >= 1
	# the list sidebar's count per group answers [{"name": <a school>, "count": n}]: groups, not records
	r = method(
		http("dsl_a"),
		"frappe.desk.listview.get_group_by_count",
		doctype="Risk Assessment",
		current_filters="[]",
		field="school",
	)
	assert r.ok and world.school_a in r.text
	entries = logged(since, user=world.users["dsl_a"], reference_doctype="Risk Assessment")
	assert len(entries) == 2
	for entry in entries:
		assert entry["access"] == "Query" and entry["reference_name"] is None and entry["door"] == "List"
		assert entry["school"] == world.school_a and "Risk Assessment" in entry["query"]


def exported_rows(text: str) -> list[list[str]]:
	"""The rows of a desk CSV export, past its header (columns: Sr, ID, then the fields asked)."""
	return list(csv.reader(io.StringIO(text)))[1:]


def test_an_export_names_each_record_its_file_held_and_what_was_asked(world, http, records, since):
	"""An export's answer is a file, which cannot be read back: its own question is asked again for names,
	so each record the file held has its entry, and a Query entry keeps the filters and fields asked."""
	dsl = http("dsl_a")
	r = dsl.post(
		dsl.base + "/api/method/frappe.desk.reportview.export_query",
		data={
			"doctype": "Risk Assessment",
			"file_format_type": "CSV",
			"fields": json.dumps(["`tabRisk Assessment`.`name`", "`tabRisk Assessment`.`mitigations`"]),
			"filters": json.dumps([["Risk Assessment", "overall_rating", "=", "Medium"]]),
		},
		timeout=60,
	)
	assert r.ok and records.ra_a in r.text and records.ra_b not in r.text
	entries = logged(since, user=world.users["dsl_a"], door="Export")
	[entry] = [e for e in entries if e["reference_name"] is None]
	assert entry["school"] == world.school_a and entry["rows"] == str(len(exported_rows(r.text)))
	held = {e["reference_name"] for e in entries if e["reference_name"]}
	assert records.ra_a in held and records.ra_b not in held
	assert held == {row[1] for row in exported_rows(r.text)}
	asked = json.loads(entry["query"])
	assert asked["doctype"] == "Risk Assessment" and "overall_rating" in asked["filters"]


# ---- safeguarding-channel transfers ------------
def test_a_safeguarding_channel_transfer_is_audited_and_an_ordinary_one_is_not(world, http, records, since):
	dsl = http("dsl_a")
	assert get(dsl, f"/api/resource/Incoming Profile/{records.incoming_sg}").ok
	assert get(dsl, f"/api/resource/Incoming Profile/{records.incoming_profile}").ok
	assert method(
		dsl, "frappe.desk.form.load.getdoc", doctype="Incoming Profile", name=records.incoming_sg
	).ok
	entries = logged(since, user=world.users["dsl_a"], reference_doctype="Incoming Profile")
	assert {(e["reference_name"], e["door"]) for e in entries} == {
		(records.incoming_sg, "API"),
		(records.incoming_sg, "Form"),
	}
	# an AP Lead is refused the safeguarding channel (transfer/access.py), and that is on the record
	assert get(http("ap_lead_a"), f"/api/resource/Incoming Profile/{records.incoming_sg}").status_code == 403
	[refused] = logged(since, user=world.users["ap_lead_a"], reference_name=records.incoming_sg)
	assert refused["outcome"] == "Denied"


# ---- outside a request ------------
def test_a_read_in_a_background_job_is_written_with_the_jobs_commit(world, records):
	"""A job (here: this process, as a job runs) that prints a record as a user: the entry joins the
	job's transaction; rolled back, it goes with it."""
	ra = records.ra_a
	since = now_datetime()
	frappe.set_user(world.users["dsl_a"])
	assert frappe.has_permission("Risk Assessment", "print", frappe.get_doc("Risk Assessment", ra))
	frappe.db.rollback()
	assert logged(since, reference_name=ra) == []
	frappe.set_user(world.users["dsl_a"])
	assert frappe.has_permission("Risk Assessment", "print", frappe.get_doc("Risk Assessment", ra))
	frappe.set_user(world.users["ap_lead_b"])  # another user of the same job: refused, and recorded so
	assert not frappe.has_permission("Risk Assessment", "read", frappe.get_doc("Risk Assessment", ra))
	frappe.set_user("Administrator")
	frappe.db.commit()
	entries = logged(since, reference_name=ra)
	assert {(e["user"], e["door"], e["outcome"], e["http_status"]) for e in entries} == {
		(world.users["dsl_a"], "Background", "Granted", 0),
		(world.users["ap_lead_b"], "Background", "Denied", 0),
	}


def test_a_report_that_reads_with_the_query_builder_records_what_it_showed(world, records):
	"""access_audit.record_rows: for code that shows audited facts without Frappe's permission check."""
	from ap_framework.oversight import access_audit

	since = now_datetime()
	frappe.set_user(world.users["dsl_a"])
	access_audit.record_rows("Risk Assessment", [records.ra_a], door="Report")
	access_audit.record_rows("Placement", [world.pa1])  # not a safeguarding record: nothing
	frappe.set_user("Administrator")
	frappe.db.commit()
	[entry] = logged(since, user=world.users["dsl_a"])
	assert (entry["reference_name"], entry["door"], entry["outcome"]) == (records.ra_a, "Report", "Granted")
	assert entry["pupil"] == world.pupil_a1 and entry["school"] == world.school_a


# ---- Administrator, whom no permission hook sees ------------
@pytest.fixture
def administrator(base_url):
	"""An HTTP session as Administrator (token auth with a key made for the test, then put back)."""
	import requests

	frappe.set_user("Administrator")
	# the server's encryption key (ensure_encryption_key wrote it after this process read its config:
	# ap_framework/compat.py, 7)
	frappe.local.conf.encryption_key = frappe.get_site_config().get("encryption_key")
	old_key = frappe.db.get_value("User", "Administrator", "api_key")
	old_secret = frappe.utils.password.get_decrypted_password(
		"User", "Administrator", "api_secret", raise_exception=False
	)
	key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
	frappe.db.set_value("User", "Administrator", "api_key", key)
	frappe.utils.password.set_encrypted_password("User", "Administrator", secret, "api_secret")
	frappe.db.commit()
	s = requests.Session()
	s.base = base_url
	s.headers["Authorization"] = f"token {key}:{secret}"
	yield s
	frappe.db.rollback()
	frappe.db.set_value("User", "Administrator", "api_key", old_key)
	if old_secret:
		frappe.utils.password.set_encrypted_password("User", "Administrator", old_secret, "api_secret")
	else:
		frappe.db.delete("__Auth", {"doctype": "User", "name": "Administrator", "fieldname": "api_secret"})
	frappe.db.commit()


def test_administrator_reads_are_logged(world, records, administrator, since):
	ra = records.ra_a
	assert get(administrator, f"/api/resource/Risk Assessment/{ra}").ok
	assert method(administrator, "frappe.desk.form.load.getdoc", doctype="Risk Assessment", name=ra).ok
	assert get(administrator, "/printview", doctype="Risk Assessment", name=ra, format="Standard").ok
	entries = logged(since, user="Administrator", reference_name=ra)
	assert doors(entries) == ["API", "Form", "Print"]
	assert all(e["outcome"] == "Granted" for e in entries)


# ---- the log cannot be changed or deleted ------------
@pytest.fixture
def an_entry(world, http, records):
	since = now_datetime()
	assert get(http("dsl_a"), f"/api/resource/Risk Assessment/{records.ra_a}").ok
	[entry] = logged(since, user=world.users["dsl_a"], reference_name=records.ra_a)
	return entry


def test_no_one_can_change_or_delete_an_entry_over_http(world, http, an_entry):
	path = f"/api/resource/{LOG}/{an_entry['name']}"
	for key in ("admin", "dsl_a"):
		s = http(key)
		assert s.put(s.base + path, json={"user": "someone-else@example.com"}, timeout=30).status_code == 403
		assert s.delete(s.base + path, timeout=30).status_code in (403, 417)
		r = s.post(
			s.base + "/api/method/frappe.client.set_value",
			data={"doctype": LOG, "name": an_entry["name"], "fieldname": "outcome", "value": "Denied"},
			timeout=30,
		)
		assert r.status_code == 403
		r = s.post(
			s.base + "/api/method/frappe.client.delete",
			data={"doctype": LOG, "name": an_entry["name"]},
			timeout=30,
		)
		assert r.status_code == 403
		r = s.post(s.base + f"/api/resource/{LOG}", json={"user": "forged@example.com"}, timeout=30)
		assert r.status_code == 403
	frappe.db.rollback()
	assert frappe.db.get_value(LOG, an_entry["name"], ["user", "outcome"]) == (
		world.users["dsl_a"],
		"Granted",
	)


def test_not_even_administrator_can_change_or_delete_an_entry_in_code(site, an_entry):
	from frappe.core.doctype.log_settings.log_settings import _supports_log_clearing

	frappe.set_user("Administrator")
	doc = frappe.get_doc(LOG, an_entry["name"])
	doc.outcome = "Denied"
	with pytest.raises(AccessLogImmutableError):
		doc.save()
	with pytest.raises(AccessLogImmutableError):
		frappe.delete_doc(LOG, an_entry["name"], force=True)
	with pytest.raises(AccessLogImmutableError):
		doc.db_set("outcome", "Denied")
	with pytest.raises(AccessLogImmutableError):
		frappe.get_doc({"doctype": LOG, "user": "forged@example.com", "accessed_on": now_datetime()}).insert()
	# Log Settings clears only DocTypes that offer clear_old_logs; this one does not
	assert not _supports_log_clearing(LOG)
	frappe.db.rollback()
	assert frappe.db.exists(LOG, an_entry["name"])


# ---- who can read the log ------------
REPORT = "frappe.desk.query_report.run"


def run_report(s, **filters):
	return method(s, REPORT, report_name="Safeguarding Access", filters=json.dumps(filters))


@pytest.mark.parametrize("key", ["ap_lead_a", "senior_a", "governor_a", "qa", "provider_1", None])
def test_no_one_else_can_read_the_log(world, http, an_entry, key):
	s = http(key)
	assert get(s, f"/api/resource/{LOG}").status_code == 403, key
	assert get(s, f"/api/resource/{LOG}/{an_entry['name']}").status_code == 403, key
	assert method(s, "frappe.client.get", doctype=LOG, name=an_entry["name"]).status_code == 403, key
	r = s.post(
		s.base + "/api/method/frappe.desk.reportview.get",
		data={"doctype": LOG, "fields": '["name"]'},
		timeout=30,
	)
	assert r.status_code == 403, key
	assert run_report(s, pupil=world.pupil_a1).status_code == 403, key


def test_a_dsl_reads_only_their_own_schools_entries(world, http, records, an_entry):
	assert get(http("dsl_b"), f"/api/resource/Risk Assessment/{records.ra_b}").ok
	dsl_b, dsl_a = http("dsl_b"), http("dsl_a")
	seen_by_b = {
		row["school"]
		for row in get(dsl_b, f"/api/resource/{LOG}", fields='["school"]', limit_page_length=0).json()["data"]
	}
	assert seen_by_b == {world.school_b}
	assert get(dsl_b, f"/api/resource/{LOG}/{an_entry['name']}").status_code == 403
	assert get(dsl_a, f"/api/resource/{LOG}/{an_entry['name']}").ok
	assert get(http("admin"), f"/api/resource/{LOG}/{an_entry['name']}").ok
	r = run_report(dsl_b, pupil=world.pupil_a1)
	assert r.ok and r.json()["message"]["result"] == []


# ---- the report ------------
def test_the_report_answers_who_has_seen_a_pupils_information(world, http, records, since):
	assert get(http("dsl_a"), f"/api/resource/Risk Assessment/{records.ra_a}").ok
	assert method(
		http("ap_lead_a"), "frappe.desk.form.load.getdoc", doctype="Risk Assessment", name=records.ra_a
	).ok
	frm, to = add_to_date(since, days=-1).date(), now_datetime().date()
	for key in ("admin", "dsl_a"):
		r = run_report(http(key), pupil=world.pupil_a1, from_date=str(frm), to_date=str(to))
		assert r.ok, r.text
		rows = [row for row in r.json()["message"]["result"] if row["reference_name"] == records.ra_a]
		seen = {(row["user"], row["door"]) for row in rows}
		assert {(world.users["dsl_a"], "API"), (world.users["ap_lead_a"], "Form")} <= seen, key
		row = next(row for row in rows if row["user"] == world.users["ap_lead_a"])
		assert (
			row["roles"] == "AP Lead" and row["accessed_on"] and row["reference_doctype"] == "Risk Assessment"
		)
	# the other school's pupil is not in this answer
	r = run_report(http("admin"), pupil=world.pupil_b1)
	assert records.ra_a not in {row["reference_name"] for row in r.json()["message"]["result"]}


def test_the_report_needs_a_pupil_a_school_or_a_user(world, http):
	r = run_report(http("admin"))
	assert 400 <= r.status_code < 500 and "Choose a pupil, a school or a user" in r.text


# ---- Pupil Welfare and Safeguarding Concern (new DocTypes) ------------
def special_category_record(world, doctype: str) -> str:
	"""Pupil A1's Pupil Welfare / a Safeguarding Concern about pupil A1, committed for the server."""
	if not frappe.db.exists("DocType", doctype):
		pytest.skip(
			f"{doctype} is not on this site yet (it is being added on main); this test runs once it is"
		)
	frappe.set_user("Administrator")
	existing = frappe.get_all(doctype, filters={"pupil": world.pupil_a1}, pluck="name", limit=1)
	if existing:
		return existing[0]
	doc = {"doctype": doctype, "pupil": world.pupil_a1}
	if doctype == "Safeguarding Concern":
		doc.update(
			placement=world.pa1,
			details="Disclosed worries about home",
			raised_on=now_datetime(),
			raised_by="Administrator",
		)
	try:
		name = frappe.get_doc(doc).insert().name
	except frappe.ValidationError as e:
		pytest.fail(f"could not make a {doctype} for the test ({e}): give the test its required fields")
	frappe.db.commit()
	return name


@pytest.mark.parametrize("doctype", ["Pupil Welfare", "Safeguarding Concern"])
def test_special_category_records_are_audited(world, http, doctype):
	name = special_category_record(world, doctype)
	since = now_datetime()
	assert get(http("dsl_a"), f"/api/resource/{doctype}/{name}").ok
	assert get(http("ap_lead_a"), f"/api/resource/{doctype}/{name}").status_code == 403
	entries = logged(since, reference_name=name)
	assert {(e["user"], e["outcome"]) for e in entries} == {
		(world.users["dsl_a"], "Granted"),
		(world.users["ap_lead_a"], "Denied"),
	}
	assert all(e["pupil"] == world.pupil_a1 and e["school"] == world.school_a for e in entries)
