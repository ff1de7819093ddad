"""An LA onboarded in an afternoon, in the desk, as its AP Administrator, in headless Chromium: the GIAS
extract imported into Schools and AP Providers, then the placement template downloaded, filled in and
imported through Frappe's Data Import, one placement refused with its row number and reason. Each step
is screenshotted into AP_ARTIFACTS (docs/onboarding/ holds a copy of the set).

Committed throughout (the browser talks to another process, and Data Import runs as a background job: the
one job it queues is run as a worker would, see run_queued_job); what it made is removed at the end."""

from __future__ import annotations

import csv
import io
import random

import frappe
import pytest

from tests import gias_file
from tests.integration.conftest import run_queued_job
from tests.integration.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Playwright fixture)
from tests.integration.test_data_import_access import rows_for
from tests.integration.world import World

LAS = "873, 874"


def shot(page, name: str):
	page.wait_for_timeout(800)  # let the form settle
	page.evaluate("() => window.scrollTo(0, 0)")  # the desk's sticky bar at the top of the full page
	page.screenshot(path=str(ARTIFACTS / f"onboarding-{name}.png"), full_page=True)


def log_in(browser, base_url, world):  # noqa: F811
	context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
	page = context.new_page()
	page.refused = []  # what the server refused, to say why a step timed out
	page.on(
		"response",
		lambda r: (
			r.status >= 400 and page.refused.append(f"{r.status} {r.url} {r.request.post_data or ''}"[:300])
		),
	)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", world.users["admin"])
	page.fill("#login_password", world.password)
	page.click(".btn-login")
	page.wait_for_url(lambda url: "/login" not in url, timeout=30000)
	page.wait_for_load_state("networkidle")
	return context, page


def attach(page, fieldname: str, path):
	"""The Attach field's own dialog: Attach, choose the file, Upload."""
	page.locator(f'.frappe-control[data-fieldname="{fieldname}"] button:has-text("Attach")').first.click()
	dialog = page.locator(".modal.show .file-uploader").first
	dialog.wait_for(timeout=30000)
	page.locator('.modal.show input[type="file"]').first.set_input_files(str(path))
	page.locator(".modal.show .btn-modal-primary:has-text('Upload')").first.click()
	page.wait_for_function(
		f"() => cur_frm && cur_frm.doc.{fieldname} && !document.querySelector('.modal.show .file-uploader')",
		timeout=60000,
	)


SETTLED = (
	"() => cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty() && !frappe.ui.form.is_saving"
	" && !frappe.request.ajax_count"
)


def save(page):
	page.keyboard.press("Control+s")
	page.wait_for_function(SETTLED, timeout=60000)


def settled(page):
	"""The desk saves a saved form itself once a file is attached. Saving it again while that save's
	refresh is still running (its preview is fetched afterwards) leaves Data Import's form without its
	Start Import button, so wait for the desk's own save and everything it fetched."""
	page.wait_for_function(SETTLED, timeout=60000)
	page.wait_for_timeout(500)
	page.wait_for_function(SETTLED, timeout=60000)


@pytest.fixture
def onboarding(world, tmp_path):
	"""Three pupils of the test world's schools to place, the GIAS rows' URNs, and the removal of all
	the test made (committed) afterwards, whatever happened."""
	frappe.set_user("Administrator")
	pupils = [world.pupil(s) for s in (world.school_a, world.school_b, world.school_a)]
	scheduler = frappe.db.get_single_value("System Settings", "enable_scheduler")
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)  # Data Import refuses without
	frappe.db.commit()
	base = random.randint(9_400_000, 9_800_000)
	out = frappe._dict(pupils=pupils, base=base, urns=[str(base + i) for i in range(12)], dir=tmp_path)
	yield out
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.db.set_single_value("System Settings", "enable_scheduler", scheduler)
	imports = frappe.get_all("Data Import", filters={"owner": world.users["admin"]}, pluck="name")
	gias = frappe.get_all("GIAS Import", filters={"owner": world.users["admin"]}, pluck="name")
	for name in imports:
		frappe.db.delete("Data Import Log", {"data_import": name})
	files = frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": ("in", ["Data Import", "GIAS Import"]),
			"owner": world.users["admin"],
		},
		pluck="name",
	)
	World._delete("Placement", {"pupil": ("in", pupils)})
	World._delete("Pupil Welfare", {"pupil": ("in", pupils)})
	World._delete("Pupil", {"name": ("in", pupils)})
	World._delete("AP Provider", {"urn": ("in", out.urns)})
	World._delete("School", {"urn": ("in", out.urns)})
	for child in ("GIAS Import Rejection", "GIAS Import Kept Edit"):
		frappe.db.delete(child, {"parent": ("in", gias or [""])})
	frappe.db.delete("GIAS Import", {"name": ("in", gias or [""])})
	frappe.db.delete("Data Import", {"name": ("in", imports or [""])})
	for name in files:
		frappe.delete_doc("File", name, force=True, ignore_permissions=True)  # and from disk
	frappe.db.commit()


def gias_records(base: int) -> list[dict]:
	"""An LA's slice of the extract: schools, a PRU and an AP academy, a closed school, another LA's
	school, and two rows the import rejects (a URN with a letter, a PRU's UKPRN too short)."""
	r = gias_file.record
	return [
		r(base + 1, "873", EstablishmentName="Brampton Village Primary School"),
		r(base + 2, "873", "Academy converter", EstablishmentName="St Mary\u2019s Church of England Academy"),
		r(base + 3, "874", EstablishmentName="Hartford Junior School"),
		r(base + 4, "873", "Pupil referral unit", EstablishmentName="Fenland Pupil Referral Unit"),
		r(base + 5, "874", "Academy alternative provision converter", EstablishmentName="Nene AP Academy"),
		r(base + 6, "873", EstablishmentName="Old Mill School", status="Closed"),
		r(base + 7, "881", EstablishmentName="An Essex School"),
		r(f"{base + 8}X", "873", EstablishmentName="A Mistyped URN"),
		r(base + 9, "874", "Pupil referral unit", EstablishmentName="Short UKPRN PRU", UKPRN="99"),
	]


def test_an_la_is_onboarded_in_the_desk(world, base_url, browser, onboarding):  # noqa: F811
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	gias_path = gias_file.write(onboarding.dir / "edubasealldata20250109.csv", gias_records(onboarding.base))
	context, page = log_in(browser, base_url, world)
	try:
		# ---- 1. GIAS Import: attach the extract, choose the LA codes, Start, read the summary -------
		page.goto(f"{base_url}/app/gias-import/new")
		page.wait_for_selector('.frappe-control[data-fieldname="la_codes"] textarea', timeout=60000)
		page.locator('.frappe-control[data-fieldname="la_codes"] textarea').fill(LAS)
		page.keyboard.press("Tab")  # the control takes the value on change
		page.wait_for_function("() => cur_frm.doc.la_codes", timeout=30000)
		attach(page, "import_file", gias_path)
		settled(page)
		shot(page, "1-gias-file-and-la-codes")
		page.get_by_role("button", name="Start", exact=True).click()
		page.wait_for_function("() => cur_frm && cur_frm.doc.status === 'Completed'", timeout=120000)
		page.locator(".section-head", has_text="Rejected Rows").first.click()  # open the rejected rows
		page.locator('.frappe-control[data-fieldname="rejections"] .grid-row').first.wait_for(timeout=30000)
		shot(page, "2-gias-summary")
		summary = page.evaluate(
			"() => ['created_count', 'updated_count', 'unchanged_count', 'closed_count', 'rejected_count']"
			".map(f => cur_frm.doc[f])"
		)
		assert summary[0] == 5 and summary[4] == 2, summary
		assert page.locator('.frappe-control[data-fieldname="rejections"]').inner_text().count("\n") > 0

		# ---- 2. the placement template, from the workspace's shortcut -------------------------------
		page.goto(f"{base_url}/app/alternative-provision")
		page.get_by_text("Template: Placements and Timetables").first.wait_for(timeout=60000)
		page.get_by_text("Import a Spreadsheet").first.scroll_into_view_if_needed()
		shot(page, "3-workspace-import-shortcuts")
		template = page.request.get(
			f"{base_url}/api/method/ap_framework.setup.templates.download?template=placements"
		)
		assert template.ok, template.status
		header = next(csv.reader(io.StringIO(template.text())))
		sheet_path = onboarding.dir / "placements.csv"
		sheet_path.write_text(filled(header, world, onboarding.pupils))

		# ---- 3. Data Import: Insert New Records into Placement, attach, Start Import ----------------
		page.goto(f"{base_url}/app/data-import/new")
		page.wait_for_selector('.frappe-control[data-fieldname="reference_doctype"] input', timeout=60000)
		link = page.locator('.frappe-control[data-fieldname="reference_doctype"] input')
		link.fill("Placement")
		page.wait_for_timeout(1000)
		page.evaluate("() => cur_frm.set_value('reference_doctype', 'Placement')")  # the exact match
		page.wait_for_function("() => cur_frm.doc.reference_doctype === 'Placement'", timeout=30000)
		page.locator('.frappe-control[data-fieldname="import_type"] select').select_option(
			"Insert New Records"
		)
		shot(page, "4-data-import-placement")
		save(page)
		attach(page, "import_file", sheet_path)
		settled(page)
		page.get_by_role("button", name="Start Import").wait_for(timeout=60000)
		shot(page, "5-data-import-preview")
		with page.expect_response(lambda r: "form_start_import" in r.url, timeout=60000) as started:
			page.get_by_role("button", name="Start Import").click()
		assert started.value.ok, started.value.text()[:2000]  # answered once the job is queued
		name = page.evaluate("() => cur_frm.doc.name")
		run_queued_job(f"data_import::{name}")  # the job id Data Import gives it
		page.reload()
		page.wait_for_function("() => cur_frm && cur_frm.doc.status === 'Partial Success'", timeout=60000)
		log = page.locator('.frappe-control[data-fieldname="import_log_preview"]')
		log.get_by_text("Placement Type").first.wait_for(timeout=60000)
		shot(page, "6-data-import-log")
		text = log.inner_text()
		assert "12" in text and "Placement Type" in text, text
	except Exception as e:
		raise AssertionError(f"{e}\nrefused: {page.refused}") from e
	finally:
		page.screenshot(path=str(ARTIFACTS / "onboarding-last.png"), full_page=True)
		context.close()
	frappe.db.rollback()
	placed = frappe.get_all(
		"Placement", filters={"pupil": ("in", onboarding.pupils)}, fields=["pupil", "owner", "status"]
	)
	assert sorted(p.pupil for p in placed) == sorted(onboarding.pupils[:2])
	assert {(p.owner, p.status) for p in placed} == {(world.users["admin"], "Draft")}
	schools = frappe.get_all("School", filters={"urn": ("in", onboarding.urns)}, pluck="urn")
	providers = frappe.get_all("AP Provider", filters={"urn": ("in", onboarding.urns)}, pluck="urn")
	assert len(schools) == 3 and len(providers) == 2, (schools, providers)


def filled(header: list[str], world, pupils) -> str:
	"""The template filled in (test_data_import_access.rows_for), in the template's own columns."""
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	writer.writerow(header)
	writer.writerows([[r.get(c, "") for c in header] for r in rows_for(world, pupils)])
	return out.getvalue()
