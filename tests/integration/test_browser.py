"""A provider completes a 10-pupil register on a phone, in headless Chromium driven by Playwright."""

import os
import shutil
from pathlib import Path

import frappe
import pytest

from tests.integration.test_portal import last_weekday

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("AP_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
PHONE = {
	"viewport": {"width": 390, "height": 844},
	"is_mobile": True,
	"has_touch": True,
	"device_scale_factor": 2,
}


@pytest.fixture(scope="module")
def browser():
	sync_api = pytest.importorskip(
		"playwright.sync_api", reason="browser test skipped: playwright is not installed"
	)
	if not CHROMIUM:
		pytest.skip("browser test skipped: Debian's chromium is not installed")
	with sync_api.sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=CHROMIUM,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				"--no-first-run",
			],
		)
		yield browser
		browser.close()


@pytest.fixture(scope="module")
def ten_pupils(world):
	"""A school and provider of their own with ten pupils timetabled, so the other tests' figures stay as they are."""
	school = world.school("School C", "3" + world.token[:5].translate(str.maketrans("ABCDEF", "123456")))
	provider = world.provider("Provider Four", "PRU", urn=f"158{world.serial_num(3):03d}")
	world.users["provider_4"] = world.user("provider_4", ["AP Provider User"], {"AP Provider": provider})
	placements = [world.placement(world.pupil(school), provider, "Active").name for _ in range(10)]
	frappe.db.commit()  # the browser talks to another process
	return provider, placements


def test_provider_completes_a_register_on_a_phone(world, base_url, browser, ten_pupils):
	_provider, placements = ten_pupils
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	context = browser.new_context(**PHONE)
	page = context.new_page()
	page.goto(f"{base_url}/login")
	page.fill("#login_email", world.users["provider_4"])
	page.fill("#login_password", world.password)
	page.click(".btn-login")
	page.wait_for_url(lambda url: "/login" not in url, timeout=30000)

	day = last_weekday()
	page.goto(f"{base_url}/ap/register?date={day}&session=AM")
	rows = page.locator(".ap-row")
	assert rows.count() == 10
	page.screenshot(path=str(ARTIFACTS / "register-before.png"), full_page=True)
	for i in range(10):
		kind = "late" if i == 0 else ("absent" if i == 1 else "present")
		rows.nth(i).locator(f'button[data-kind="{kind}"]').tap()
		if kind == "late":
			rows.nth(i).locator(".ap-minutes").fill("5")
		if kind == "absent":
			rows.nth(i).locator(".ap-reason").select_option("I")
	page.locator("#ap-save").tap()
	page.wait_for_selector('#ap-message[data-saved="1"]', timeout=30000)
	assert "10" in page.locator("#ap-message").inner_text()
	page.screenshot(path=str(ARTIFACTS / "register-saved.png"), full_page=True)

	frappe.db.rollback()  # read what the server committed
	saved = frappe.get_all(
		"AP Attendance",
		filters={"placement": ("in", placements), "attendance_date": day, "session": "AM"},
		fields=["mark", "minutes_late", "reported_by"],
	)
	assert len(saved) == 10
	assert sorted(m.mark for m in saved) == sorted(["L", "I"] + ["/"] * 8)
	assert {m.reported_by for m in saved} == {world.users["provider_4"]}

	page.reload()  # the saved marks come back selected
	assert page.locator(".ap-marks button.selected").count() == 10
	page.goto(f"{base_url}/ap")
	page.screenshot(path=str(ARTIFACTS / "portal-home.png"), full_page=True)
	context.close()


def test_two_taps_on_save_log_make_one_contact_log_and_a_new_log_is_a_new_record(world, base_url, browser):
	"""The pupil page's form sends the token it was rendered with: two taps that both reach the server
	(the button re-enabled between them, as a slow phone or a second tab would) make one Contact Log; an
	edit after the save takes a new token, so the next log is a record of its own."""
	context = browser.new_context(**PHONE)
	page = context.new_page()
	page.goto(f"{base_url}/login")
	page.fill("#login_email", world.users["provider_1"])
	page.fill("#login_password", world.password)
	page.click(".btn-login")
	page.wait_for_url(lambda url: "/login" not in url, timeout=30000)
	page.goto(f"{base_url}/ap/pupil?placement={world.pa1}")
	form = page.locator("#ap-log")
	form.locator('textarea[name="summary"]').fill("Browser double tap")
	page.evaluate(
		"""() => { const b = document.querySelector('#ap-log .ap-save'); b.click(); b.disabled = false; b.click(); }"""
	)
	message = form.locator(".ap-message")
	message.filter(has_text="Saved").wait_for(timeout=30000)
	page.wait_for_load_state("networkidle")
	form.locator('textarea[name="summary"]').fill("Browser second log")
	form.locator(".ap-save").tap()
	page.wait_for_function(
		"""() => document.querySelector('#ap-log .ap-message').textContent.includes('Saved')
			&& !document.querySelector('#ap-log .ap-save').disabled""",
		timeout=30000,
	)
	page.wait_for_load_state("networkidle")
	context.close()
	frappe.db.rollback()  # read what the server committed
	logs = frappe.get_all(
		"Contact Log",
		filters={"placement": world.pa1, "summary": ("like", "Browser %")},
		fields=["name", "summary"],
	)
	try:
		assert sorted(log.summary for log in logs) == ["Browser double tap", "Browser second log"]
	finally:
		names = [log.name for log in logs]
		frappe.db.delete("AP Submission", {"reference_name": ("in", names)})
		frappe.db.delete("Version", {"ref_doctype": "Contact Log", "docname": ("in", names)})
		frappe.db.delete("Contact Log", {"name": ("in", names)})
		frappe.db.commit()
