"""The leaders' desk views render in headless Chromium without console errors; screenshots are kept."""

import frappe
import pytest

from tests.integration.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Playwright fixture)

VIEWS = {
	"workspace": ("/app/alternative-provision", "text=Pupils in AP today"),
	"readiness": (
		"/app/query-report/AP Inspection Readiness",
		"text=A pupil-centred rationale for each placement",
	),
}


def on_console(errors, message):
	# Network failures are judged from the responses (below), so the test server's missing socket.io
	# service can be told apart; every other console error counts.
	text = message.text
	if message.type == "error" and "Failed to load resource" not in text and "socket.io" not in text:
		errors.append(text)


def on_page_error(errors, error):
	# Frappe's desk sometimes re-renders the landing workspace while the next page replaces it, and the
	# browser reports the node it could no longer remove (seen on Frappe's own pages too, intermittently).
	if "removeChild" in str(error) and "not a child of this node" in str(error):
		return
	errors.append(str(error))


def on_response(errors, response):
	if response.status >= 400 and "/socket.io/" not in response.url:
		errors.append(f"{response.status} {response.url}")


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_leaders_views_render_without_errors(world, base_url, browser, view):  # noqa: F811
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	context = browser.new_context(viewport={"width": 1400, "height": 1000})
	page = context.new_page()
	errors = []
	page.on("console", lambda m: on_console(errors, m))
	page.on("pageerror", lambda e: on_page_error(errors, e))
	page.on("response", lambda r: on_response(errors, r))
	page.goto(f"{base_url}/login")
	page.fill("#login_email", world.users["admin"])
	page.fill("#login_password", world.password)
	page.click(".btn-login")
	page.wait_for_url(lambda url: "/login" not in url, timeout=30000)
	page.wait_for_load_state("networkidle")  # let the landing page finish before leaving it
	route, marker = VIEWS[view]
	try:
		page.goto(base_url + route)
		page.wait_for_selector(marker, timeout=60000)
		page.wait_for_timeout(2000)  # let cards and charts finish loading
	finally:
		page.screenshot(path=str(ARTIFACTS / f"desk-{view}.png"), full_page=True)
		context.close()
	assert not errors, errors[:5]
	frappe.db.rollback()


def test_the_named_lead_confirms_receipt_and_accepts_from_the_form(world, base_url, browser):  # noqa: F811
	"""The Incoming Profile's buttons reach the server (committed: the browser talks to another process)."""
	frappe.set_user("Administrator")
	partner = frappe.get_doc(
		{
			"doctype": "Transfer Partner",
			"partner_name": f"T{world.token} Desk Partner",
			"site_url": "http://sender.invalid",
			"school": world.school_a,
			"direction": "Receive only",
		}
	).insert()
	incoming = frappe.get_doc(
		{
			"doctype": "Incoming Profile",
			"partner": partner.name,
			"channel": "Profile",
			"school": world.school_a,
			"assigned_to": world.users["ap_lead_a"],
			"status": "Awaiting Acceptance",
			"first_name": "Desk",
			"last_name": "Arrival",
			"pupil_name": "Desk Arrival",
			"date_of_birth": "2013-05-01",
			"pupil": world.pupil_a2,
			"idempotency_key": frappe.generate_hash(length=32),
			"snapshot": "{}",
		}
	).insert(ignore_permissions=True)  # as receive() stores it
	frappe.db.commit()
	context = browser.new_context(viewport={"width": 1400, "height": 1000})
	page = context.new_page()
	try:
		page.goto(f"{base_url}/login")
		page.fill("#login_email", world.users["ap_lead_a"])
		page.fill("#login_password", world.password)
		page.click(".btn-login")
		page.wait_for_url(lambda url: "/login" not in url, timeout=30000)
		page.goto(f"{base_url}/app/incoming-profile/{incoming.name}")
		page.get_by_role("button", name="Confirm receipt").click()
		page.get_by_role("button", name="Confirm receipt").wait_for(state="detached", timeout=30000)
		page.get_by_role("button", name="Decide").click()
		page.get_by_role("link", name="Accept").click()
		page.wait_for_function("() => cur_frm && cur_frm.doc.status === 'Accepted'", timeout=30000)
	finally:
		page.screenshot(path=str(ARTIFACTS / "desk-incoming-profile.png"), full_page=True)
		context.close()
		frappe.db.rollback()
		values = frappe.db.get_value(
			"Incoming Profile", incoming.name, ["status", "receipt_confirmed_by", "decided_by"], as_dict=True
		)
		for doctype, name in (("Incoming Profile", incoming.name), ("Transfer Partner", partner.name)):
			frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": name})
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
			frappe.db.delete(doctype, {"name": name})
		frappe.db.delete("ToDo", {"reference_name": incoming.name})
		frappe.db.commit()
	assert values.status == "Accepted" and values.decided_by == world.users["ap_lead_a"]
	assert values.receipt_confirmed_by == world.users["ap_lead_a"]
