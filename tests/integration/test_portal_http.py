"""Provider isolation door by door, over real HTTP, as two provider users and a guest."""

import json
from datetime import timedelta

import frappe
import pytest

from tests.integration.test_portal import last_weekday


def get(s, path, **params):
	return s.get(s.base + path, params=params, timeout=30, allow_redirects=False)


def post(s, method, **data):
	return s.post(f"{s.base}/api/method/{method}", data=data, timeout=30)


@pytest.fixture(scope="module")
def p1(http):
	return http("provider_1")


@pytest.fixture(scope="module")
def p2(http):
	return http("provider_2")


@pytest.fixture(scope="module")
def guest(http):
	return http(None)


def names(world, *placements):
	return [frappe.db.get_value("Placement", p, "pupil_name") for p in placements]


class TestPortalPages:
	def test_home_lists_only_own_pupils(self, world, p1):
		r = get(p1, "/ap")
		assert r.status_code == 200, r.text[:500]
		own, other = names(world, world.pa1, world.pb1), names(world, world.pa2, world.pb2)
		assert all(n in r.text for n in own) and not any(n in r.text for n in other)

	def test_guest_is_sent_to_log_in(self, world, guest):
		for path in ("/ap", "/ap/register", f"/ap/pupil?placement={world.pa1}", "/ap/documents"):
			r = get(guest, path)
			assert r.status_code in (301, 302, 303) and "/login" in r.headers["Location"], path

	def test_school_staff_are_not_portal_users(self, world, http):
		assert get(http("ap_lead_a"), "/ap").status_code == 403

	def test_pupil_page_shows_own_pupil_and_nothing_sensitive(self, world, p1):
		r = get(p1, "/ap/pupil", placement=world.pa1)
		assert r.status_code == 200
		upn = frappe.db.get_value("Pupil", world.pupil_a1, "upn")
		assert names(world, world.pa1)[0] in r.text and upn not in r.text
		assert "looked_after" not in r.text and "Safeguarding notes" not in r.text

	@pytest.mark.parametrize("guess", ["other", "missing"])
	def test_other_or_guessed_placement_is_not_found(self, world, p1, guess):
		placement = world.pa2 if guess == "other" else "PLC-0000-00000"
		assert get(p1, "/ap/pupil", placement=placement).status_code == 404

	def test_register_lists_own_timetabled_pupils(self, world, p1):
		r = get(p1, "/ap/register", date=str(last_weekday()), session="AM")
		assert r.status_code == 200
		assert f'data-placement="{world.pa1}"' in r.text and f'data-placement="{world.pa2}"' not in r.text

	def test_the_afternoon_register_lists_the_full_day_pupils(self, world, p1):
		# pa1 and pb1 are timetabled 09:00-15:00: the afternoon register is theirs too (Pupil Registration
		# Regulations 2024, reg. 10(1): a mark "once during the course of each afternoon session")
		r = get(p1, "/ap/register", date=str(last_weekday()), session="PM")
		assert r.status_code == 200
		assert f'data-placement="{world.pa1}"' in r.text and f'data-placement="{world.pb1}"' in r.text
		assert "No pupils are timetabled with you for this session" not in r.text


class TestPortalMethods:
	def test_save_register_over_http(self, world, p1, p2):
		# a week back: this commits, and the in-process tests use the latest weekday
		day = str(last_weekday() - timedelta(days=7))
		r = post(
			p1,
			"ap_framework.portal.api.save_register",
			attendance_date=day,
			session="AM",
			marks=json.dumps([{"placement": world.pa1, "mark": "/"}]),
		)
		assert r.status_code == 200, r.text
		assert r.json()["message"]["inserted"] == 1
		# the other provider cannot mark this provider's pupil
		r = post(
			p2,
			"ap_framework.portal.api.save_register",
			attendance_date=day,
			session="AM",
			marks=json.dumps([{"placement": world.pa1, "mark": "O"}]),
		)
		assert r.status_code == 417 and "not timetabled with you" in r.text
		frappe.db.rollback()
		assert (
			frappe.db.get_value(
				"AP Attendance", {"placement": world.pa1, "attendance_date": day, "session": "AM"}, "mark"
			)
			== "/"
		)

	def test_tampered_fields_are_ignored(self, world, p1):
		"""A provider field slipped into the form cannot file a log under another provider."""
		r = post(
			p1,
			"ap_framework.portal.api.log_contact",
			placement=world.pa1,
			contact_type="Phone",
			summary="Call",
			provider=world.p2,
			school=world.school_b,
		)
		assert r.status_code == 200, r.text
		frappe.db.rollback()
		assert frappe.db.get_value("Contact Log", r.json()["message"], ["provider", "school"]) == (
			world.p1,
			world.school_a,
		)

	def test_guest_cannot_call_portal_methods(self, world, guest):
		r = post(
			guest,
			"ap_framework.portal.api.save_register",
			attendance_date=str(last_weekday()),
			session="AM",
			marks="[]",
		)
		assert r.status_code == 403

	def test_portal_methods_only_accept_post(self, world, p1):
		r = get(
			p1,
			"/api/method/ap_framework.portal.api.save_register",
			attendance_date="2025-01-01",
			session="AM",
			marks="[]",
		)
		assert r.status_code in (403, 405)


class TestDesk_Doors:
	def test_rest_and_client_methods(self, world, p1):
		assert get(p1, f"/api/resource/Placement/{world.pa2}").status_code == 403
		r = get(p1, "/api/method/frappe.client.get_list", doctype="Placement", limit_page_length=0)
		assert r.status_code == 200 and {row["name"] for row in r.json()["message"]} == {world.pa1, world.pb1}
		r = get(
			p1,
			"/api/method/frappe.client.get_value",
			doctype="Placement",
			filters=json.dumps({"name": world.pa2}),
			fieldname="pupil_name",
		)
		assert r.status_code == 403 or not r.json().get("message")
		r = get(p1, "/api/method/frappe.client.get_count", doctype="Placement")
		assert r.json()["message"] == 2

	def test_attendance_lists_and_reports_are_scoped(self, world, p1):
		r = get(p1, "/api/resource/AP Attendance", fields=json.dumps(["provider"]), limit_page_length=0)
		assert r.status_code == 200 and {row["provider"] for row in r.json()["data"]} <= {world.p1}
		r = p1.post(
			p1.base + "/api/method/frappe.desk.reportview.get",
			data={
				"doctype": "Placement",
				"fields": json.dumps(["`tabPlacement`.`name`"]),
				"limit_page_length": 0,
			},
			timeout=30,
		)
		assert {row[0] for row in r.json()["message"]["values"]} == {world.pa1, world.pb1}

	@pytest.mark.parametrize("doctype", ["Placement", "AP Provider", "Pupil"])
	def test_link_search_is_scoped(self, world, p1, doctype):
		r = get(p1, "/api/method/frappe.desk.search.search_link", doctype=doctype, txt="", page_length=100)
		found = {row["value"] for row in r.json().get("message", [])} if r.status_code == 200 else set()
		assert not found & {world.pa2, world.pb2, world.p2, world.pupil_a2, world.pupil_b2, world.pupil_a1}

	def test_print_views_of_other_providers_records_are_refused(self, world, p1):
		assert get(p1, "/printview", doctype="Placement", name=world.pa2).status_code == 403
		r = get(p1, "/api/method/frappe.www.printview.get_html_and_style", doc="Placement", name=world.pa2)
		assert r.status_code == 403
		assert get(p1, "/printview", doctype="Placement", name=world.pa1).status_code == 200

	def test_guessed_names_of_every_doctype(self, world, p1, p2):
		r = post(
			p2, "ap_framework.portal.api.submit_review_input", placement=world.pa2, provider_input="Fine"
		)
		assert r.status_code == 200, r.text
		other = r.json()["message"]
		assert get(p1, f"/api/resource/Review Input/{other}").status_code == 403
		assert get(p2, f"/api/resource/Review Input/{other}").status_code == 200

	def test_private_files_of_another_provider(self, world, p1, p2, guest):
		up = p2.post(
			p2.base + "/api/method/upload_file",
			files={"file": ("assurance.txt", b"DBS checks done")},
			data={"is_private": 1},
			headers={"X-Frappe-CSRF-Token": ""},
			timeout=30,
		)
		assert up.status_code == 200, up.text
		url = up.json()["message"]["file_url"]
		r = post(
			p2,
			"ap_framework.portal.api.record_assurance",
			received_date=str(last_weekday()),
			signed_by="Manager",
			file_url=url,
		)
		assert r.status_code == 200, r.text
		assert get(p2, url).status_code == 200
		assert get(p1, url).status_code in (403, 404)
		assert get(guest, url).status_code in (403, 404, 302)
