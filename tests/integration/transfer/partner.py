"""The partner site's side of the two-site tests, run in its own process (one Frappe site per process):

	python -m tests.integration.transfer.partner setup TOKEN   -> prints JSON: school, users and API keys
	python -m tests.integration.transfer.partner teardown TOKEN
	python -m tests.integration.transfer.partner flush TOKEN      -> writes deferred inserts (View Log)

setup makes, on AP_PARTNER_SITE: a receiving school with an AP Lead and a Safeguarding Lead (named on the
school), an AP Administrator for inspecting it over REST, and the sender's Transfer Partner record with
the integration user the sender signs in as. Every name carries TOKEN; teardown removes exactly that.
"""

from __future__ import annotations

import json
import os
import sys

import frappe

from tests.conftest import BENCH, PARTNER_SITE

# Sections the receiving site takes from the sender: all but "Remaining priorities", so a sender that
# believes otherwise is refused by the receiver itself.
REFUSED = "Remaining priorities"


def _user(token: str, key: str, roles: list[str], school: str | None) -> dict:
	email = f"{key}-{token.lower()}@partner-test.example.com"
	secret = frappe.generate_hash(length=20)
	frappe.local.conf.throttle_user_limit = 10**6
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": key,
			"send_welcome_email": 0,
			"roles": [{"role": r} for r in roles],
			"api_key": frappe.generate_hash(length=15),
			"api_secret": secret,
		}
	).insert(ignore_permissions=True)
	if school:
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": email,
				"allow": "School",
				"for_value": school,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
	return {"email": email, "key": user.api_key, "secret": secret}


def setup(token: str) -> dict:
	from ap_framework.rules.profile import ALL_TITLES

	school = frappe.get_doc(
		{
			"doctype": "School",
			"school_name": f"P{token} Receiving School",
			"urn": str(900000 + int(token, 16) % 100000),
			"la_code": "802",
		}
	).insert()
	users = {
		"lead": _user(token, "lead", ["AP Lead"], school.name),
		"dsl": _user(token, "dsl", ["Safeguarding Lead"], school.name),
		"admin": _user(token, "admin", ["AP Administrator", "System Manager"], None),  # reads View Log too
		"integration": _user(token, "integration", [], None),
		"other": _user(token, "other", [], None),  # another sender's integration user
	}
	school.db_set({"ap_lead": users["lead"]["email"], "dsl": users["dsl"]["email"]})
	partner = frappe.get_doc(
		{
			"doctype": "Transfer Partner",
			"partner_name": f"P{token} Sending School",
			"site_url": "http://sender.invalid",
			"school": school.name,
			"direction": "Receive only",
			"receiving_user": users["integration"]["email"],
			"allow_safeguarding": 1,
			"sections": [{"section": t} for t in ALL_TITLES.values() if t != REFUSED],
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Transfer Partner",
			"partner_name": f"P{token} Other Sender",
			"site_url": "http://other.invalid",
			"school": school.name,
			"direction": "Receive only",
			"receiving_user": users["other"]["email"],
			"sections": [{"section": t} for t in ALL_TITLES.values() if t != REFUSED],
		}
	).insert()
	return {"school": school.name, "partner": partner.name, "users": users}


def teardown(token: str) -> None:
	schools = frappe.get_all("School", filters={"school_name": f"P{token} Receiving School"}, pluck="name")
	incoming = (
		frappe.get_all("Incoming Profile", filters={"school": ("in", schools)}, pluck="name")
		if schools
		else []
	)
	pupils = frappe.get_all("Pupil", filters={"school": ("in", schools)}, pluck="name") if schools else []
	for doctype, names in (("Incoming Profile", incoming), ("Pupil", pupils)):
		if not names:
			continue
		for f in frappe.get_all(
			"File", filters={"attached_to_doctype": doctype, "attached_to_name": ("in", names)}, pluck="name"
		):
			frappe.delete_doc("File", f, force=True, ignore_permissions=True)
		for table in ("Comment", "View Log", "ToDo", "Version"):
			field = {
				"Comment": "reference_name",
				"View Log": "reference_name",
				"ToDo": "reference_name",
				"Version": "docname",
			}[table]
			frappe.db.delete(table, {field: ("in", names)})
		frappe.db.delete(
			"Incoming Domain Score" if doctype == "Incoming Profile" else "Pupil Contact",
			{"parent": ("in", names)},
		)
		frappe.db.delete(doctype, {"name": ("in", names)})
	partners = frappe.get_all(
		"Transfer Partner",
		filters={"partner_name": ("in", [f"P{token} Sending School", f"P{token} Other Sender"])},
		pluck="name",
	)
	if partners:
		frappe.db.delete("Transfer Section", {"parent": ("in", partners)})
		frappe.db.delete("Transfer Partner", {"name": ("in", partners)})
	users = frappe.get_all(
		"User", filters={"email": ("like", f"%-{token.lower()}@partner-test.example.com")}, pluck="name"
	)
	if users:
		frappe.db.delete("User Permission", {"user": ("in", users)})
		frappe.db.delete("ToDo", {"allocated_to": ("in", users)})
		for u in users:
			frappe.delete_doc("User", u, force=True, ignore_permissions=True)
	if schools:
		frappe.db.delete("School", {"name": ("in", schools)})


if __name__ == "__main__":
	action, token = sys.argv[1], sys.argv[2]
	os.chdir(BENCH / "sites")
	frappe.init(site=PARTNER_SITE, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	try:
		if action == "flush":
			# what the scheduler does every few minutes: write the deferred View Logs (v16 defers them)
			from frappe.deferred_insert import save_to_db

			out = save_to_db()
		else:
			out = setup(token) if action == "setup" else teardown(token)
		frappe.db.commit()
	finally:
		frappe.destroy()
	print("AP-PARTNER-JSON " + json.dumps(out))
