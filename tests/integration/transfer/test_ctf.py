"""Common Transfer File: export here, import into the partner site over HTTP, and the same pupils arrive;
a malformed file is refused with a message per record and nothing half-imported."""

from __future__ import annotations

import json

import frappe
import pytest
from frappe.utils import add_days, today

from ap_framework.exceptions import CTFError
from ap_framework.rules import ctf as rules
from ap_framework.rules.upn import with_check_letter
from ap_framework.transfer import ctf

IMPORT = "/api/method/ap_framework.transfer.ctf.import_ctf"
FIELDS = ("upn", "first_name", "last_name", "date_of_birth", "gender", "year_group")


def exported(world, *pupils):
	frappe.set_user("Administrator")
	frappe.get_doc("Pupil", world.pupil_a1).update(
		{
			"gender": "Female",
			"contacts": [
				{
					"contact_name": "Jo Carer",
					"relationship": "Mother",
					"phone": "0700",
					"parental_responsibility": 1,
				}
			],
		}
	).save()
	frappe.set_user(world.users["dsl_a"])  # may read SEN status
	return ctf.export_ctf(list(pupils), dest_la="802")


def test_round_trip_into_the_partner_site_gives_the_same_pupils(world, remote, partner):
	xml = exported(world, world.pupil_a1, world.pupil_a2)
	assert "<SENprovision>K</SENprovision>" in xml
	r = remote("dsl").post(IMPORT, content=xml, school=partner["school"])
	assert r.ok, r.text
	created = r.json()["message"]["created"]
	assert len(created) == 2 and r.json()["message"]["updated"] == []
	for name, theirs in zip((world.pupil_a1, world.pupil_a2), sorted(created), strict=True):
		ours = frappe.get_doc("Pupil", name)
		got = remote("dsl").doc("Pupil", theirs)
		assert {f: got[f] or None for f in FIELDS} == {
			f: str(ours.get(f)) if ours.get(f) else None for f in FIELDS
		}
		assert got["school"] == partner["school"]
		theirs_sen = remote("dsl").doc("Pupil Welfare", theirs)["sen_status"]
		assert theirs_sen == frappe.db.get_value("Pupil Welfare", name, "sen_status")
	a1 = remote("dsl").doc("Pupil", sorted(created)[0])
	assert [(c["contact_name"], c["relationship"], c["phone"]) for c in a1["contacts"]] == [
		("Jo Carer", "Parent", "0700")
	]
	# importing the same file again updates the same pupils: matched by UPN, nothing doubled
	r = remote("dsl").post(IMPORT, content=xml, school=partner["school"])
	assert (
		r.ok
		and sorted(r.json()["message"]["updated"]) == sorted(created)
		and r.json()["message"]["created"] == []
	)


def test_malformed_file_is_refused_whole_with_a_message_per_record(world, remote, partner):
	xml = exported(world, world.pupil_a1, world.pupil_a2)
	upn_a2 = frappe.db.get_value("Pupil", world.pupil_a2, "upn")
	dob_a2 = str(frappe.db.get_value("Pupil", world.pupil_a2, "date_of_birth"))
	bad = xml.replace(f"<DOB>{dob_a2}</DOB>", "<DOB>31/02/2012</DOB>").replace("<Sex>F</Sex>", "<Sex>X</Sex>")
	before = remote("admin").get(
		"/api/resource/Pupil", filters=json.dumps({"school": partner["school"]}), limit_page_length=0
	)
	r = remote("dsl").post(IMPORT, content=bad, school=partner["school"])
	assert r.status_code == 417
	text = r.text
	assert "sex X is not M or F" in text and "Record 1" in text
	assert f"Record 2 ({upn_a2}): date of birth 31/02/2012 is not a date" in text
	after = remote("admin").get(
		"/api/resource/Pupil", filters=json.dumps({"school": partner["school"]}), limit_page_length=0
	)
	assert after.json()["data"] == before.json()["data"]  # not even the good record went in
	r = remote("dsl").post(IMPORT, content="<html>hello</html>", school=partner["school"])
	assert r.status_code == 417 and "not a Common Transfer File" in r.text


def test_a_upn_held_by_another_school_is_refused_and_nothing_is_imported(world):
	frappe.set_user("Administrator")
	xml = exported(world, world.pupil_a1)
	new_upn = with_check_letter("801999925001")
	extra = xml.replace(
		"</CTFpupilData>",
		f"<Pupil><UPN>{new_upn}</UPN><Surname>New</Surname><Forename>Kid</Forename>"
		f"<DOB>{add_days(today(), -4000)}</DOB></Pupil></CTFpupilData>",
	)
	frappe.set_user("Administrator")
	with pytest.raises(CTFError) as e:
		ctf.import_ctf(extra, world.school_b)  # pupil A1 belongs to school A
	assert "belongs to a pupil at another school" in str(e.value)
	assert not frappe.db.exists("Pupil", {"upn": new_upn})


def test_a_file_over_the_bound_is_refused_saying_the_bound(world):
	xml = exported(world, world.pupil_a1)
	frappe.set_user(world.users["ap_lead_a"])
	big = xml + " " * (rules.MAX_BYTES + 1 - len(xml.encode()))
	with pytest.raises(CTFError) as e:
		ctf.import_ctf(big, world.school_a)
	assert "Common Transfer File" in str(e.value)
	assert "The file is 20.0 MB; a CTF import takes at most 20 MB" in str(e.value)


@pytest.mark.parametrize(
	"entity",
	['<!ENTITY xxe SYSTEM "file:///etc/passwd">', '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'],
	ids=["xxe", "expansion"],
)
def test_a_hostile_file_is_refused_naming_the_file_and_nothing_is_read(world, entity):
	xml = exported(world, world.pupil_a1).replace("<CTfile>", f"<!DOCTYPE CTfile [{entity}]>\n<CTfile>", 1)
	frappe.set_user(world.users["ap_lead_a"])
	with pytest.raises(CTFError) as e:
		ctf.import_ctf(xml, world.school_a)
	assert "Common Transfer File" in str(e.value) and "declares a DOCTYPE" in str(e.value)
	assert "root:" not in str(e.value)


def test_import_needs_the_school_in_scope(world):
	xml = exported(world, world.pupil_a1)
	frappe.set_user(world.users["ap_lead_b"])
	with pytest.raises(frappe.PermissionError):
		ctf.import_ctf(xml, world.school_a)
	with pytest.raises(frappe.PermissionError):
		ctf.export_ctf([world.pupil_a1])


def test_export_leaves_sen_out_for_those_who_may_not_read_it(world):
	exported(world, world.pupil_a1)
	frappe.set_user(world.users["ap_lead_a"])
	xml = ctf.export_ctf([world.pupil_a1])
	assert "SENprovision" not in xml and "<Surname>" in xml
