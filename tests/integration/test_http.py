"""Row-level isolation over real HTTP requests: REST, reportview, link search, guest."""

import pytest


def get(session, path, **params):
	return session.get(session.base + path, params=params, timeout=30)


def listed(session, doctype, **params):
	r = get(session, f"/api/resource/{doctype}", limit_page_length=0, **params)
	assert r.status_code == 200, r.text
	return {row["name"] for row in r.json()["data"]}


def test_school_lead_lists_only_own_school(world, http):
	lead = http("ap_lead_a")
	assert listed(lead, "Placement") == {world.pa1, world.pa2}
	assert not listed(lead, "Pupil") & {world.pupil_b1, world.pupil_b2}


def test_school_lead_gets_403_for_the_other_school(world, http):
	lead = http("ap_lead_a")
	for doctype, name in (("Placement", world.pb1), ("Pupil", world.pupil_b1), ("School", world.school_b)):
		assert get(lead, f"/api/resource/{doctype}/{name}").status_code == 403, doctype
	assert get(lead, f"/api/resource/Placement/{world.pa1}").status_code == 200


def test_other_school_lead_sees_the_mirror_image(world, http):
	lead = http("ap_lead_b")
	assert listed(lead, "Placement") == {world.pb1, world.pb2}
	assert get(lead, f"/api/resource/Placement/{world.pa1}").status_code == 403


def test_welfare_facts_are_the_dsls_and_not_the_ap_leads(world, http):
	lead_view = get(http("ap_lead_a"), f"/api/resource/Pupil/{world.pupil_a1}").json()["data"]
	assert lead_view["full_name"] and "looked_after" not in lead_view and "sen_status" not in lead_view
	assert get(http("ap_lead_a"), f"/api/resource/Pupil Welfare/{world.pupil_a1}").status_code == 403
	dsl_view = get(http("dsl_a"), f"/api/resource/Pupil Welfare/{world.pupil_a1}").json()["data"]
	assert dsl_view["looked_after"] == 1 and dsl_view["sen_status"] == "K"


def test_reportview_and_link_search_are_scoped(world, http):
	lead = http("ap_lead_a")
	r = lead.post(
		lead.base + "/api/method/frappe.desk.reportview.get",
		data={"doctype": "Placement", "fields": '["`tabPlacement`.`name`"]', "limit_page_length": 0},
		timeout=30,
	)
	assert r.ok, r.text
	values = r.json()["message"]["values"]
	assert {row[0] for row in values} == {world.pa1, world.pa2}
	r = lead.get(
		lead.base + "/api/method/frappe.desk.search.search_link",
		params={"doctype": "Pupil", "txt": "Test Pupil", "page_length": 100},
		timeout=30,
	)
	assert r.ok, r.text
	found = {row["value"] for row in r.json().get("message", r.json().get("results", []))}
	assert world.pupil_a1 in found and world.pupil_b1 not in found


def test_provider_user_reaches_only_own_provider(world, http):
	provider = http("provider_1")
	assert listed(provider, "Placement") == {world.pa1, world.pb1}
	assert get(provider, f"/api/resource/Placement/{world.pa2}").status_code == 403
	assert get(provider, f"/api/resource/AP Provider/{world.p2}").status_code == 403
	assert get(provider, f"/api/resource/Pupil/{world.pupil_a1}").status_code == 403


def test_frappe_client_get_is_scoped(world, http):
	provider = http("provider_1")
	r = provider.get(
		provider.base + "/api/method/frappe.client.get",
		params={"doctype": "Placement", "name": world.pa2},
		timeout=30,
	)
	assert r.status_code == 403


@pytest.mark.parametrize("doctype", ["Placement", "Pupil", "AP Attendance", "AP Provider", "Contact Log"])
def test_guest_gets_nothing(world, http, doctype):
	guest = http(None)
	assert get(guest, f"/api/resource/{doctype}").status_code == 403


def test_chart_sources_answer_the_widgets_post_scoped(world, http):
	"""What Frappe's chart widget posts to a Custom chart source (name, filters, dates, timespan…) is
	accepted and ignored; the figures are the viewer's own school's."""
	s = http("ap_lead_a")
	posted = {
		"chart_name": "AP Placements by Provider",
		"filters": "{}",
		"refresh": 1,
		"from_date": None,
		"to_date": None,
		"timespan": "Last Year",
		"time_interval": "Weekly",
		"heatmap_year": None,
	}
	answers = {}
	for method in ("placements_by_provider", "placements_by_reason", "attendance_rate"):
		r = s.post(f"{s.base}/api/method/ap_framework.oversight.cards.{method}", json=posted, timeout=30)
		assert r.ok, (method, r.text)
		answers[method] = r.json()["message"]
	by_provider = dict(
		zip(
			answers["placements_by_provider"]["labels"],
			answers["placements_by_provider"]["datasets"][0]["values"],
			strict=True,
		)
	)
	assert by_provider == {world.p1: 1, world.p2: 1}  # school A's two placements, not school B's
	assert len(answers["attendance_rate"]["labels"]) == 13
