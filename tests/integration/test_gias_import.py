"""GIAS Import in a real site (ap_framework/placement/gias_import.py): a file shaped exactly like the DfE's
edubasealldata<YYYYMMDD>.csv (tests/gias_file.py says where its layout, encoding and quoting come from:
MastodonC/witan.gias, the real rows in DFE-Digital's register-trainee-teachers specs, readers decoding
it as cp1252) imported into Schools and registered AP Providers; run twice; hand edits kept and
reported; closures marked; rejected rows with reasons; limits; the background job; who may do it.
"""

from __future__ import annotations

import io
import os
import zipfile

import frappe
import pytest
from frappe.utils.background_jobs import get_job, is_job_enqueued

from ap_framework.exceptions import GIASImportError
from ap_framework.placement import gias_import
from ap_framework.rules import gias
from tests import gias_file

BASE = 9_100_000  # seven-digit URNs, clear of the test world's
LAS = "873, 874"


@pytest.fixture
def files(world):
	"""The files the test uploads; removed afterwards (files on disk are not rolled back)."""
	made = []
	yield made
	for path in made:
		if os.path.exists(path):
			os.remove(path)


@pytest.fixture
def as_admin(world):
	frappe.set_user(world.users["admin"])
	yield
	frappe.set_user("Administrator")


def new_import(files, data: bytes, la_codes: str = LAS, suffix: str = ".csv"):
	"""A GIAS Import with the file uploaded to it as the desk uploads one (File with its content: its
	bytes are kept as they are; v16 rewrites a File made from a file already on disk as UTF-8)."""
	doc = frappe.get_doc({"doctype": "GIAS Import", "la_codes": la_codes, "import_file": "-"}).insert()
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"edubasealldata20250109-{frappe.generate_hash(length=8)}{suffix}",
			"content": data,
			"is_private": 1,
			"attached_to_doctype": "GIAS Import",
			"attached_to_name": doc.name,
			"attached_to_field": "import_file",
		}
	).insert()
	files.append(f.get_full_path())
	doc.db_set("import_file", f.file_url)
	return doc


def start(files, records, **kw) -> frappe._dict:
	doc = new_import(files, gias_file.to_bytes(records), **kw)
	assert gias_import.start(doc.name) == {"queued": False}
	return frappe.get_doc("GIAS Import", doc.name)


def held(doctype: str, urns) -> dict[str, frappe._dict]:
	rows = frappe.get_all(doctype, filters={"urn": ("in", list(urns))}, fields=["*"])
	return {r.urn: r for r in rows}


def expected(records, las=("873", "874")):
	"""What the fixture says the import should make of `records` on a site holding none of them."""
	chosen = [r for r in records if r["LA (code)"] in las]
	open_ = [r for r in chosen if r["EstablishmentStatus (name)"] != "Closed"]
	providers = [r for r in open_ if r["TypeOfEstablishment (name)"] in gias_file.EXPECTED_STATUS]
	schools = [r for r in open_ if r["TypeOfEstablishment (name)"] in gias_file.MAINSTREAM]
	return chosen, schools, providers


# ---- a realistic file ---------------------------------------------------------------------------------
def test_a_realistic_file_imports_schools_and_registered_providers_and_the_counts_add_up(files, as_admin):
	records = gias_file.realistic(3000, base=BASE)
	chosen, schools, providers = expected(records)
	doc = start(files, records)
	assert (doc.status, doc.encoding, doc.error) == ("Completed", "Windows-1252", None)
	assert doc.rows_read == 3000 and doc.other_la_count == 3000 - len(chosen)
	assert doc.created_count == len(schools) + len(providers) and doc.rejected_count == 0
	assert doc.created_count + doc.not_taken_count == len(chosen)
	assert (doc.updated_count, doc.unchanged_count, doc.closed_count, doc.kept_count) == (0, 0, 0, 0)

	got = held("School", [r["URN"] for r in schools])
	assert len(got) == len(schools)
	for r in schools:
		s = got[r["URN"]]
		assert (s.la_code, s.establishment_number, s.town, s.postcode) == (
			r["LA (code)"],
			r["EstablishmentNumber"],
			"Huntingdon",
			"PE28 4RF",
		)
		assert s.school_name.startswith(r["EstablishmentName"]) and s.establishment_status == "Open"
		assert s.trust == (r["Trusts (name)"] or None) and s.phase == "Primary"
		assert s.address_line1 == "High Street" and s.address_line2 == "Brampton"
	names = {s.school_name for s in got.values()}
	assert "St Mary\u2019s Church of England Primary School" in names  # the curly apostrophe, decoded
	assert any(n.startswith("St Mary\u2019s Church of England Primary School (") for n in names)

	got = held("AP Provider", [r["URN"] for r in providers])
	assert len(got) == len(providers)
	for r in providers:
		p = got[r["URN"]]
		assert p.registration_status == gias_file.EXPECTED_STATUS[r["TypeOfEstablishment (name)"]]
		assert (p.ukprn, p.la_code, p.is_registered_school, p.approval_status) == (
			r["UKPRN"],
			r["LA (code)"],
			1,
			"Under Review",
		)
	# rows of other LAs, colleges and closed establishments not held: nothing made
	others = [r["URN"] for r in records if r not in schools and r not in providers]
	assert not held("School", others) and not held("AP Provider", others)


def test_a_second_run_of_the_same_file_changes_nothing_and_duplicates_nothing(files, as_admin):
	records = gias_file.realistic(600, base=BASE)
	first = start(files, records)
	second = start(files, records)
	assert (second.created_count, second.updated_count, second.closed_count) == (0, 0, 0)
	assert second.unchanged_count == first.created_count and second.kept_count == 0
	urns = [r["URN"] for r in records]
	for doctype in ("School", "AP Provider"):
		rows = frappe.get_all(doctype, filters={"urn": ("in", urns)}, fields=["urn"])
		assert len(rows) == len({r.urn for r in rows})
	assert (
		frappe.db.count("School", {"urn": ("in", urns)})
		+ frappe.db.count("AP Provider", {"urn": ("in", urns)})
		== first.created_count
	)


def test_a_field_changed_by_hand_survives_the_next_import_and_is_reported(files, as_admin):
	records = [
		gias_file.record(BASE + 1, EstablishmentName="Oak Primary"),
		gias_file.record(BASE + 2, "874", "Pupil referral unit", EstablishmentName="The Bridge PRU"),
	]
	start(files, records)
	school = frappe.get_doc("School", "Oak Primary")
	school.town = "St Ives"  # a person corrects it in the desk
	school.save()
	provider = frappe.get_doc("AP Provider", "The Bridge PRU")
	provider.address_line1 = "Unit 4, Mill Lane"
	provider.save()
	# GIAS changes the school's postcode and keeps its town; the PRU's street is unchanged in GIAS
	records[0]["Postcode"] = "PE27 5AB"
	doc = start(files, records)
	school.reload()
	provider.reload()
	assert (school.town, school.postcode) == ("St Ives", "PE27 5AB")
	assert provider.address_line1 == "Unit 4, Mill Lane"
	assert (doc.updated_count, doc.unchanged_count, doc.kept_count) == (1, 1, 2)
	kept = {(k.record_type, k.record, k.fieldname, k.user_value, k.gias_value) for k in doc.kept_edits}
	assert kept == {
		("School", "Oak Primary", "town", "St Ives", "Huntingdon"),
		("AP Provider", "The Bridge PRU", "address_line1", "Unit 4, Mill Lane", "High Street"),
	}
	assert {k.field_label for k in doc.kept_edits} == {"Town", "Address Line 1"}
	# the school's history says what the import changed, and that it was the import
	versions = frappe.get_all(
		"Version",
		filters={"ref_doctype": "School", "docname": "Oak Primary"},
		fields=["data"],
		order_by="creation",
	)
	last = frappe.parse_json(versions[-1].data)
	assert last["changed"] == [["postcode", "PE28 4RF", "PE27 5AB"]]
	assert last["updater_reference"]["docname"] == doc.name


def test_a_school_gias_renames_keeps_its_record_and_the_new_name_is_reported(files, as_admin):
	records = [gias_file.record(BASE + 1, EstablishmentName="Oak Primary")]
	start(files, records)
	records[0]["EstablishmentName"] = "Oak Primary Academy"
	doc = start(files, records)
	assert frappe.db.get_value("School", {"urn": str(BASE + 1)}, "school_name") == "Oak Primary"
	assert [(k.fieldname, k.user_value, k.gias_value) for k in doc.kept_edits] == [
		("school_name", "Oak Primary", "Oak Primary Academy")
	]


def test_a_record_made_by_hand_before_any_import_keeps_its_values_and_gains_the_missing_ones(files, as_admin):
	frappe.get_doc(
		{"doctype": "School", "school_name": "Hand Made School", "urn": str(BASE + 5), "town": "Ely"}
	).insert()
	doc = start(files, [gias_file.record(BASE + 5, EstablishmentName="Hand Made School")])
	s = frappe.get_doc("School", "Hand Made School")
	assert (s.town, s.la_code, s.postcode, s.establishment_number) == ("Ely", "873", "PE28 4RF", "2005")
	assert doc.updated_count == 1 and [k.fieldname for k in doc.kept_edits] == ["town"]


def test_an_establishment_gias_shows_closed_is_marked_closed(files, as_admin):
	records = [
		gias_file.record(BASE + 1, "873", "Academy converter", EstablishmentName="Elm Academy"),
		gias_file.record(BASE + 2, "874", "Free schools alternative provision", EstablishmentName="Fen AP"),
		gias_file.record(BASE + 3, EstablishmentName="Long Closed School", status="Closed"),
	]
	first = start(files, records)
	assert first.created_count == 2 and first.not_taken_count == 1  # closed, never held: not made
	assert not frappe.db.exists("School", "Long Closed School")
	records[0] = gias_file.record(
		BASE + 1, "873", "Academy converter", EstablishmentName="Elm Academy", status="Closed"
	)
	records[1] = gias_file.record(
		BASE + 2, "874", "Free schools alternative provision", EstablishmentName="Fen AP", status="Closed"
	)
	second = start(files, records)
	assert (second.closed_count, second.updated_count, second.not_taken_count) == (2, 0, 1)
	assert frappe.db.get_value("School", "Elm Academy", ["establishment_status", "close_date"]) == (
		"Closed",
		frappe.utils.getdate("2024-08-31"),
	)
	assert frappe.db.get_value("AP Provider", "Fen AP", "establishment_status") == "Closed"
	assert start(files, records).closed_count == 0  # closed once


def test_rejected_rows_are_listed_with_their_reason_and_the_rest_imported(files, as_admin):
	records = [
		gias_file.record(BASE + 1, EstablishmentName="Good School"),
		gias_file.record("91000X2", EstablishmentName="Bad URN"),
		gias_file.record(BASE + 3, EstablishmentName="Bad Date", CloseDate="2024/08/31", status="Closed"),
		gias_file.record(BASE + 4, "874", "Pupil referral unit", EstablishmentName="Bad PRU", UKPRN="99"),
		gias_file.record(BASE + 5, EstablishmentName="Odd Type", **{"TypeOfEstablishment (name)": "Made up"}),
		gias_file.record(BASE + 1, EstablishmentName="Same URN Again"),
		gias_file.record(BASE + 7, "881", EstablishmentName="Other LA", UKPRN="99"),  # not ours: not judged
	]
	doc = start(files, records)
	assert (doc.created_count, doc.rejected_count, doc.other_la_count) == (1, 5, 1)
	got = [(r.row_number, r.urn, r.column_name) for r in doc.rejections]
	assert got == [
		(3, "91000X2", "URN"),
		(4, str(BASE + 3), "CloseDate"),
		(5, str(BASE + 4), "UKPRN"),
		(6, str(BASE + 5), "TypeOfEstablishment (name)"),
		(7, str(BASE + 1), "URN"),
	]
	assert "DD-MM-YYYY" in doc.rejections[1].reason and "already on row 2" in doc.rejections[4].reason
	assert frappe.db.exists("School", "Good School")
	assert not frappe.db.exists("School", {"school_name": ("in", ["Bad URN", "Bad Date", "Odd Type"])})
	assert not frappe.db.exists("AP Provider", "Bad PRU")


def test_a_zip_as_gias_downloads_it_and_a_utf8_copy_import_the_same(files, as_admin):
	records = [gias_file.record(BASE + 1, EstablishmentName="Ysgol Gymraeg Bro Môn")]
	buf = io.BytesIO()
	with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
		z.writestr("extract/edubasealldata20250109.csv", gias_file.to_bytes(records))
	doc = new_import(files, buf.getvalue(), suffix=".zip")
	gias_import.start(doc.name)
	doc.reload()
	assert (doc.status, doc.created_count, doc.encoding) == ("Completed", 1, "Windows-1252")
	assert frappe.db.exists("School", "Ysgol Gymraeg Bro Môn")
	doc = new_import(files, gias_file.to_bytes(records, encoding="utf-8"))  # saved again as UTF-8
	gias_import.start(doc.name)
	doc.reload()
	assert (doc.encoding, doc.unchanged_count) == ("UTF-8", 1)


def statements() -> int:
	"""Statements this connection has sent (MariaDB's own count)."""
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


def test_the_writes_are_set_based_five_times_the_rows_is_not_five_times_the_queries(files, as_admin):
	def cost(rows: int, base: int) -> int:
		records = gias_file.realistic(rows, base=base)
		start(files, records)  # creates
		for r in records:
			r["Town"] = "St Neots"  # every record's town changes in GIAS: an update each
		doc = new_import(files, gias_file.to_bytes(records))
		before = statements()
		gias_import.start(doc.name)
		spent = statements() - before
		doc.reload()
		assert doc.updated_count + doc.closed_count > rows / 3
		return spent

	small, large = cost(200, BASE), cost(1000, BASE + 20_000)
	print(f"statements for an import updating 200 rows: {small}; 1000 rows: {large}")
	assert large < small + 40, (small, large)


# ---- limits ------------------------------------------------------------------------------------------
def test_a_file_over_100_mb_is_refused_naming_the_limit(files, as_admin):
	doc = new_import(files, b"x")
	path = frappe.get_doc("File", {"attached_to_name": doc.name}).get_full_path()
	os.truncate(path, gias.MAX_BYTES + 1)  # a sparse file: 100 MB and a byte, on no disk space
	with pytest.raises(GIASImportError) as e:
		gias_import.start(doc.name)
	assert "at most 100 MB" in str(e.value)
	assert frappe.db.get_value("GIAS Import", doc.name, "status") == "Draft"


def test_an_empty_file_a_stranger_file_and_a_file_not_attached_are_refused(files, world, as_admin):
	for data, words in ((b"", "empty"), (b"name,town\r\nOak,Ely\r\n", "no column URN")):
		doc = new_import(files, data or b"x")
		os.truncate(files[-1], len(data))
		with pytest.raises(GIASImportError, match=words):
			gias_import.start(doc.name)
	# a private file of another record, its URL typed into the field
	other = frappe.get_doc(
		{"doctype": "File", "file_name": "notes.csv", "content": b"URN,secret\r\n1,x\r\n", "is_private": 1}
	)
	other.update({"attached_to_doctype": "School", "attached_to_name": world.school_a}).insert()
	files.append(other.get_full_path())
	doc = frappe.get_doc({"doctype": "GIAS Import", "la_codes": LAS, "import_file": other.file_url}).insert()
	with pytest.raises(GIASImportError, match="Attach the GIAS file"):
		gias_import.start(doc.name)


def test_the_same_file_uploaded_to_a_second_import_is_read(files, as_admin):
	"""Frappe keeps one copy on disk of the same bytes uploaded twice; both imports may read it."""
	data = gias_file.to_bytes([gias_file.record(BASE + 1, EstablishmentName="Twice School")])
	first, second = new_import(files, data), new_import(files, data)
	assert first.import_file == second.import_file
	for doc in (first, second):
		gias_import.start(doc.name)
	assert frappe.db.get_value("GIAS Import", second.name, "unchanged_count") == 1


# ---- the background job ------------------------------------------------------------------------------
def test_a_large_file_is_queued_on_the_long_queue_and_the_job_imports_it(files, as_admin):
	records = gias_file.realistic(5000, base=BASE)
	_, schools, providers = expected(records)
	data = gias_file.to_bytes(records)
	assert len(data) > gias_import.IN_REQUEST_BYTES
	doc = new_import(files, data)
	assert gias_import.start(doc.name) == {"queued": True}
	assert frappe.db.get_value("GIAS Import", doc.name, "status") == "Queued"
	frappe.db.after_commit.run()  # the job goes to Redis when the request commits (no worker here)
	try:
		assert is_job_enqueued(gias_import.job_id(doc.name))
		with pytest.raises(GIASImportError, match="already Queued"):
			gias_import.start(doc.name)
	finally:
		get_job(gias_import.job_id(doc.name)).delete()  # ours, never to run: this test rolls back
	assert gias_import.start(doc.name) == {"queued": True}  # a job lost: Start again queues it again
	gias_import.run(doc.name)  # what the worker runs
	doc.reload()
	assert (doc.status, doc.rows_read) == ("Completed", 5000)
	assert doc.created_count == len(schools) + len(providers)
	assert frappe.db.count("School", {"urn": ("in", [r["URN"] for r in schools])}) == len(schools)


def test_a_job_that_fails_records_why_and_writes_nothing(files, as_admin, monkeypatch):
	records = gias_file.realistic(50, base=BASE)
	doc = new_import(files, gias_file.to_bytes(records))
	monkeypatch.setattr(gias, "MAX_ROWS", 10)
	gias_import.run(doc.name)
	doc.reload()
	assert doc.status == "Failed" and "more than 10 rows" in doc.error
	assert not frappe.db.exists("School", {"urn": ("in", [r["URN"] for r in records])})


def test_a_job_that_breaks_half_way_keeps_none_of_its_writes_and_names_the_error_log(
	files, as_admin, monkeypatch
):
	records = gias_file.realistic(50, base=BASE)
	doc = new_import(files, gias_file.to_bytes(records))

	def broken(*args):  # after the Schools and providers are written, before the rejections are
		raise RuntimeError("disk full")

	monkeypatch.setattr(gias_import, "_children", broken)
	gias_import.run(doc.name)
	doc.reload()
	assert doc.status == "Failed" and "unexpected error" in doc.error
	log = doc.error.rsplit(" ", 1)[-1]
	assert "disk full" in frappe.db.get_value("Error Log", log, "error")
	frappe.db.delete("Error Log", log)
	urns = [r["URN"] for r in records]
	assert not frappe.db.exists("School", {"urn": ("in", urns)})
	assert not frappe.db.exists("AP Provider", {"urn": ("in", urns)})


def test_one_import_at_a_time(files, as_admin):
	"""Another process holding the import lock (as a running import does until it commits)."""
	import pymysql

	doc = new_import(files, gias_file.to_bytes([gias_file.record(BASE + 1)]))
	frappe.db.commit()  # the other connection must see the import
	other = pymysql.connect(
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
		user=frappe.conf.db_user or frappe.conf.db_name,
		password=frappe.conf.db_password,
		database=frappe.conf.db_name,
	)
	try:
		with other.cursor() as c:
			c.execute("begin")
			c.execute("select name from `tabDocType` where name = 'GIAS Import' for update")
			with pytest.raises(GIASImportError, match="Another GIAS import is running"):
				gias_import.start(doc.name)
			gias_import.run(doc.name)  # the job: recorded, not raised
			assert frappe.db.get_value("GIAS Import", doc.name, "status") == "Failed"
		other.rollback()
		frappe.db.rollback()
		gias_import.start(doc.name)
		assert frappe.db.get_value("GIAS Import", doc.name, "status") == "Completed"
	finally:
		other.close()
		frappe.db.rollback()
		frappe.db.delete("School", {"urn": str(BASE + 1)})
		frappe.db.delete("File", {"attached_to_name": doc.name})
		frappe.db.delete("GIAS Import", doc.name)
		frappe.db.commit()


# ---- who may -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["ap_lead_a", "qa", "governor_a"])
def test_only_an_ap_administrator_may_import(files, world, who):
	frappe.set_user(world.users["admin"])
	doc = new_import(files, gias_file.to_bytes([gias_file.record(BASE + 1)]))
	frappe.set_user(world.users[who])
	assert not frappe.has_permission("GIAS Import", "read")
	with pytest.raises(frappe.PermissionError):
		gias_import.start(doc.name)
	frappe.set_user("Administrator")
	assert not frappe.db.exists("School", {"urn": str(BASE + 1)})


# ---- over HTTP, as the desk does it ------------------------------------------------------------------
def test_over_http_the_desk_upload_keeps_the_bytes_and_start_imports_only_for_an_ap_administrator(
	http, world
):
	"""The form's own path: upload the file (/api/method/upload_file), save the import naming it, Start
	(the button's frappe.call). Committed, because the server is another process; removed after."""
	admin, lead = http("admin"), http("ap_lead_a")
	records = [
		gias_file.record(BASE + 901, EstablishmentName="St Mary\u2019s HTTP School"),
		gias_file.record(BASE + 902, "874", "Pupil referral unit", EstablishmentName="HTTP PRU"),
	]
	name = None
	try:
		# a new form uploads the file first (no record to attach it to yet), then saves the record
		r = admin.post(
			f"{admin.base}/api/method/upload_file",
			data={"is_private": 1},
			files={"file": ("edubasealldata20250109.csv", gias_file.to_bytes(records), "text/csv")},
		)
		assert r.status_code == 200, r.text
		url = r.json()["message"]["file_url"]
		r = admin.post(f"{admin.base}/api/resource/GIAS Import", json={"la_codes": LAS, "import_file": url})
		assert r.status_code == 200, r.text
		name = r.json()["data"]["name"]

		r = lead.post(f"{lead.base}/api/method/ap_framework.placement.gias_import.start", data={"name": name})
		assert r.status_code == 403, r.text
		r = admin.post(
			f"{admin.base}/api/method/ap_framework.placement.gias_import.start", data={"name": name}
		)
		assert r.status_code == 200 and r.json()["message"] == {"queued": False}, r.text
		frappe.db.rollback()  # see the server's commit
		doc = frappe.get_doc("GIAS Import", name)
		assert (doc.status, doc.encoding, doc.created_count) == ("Completed", "Windows-1252", 2), (
			doc.as_dict()
		)
		assert frappe.db.exists("School", "St Mary\u2019s HTTP School")
		assert frappe.db.get_value("AP Provider", "HTTP PRU", "registration_status") == "PRU"
	finally:
		frappe.db.rollback()
		urns = [r["URN"] for r in records]
		frappe.db.delete("School", {"urn": ("in", urns)})
		frappe.db.delete("AP Provider", {"urn": ("in", urns)})
		for f in frappe.get_all(
			"File",
			filters={"file_name": ("like", "edubasealldata20250109%.csv"), "owner": world.users["admin"]},
			pluck="name",
		):
			frappe.delete_doc("File", f, force=True, ignore_permissions=True)
		if name:
			frappe.delete_doc("GIAS Import", name, force=True, ignore_permissions=True)
		frappe.db.commit()
