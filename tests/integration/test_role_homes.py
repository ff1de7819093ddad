"""Every role lands on its own home in the desk, and everything on it opens for that role.

In headless Chromium (Playwright) at a laptop width (1440 px) and a phone's (390 px): sign in through the
login page, land, then open every number card, shortcut and record link on the home. Any HTTP 4xx/5xx,
"Not permitted" (or any other) dialog or page error fails the test; screenshots of each home are kept
in AP_ARTIFACTS. The checks that need no browser (where the login sends each role, the school a report
opens on, the governors' figures) are plain HTTP / site calls beside it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import frappe
import pytest

from ap_framework.rules import homes
from tests.integration.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Playwright fixture)
from tests.integration.test_browser_desk import on_page_error, on_response

APP = Path(__file__).resolve().parents[2] / "ap_framework"
# world.users key -> the home it must land on (each role of rules/homes.py, one user each)
ROLE_USERS = {
	"admin": "Alternative Provision",
	"qa": "AP Quality Assurance",
	"ap_lead_a": "AP School",
	"dsl_a": "AP School",
	"senior_a": "AP School",
	"governor_a": "AP Governors",
}
WIDTHS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
REPORTS_WITH_SCHOOL = [p for p in APP.glob("*/report/*/*.js") if 'fieldname: "school"' in p.read_text()]
IDLE = "() => window.jQuery && jQuery.active === 0 && !document.querySelector('.number-card-loading')"


# ---- where the login sends each role; what the homes answer (no browser) --------------------------
@pytest.mark.parametrize("key", sorted(ROLE_USERS))
def test_the_login_sends_each_role_to_its_home(world, base_url, key):
	import requests

	s = requests.Session()
	r = s.post(
		f"{base_url}/api/method/login", data={"usr": world.users[key], "pwd": world.password}, timeout=60
	)
	assert r.ok, r.text
	landing = "/" + r.json()["home_page"].strip("/")
	assert landing == f"/app/{homes.slug(ROLE_USERS[key])}", (key, landing)
	# the home opens for them, with nothing on it they cannot read (Frappe filters what they may not)
	page = s.get(
		f"{base_url}/api/method/frappe.desk.desktop.get_desktop_page",
		params={"page": json.dumps({"name": ROLE_USERS[key], "title": ROLE_USERS[key], "public": 1})},
		timeout=60,
	)
	assert page.ok, page.text[:300]
	# and nobody's default workspace is anything but their role's home
	assert frappe.db.get_value("User", world.users[key], "default_workspace") == ROLE_USERS[key]


def test_a_users_home_follows_their_role_unless_they_chose_another(world):
	from ap_framework.oversight.homes import assign_homes, set_default_workspace

	doc = frappe.new_doc("User")
	doc.append("roles", {"role": "Governor"})
	set_default_workspace(doc)
	assert doc.default_workspace == "AP Governors"
	doc.default_workspace = "AP School"  # one of ours their roles no longer open
	set_default_workspace(doc)
	assert doc.default_workspace == "AP Governors"
	doc.default_workspace = "Users"  # chosen by the user: theirs
	set_default_workspace(doc)
	assert doc.default_workspace == "Users"
	doc.default_workspace, doc.roles = "AP Governors", []
	set_default_workspace(doc)
	assert not doc.default_workspace
	# users made before the homes: migrate gives them theirs (rolled back after the test)
	frappe.db.set_value("User", world.users["senior_a"], "default_workspace", None)
	frappe.db.set_value("User", world.users["admin"], "default_workspace", None)
	assign_homes()
	assert frappe.db.get_value("User", world.users["senior_a"], "default_workspace") == "AP School"
	assert frappe.db.get_value("User", world.users["admin"], "default_workspace") == "Alternative Provision"


@pytest.mark.parametrize("key", sorted(ROLE_USERS))
def test_each_role_is_offered_its_own_home_and_no_other(world, http, base_url, key):
	"""The desk offers (and opens) only the workspaces whose roles the user holds: of the app's homes, a
	user sees their role's one; another role's home would open on "Not permitted"."""
	r = http(key).get(f"{base_url}/api/method/frappe.desk.desktop.get_workspace_sidebar_items", timeout=60)
	assert r.ok, r.text[:300]
	offered = {p["name"] for p in r.json()["message"]["pages"]} & set(homes.HOMES)
	assert offered == {ROLE_USERS[key]}, (key, offered)


def test_a_schools_home_shows_no_figure_about_the_las_catalogue(world, http, base_url):
	home = (
		http("ap_lead_a")
		.get(
			f"{base_url}/api/method/frappe.desk.desktop.get_desktop_page",
			params={"page": json.dumps({"name": "AP School", "title": "AP School", "public": 1})},
			timeout=60,
		)
		.json()["message"]
	)
	cards = {c["number_card_name"] for c in home["number_cards"]["items"]}
	assert "AP Providers Not Approved" not in cards  # the LA's catalogue, not the school's
	assert {"AP Registers Outstanding", "AP Reviews Overdue", "AP Pupils in AP Today"} <= cards


@pytest.mark.parametrize(
	"key, expected", [("governor_a", "a"), ("ap_lead_a", "a"), ("dsl_b", "b"), ("admin", None), ("qa", None)]
)
def test_reports_open_on_the_users_own_school(world, base_url, key, expected):
	"""The desk's boot names the user's school (every school filter's default); an LA user's names none."""
	import requests

	s = requests.Session()  # of its own: loading the desk gives a session a CSRF token the others lack
	r = s.post(
		f"{base_url}/api/method/login", data={"usr": world.users[key], "pwd": world.password}, timeout=60
	)
	assert r.ok, r.text
	html = s.get(f"{base_url}/app/{homes.slug(ROLE_USERS.get(key, 'AP School'))}", timeout=60).text
	found = re.search(r'"ap_own_school":\s*("[^"]*"|null)', html)
	assert found, "the boot carries no ap_own_school"
	school = {"a": world.school_a, "b": world.school_b, None: None}[expected]
	assert json.loads(found.group(1)) == school
	for report in REPORTS_WITH_SCHOOL:
		assert "default: frappe.boot.ap_own_school" in report.read_text(), report.name


def test_the_governors_figures_are_their_schools_and_name_no_pupil(world, http, base_url):
	s = http("governor_a")
	figures = {}
	for card in ("governors_placements", "governors_attendance", "governors_reintegrated"):
		r = s.post(f"{base_url}/api/method/ap_framework.oversight.cards.{card}", timeout=60)
		assert r.ok, r.text
		figures[card] = r.json()["message"]
	assert figures["governors_placements"]["value"] == 2  # school A's two live placements, not B's
	for answer in figures.values():
		assert answer["route"] == ["query-report", "AP Governors Report"]
		assert answer["route_options"] == {"school": world.school_a}
	names = frappe.get_all("Pupil", filters={"school": world.school_a}, fields=["name", "full_name", "upn"])
	text = json.dumps(figures)
	assert not any(p.name in text or p.full_name in text or p.upn in text for p in names)


# ---- in the browser ----------------------------------------------------------------------------
def _watch(page, errors, la_user: bool):
	def page_error(error):
		# Frappe's query report throws "Filter missing" when it opens with a mandatory filter empty and
		# shows "Please set filters". An LA user chooses the school of a one-school report (and anyone the
		# pupil of a one-pupil report); a user of one school never should, so for them it counts.
		if la_user and str(error) == "Filter missing":
			return
		on_page_error(errors, error)

	page.on("pageerror", page_error)
	page.on("response", lambda r: on_response(errors, r))


def _settle(page):
	page.wait_for_function(IDLE, timeout=60000)
	page.wait_for_timeout(300)


def _dialogs(page) -> list[str]:
	return [d.inner_text()[:200] for d in page.locator(".modal.show, .modal.in").all() if d.is_visible()]


def _home_items(page) -> dict:
	"""What the rendered home offers: shortcuts (label, type, url), number cards, record links."""
	return page.evaluate(
		"""() => ({
			shortcuts: (frappe.workspace.page_data.shortcuts.items || []).map(
				(s) => ({label: s.label, type: s.type, url: s.url || ""})),
			cards: [...document.querySelectorAll('.number-widget-box')].filter((w) => w.offsetParent)
				.map((w) => w.dataset.widgetName),
			links: [...document.querySelectorAll('.links-widget-box a.link-item')].filter((a) => a.offsetParent)
				.map(
				(a) => a.getAttribute('href')),
			shown: [...document.querySelectorAll('.shortcut-widget-box')].filter((w) => w.offsetParent)
				.map((w) => w.getAttribute('aria-label')),
		})"""
	)


def _go_home(page, slug):
	page.evaluate(f"() => frappe.set_route('{slug}')")
	page.wait_for_selector(".shortcut-widget-box >> visible=true", timeout=60000)
	_settle(page)


def _open(page, selector):
	"""Click what `selector` finds on the home and wait until the desk has left the home for it."""
	before = page.evaluate("() => location.pathname")
	page.locator(f"{selector} >> visible=true").first.click()
	page.wait_for_function("(p) => location.pathname !== p", arg=before, timeout=60000)
	page.wait_for_selector(".page-container:visible .page-title", timeout=60000)
	_settle(page)


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("key", sorted(ROLE_USERS))
def test_each_role_lands_on_its_home_and_everything_on_it_opens(world, base_url, browser, key, width):  # noqa: F811
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	home = ROLE_USERS[key]
	slug = homes.slug(home)
	options = {"viewport": WIDTHS[width], **(PHONE if width == "phone" else {})}
	context = browser.new_context(**options)
	page = context.new_page()
	errors: list[str] = []
	_watch(page, errors, la_user=key in ("admin", "qa"))
	opened = []
	try:
		page.goto(f"{base_url}/login")
		page.fill("#login_email", world.users[key])
		page.fill("#login_password", world.password)
		page.click(".btn-login")
		page.wait_for_url(re.compile(rf"/(app|desk)/{slug}(\?|#|$)"), timeout=60000)
		# the desk's first boot clears its cache and draws the home again: wait until it has done so
		page.wait_for_load_state("networkidle", timeout=60000)
		page.wait_for_selector(".shortcut-widget-box >> visible=true", timeout=60000)
		_settle(page)
		assert not _dialogs(page), _dialogs(page)
		page.screenshot(path=str(ARTIFACTS / f"home-{slug}-{key}-{width}.png"), full_page=True)
		items = _home_items(page)
		assert items["shortcuts"], "nothing on the home"
		assert sorted(items["shown"]) == sorted(s["label"] for s in items["shortcuts"])
		for card in items["cards"]:
			_go_home(page, slug)
			page.locator(
				f'.number-widget-box[data-widget-name="{card}"] .widget-body >> visible=true'
			).click()
			_settle(page)
			opened.append(f"card {card} -> {page.url}")
			assert not _dialogs(page), (card, _dialogs(page))
		for shortcut in items["shortcuts"]:
			if shortcut["type"] == "URL":  # a file (a PDF): fetched with the user's cookies
				r = context.request.get(base_url + shortcut["url"], timeout=180000)
				assert r.status < 400, (shortcut, r.status)
				opened.append(f"url {shortcut['label']} -> {r.status}")
				continue
			_go_home(page, slug)
			_open(page, f'.shortcut-widget-box[aria-label="{shortcut["label"]}"]')
			opened.append(f"shortcut {shortcut['label']} -> {page.url}")
			assert not _dialogs(page), (shortcut["label"], _dialogs(page))
			if key == "governor_a" and shortcut["label"] == "Governors Report":
				# the Governor's report opens on their school and shows its figures
				page.wait_for_function(
					"(s) => frappe.query_report && frappe.query_report.get_filter_value('school') === s",
					arg=world.school_a,
					timeout=60000,
				)
				page.wait_for_selector(".dt-row .dt-cell__content", timeout=60000)
				_settle(page)
				assert "Please set filters" not in page.locator(".page-container:visible").inner_text()
				page.screenshot(path=str(ARTIFACTS / f"governors-report-{width}.png"), full_page=True)
		for href in items["links"]:
			_go_home(page, slug)
			_open(page, f'.links-widget-box a.link-item[href="{href}"]')
			opened.append(f"link {href} -> {page.url}")
			assert not _dialogs(page), (href, _dialogs(page))
	finally:
		if errors or _dialogs(page):  # kept beside the screenshots: what failed, and what had opened
			page.screenshot(path=str(ARTIFACTS / f"home-{slug}-{key}-{width}-failed.png"), full_page=True)
			(ARTIFACTS / f"home-{slug}-{key}-{width}-failed.txt").write_text(
				"\n".join([*errors, *_dialogs(page), "-- opened:", *opened])
			)
		context.close()
		frappe.db.rollback()
	assert not errors, (errors[:5], opened[-3:])
