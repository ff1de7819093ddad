"""A national dataset for the benchmarks (benchmark data, not demo data).

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/national.py \
		[--placements 50000] [--schools 3000] [--providers 1500] [--seed 15] [--plan-only] [--drop]

About 50,000 placements over 3,000 schools and 1,500 providers, as an LA-wide (national) service would
hold them: schools of very different sizes (a few heavy users of AP, a long tail), a few large PRUs and AP
academies and a long tail of small unregistered settings, mostly near the school; placements in every
workflow state, full-time and part-time timetables (mornings only, afternoons only, full days, short
days, split weeks); two terms of registers at two sessions a day (mostly present, some late, absent or
unexplained, some sessions never marked, some registers reported after the deadline); about 200,000
domain assessments (a baseline, then about every three to four weeks, and check-ins after a return to school);
plans agreed with four parties and reviewed every six weeks; visits, calls and attendance follow-ups;
risk assessments reviewed every twelve weeks; reintegration plans; safeguarding assurances and QA audits
for the providers; staff users for every school and a portal user for every provider.

How it is built:
- Set-based: rows are planned in Python and written with multi-row INSERT IGNORE statements, a
  transaction per batch of pupils. (frappe.db.bulk_insert builds the same statement through pypika at
  about 6,000 rows a second on a 2-core machine; escaping the values with the driver's own escape is
  about seven times faster, and millions of registers make that the difference between minutes and an
  hour.)
- Repeatable: each school, provider, pupil and placement draws from its own random stream, seeded by
  (seed, kind, number), so the same seed gives the same data, and the k-th pupil is the same whatever
  size is asked for: 10,000 placements are the first fifth of 50,000, and topping one up to the other
  adds exactly the rest.
- Idempotent by name: every record is named NAT-... (users nat-...@ap-national.example.com); a second
  run skips the pupils already there (their batch was committed whole) and INSERT IGNORE on the primary
  key and AP Attendance's unique mark makes a duplicate impossible. `--drop` removes it all, set-based.
- One anchor: the data is dated from the latest school day at 14:00 (site time) on or before the first
  run, kept in the site's defaults with the seed, so a top-up days later continues the same story. The
  benchmarks run the jobs as at that moment.
- Consistent with the controllers: derived fields come from the app's own rules (timetable.covers with
  the site's session windows, school_sessions_per_week, hours_per_week, is_part_time, home_school_code,
  the census identifiers, costing.planned, plan.next_review, reintegration.monitoring_end, the
  registration test through provision.registration.refresh), and every record is checked against the
  rules its controller applies (timetable clashes across a pupil's placements, approval gaps, census
  items, part-time safeguards, marks, dates, scores, plans, reviews, risk, contacts, QA audits) before it
  is written: a generator bug stops the run naming the record; it never writes a row the app would refuse.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from _common import connect, frappe

PREFIX = "NAT-"
EMAIL_DOMAIN = "ap-national.example.com"
ANCHOR_KEY = "ap_national_dataset"  # site default: "seed|anchor|schools|providers"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MON_FRI = WEEKDAYS[:5]
BATCH = 400  # pupils per transaction
STATEMENT_BYTES = 2_000_000  # one multi-row INSERT (max_allowed_packet is 16 MB by default)

# The DocTypes it fills, in the order they are written (and removed in reverse).
DOCTYPES = (
	"User",
	"Has Role",
	"User Permission",
	"School",
	"AP Provider",
	"AP Provider Contact",
	"Safeguarding Assurance",
	"Provider Policy",
	"QA Audit",
	"QA Audit Item",
	"QA Audit Action",
	"Pupil",
	"Pupil Contact",
	"Pupil Welfare",
	"Placement",
	"Placement Session",
	"Placement Funding",
	"AP Attendance",
	"Domain Assessment",
	"Domain Assessment Score",
	"Pupil Plan",
	"Plan Objective",
	"Plan Review",
	"Plan Review Attendee",
	"Plan Review Progress",
	"Review Input",
	"Contact Log",
	"Risk Assessment",
	"Reintegration Plan",
	"Reintegration Stage",
	"Safeguarding Concern",
)

FIRST = (
	"Aaliyah Aaron Abdul Adam Aiden Aisha Alfie Amara Amelia Amir Archie Arlo Ava Bella Ben Billy Bobby "
	"Callum Charlie Chloe Cody Connor Daisy Dana Daniel Darcy Dylan Eden Eli Ella Ellie Emily Ethan Evie "
	"Faith Finley Freddie Freya George Grace Gus Hana Harley Harry Harvey Hassan Isaac Isla Ivy Jack Jacob "
	"Jade Jake Jamal Jayden Jessica Joel Josh Kai Kayden Keira Kian Lacey Layla Leo Lewis Lexi Liam Lily "
	"Lola Louie Luca Lucy Mason Maya Mia Milo Mohammed Muhammad Nia Noah Olivia Ollie Omar Oscar Owen "
	"Paige Poppy Priya Quinn Reggie Rhys Riley Rosie Ruby Ryan Sana Sienna Sofia Summer Taylor Teddy Theo "
	"Tyler Uma Vince Willow Xander Yara Yusuf Zac Zara"
).split()
LAST = (
	"Adams Ahmed Ali Allen Armstrong Atkinson Bailey Baker Begum Bell Bennett Brown Butler Campbell Carter "
	"Chapman Clarke Cole Collins Cook Cooper Cox Davies Dixon Edwards Ellis Evans Fisher Fox Gray Green "
	"Griffiths Hall Harris Harrison Hill Holmes Hughes Hussain Iqbal Jackson James Jenkins Johnson Jones "
	"Kaur Kelly Khan King Knight Lee Lewis Lloyd Marshall Martin Mason Mensah Miah Mills Mitchell Moore "
	"Morgan Morris Murphy Nowak Okafor O'Brien O'Connor Owen Palmer Parker Patel Phillips Powell Price "
	"Quayle Rahman Reid Richards Roberts Robinson Rogers Russell Scott Shaw Singh Smith Stevens Taylor "
	"Thomas Thompson Turner Usman Vaughan Walker Ward Watson White Williams Wilson Wood Wright Young"
).split()
TOWNS = (
	"Ashford Barnsley Bedford Blackburn Bolton Bradford Bristol Burnley Bury Cambridge Carlisle Chester "
	"Colchester Coventry Crawley Darlington Derby Doncaster Dudley Durham Exeter Gateshead Gloucester "
	"Grimsby Halifax Harlow Hastings Hereford Huddersfield Hull Ipswich Keighley Kendal Leeds Leicester "
	"Lincoln Liverpool Luton Maidstone Mansfield Middlesbrough Milton Newark Northampton Norwich Nottingham "
	"Oldham Oxford Peterborough Plymouth Portsmouth Preston Reading Redditch Rochdale Rotherham Salford "
	"Scunthorpe Sheffield Shrewsbury Slough Southampton Stafford Stockport Stoke Sunderland Swindon "
	"Taunton Telford Torquay Truro Wakefield Walsall Warrington Watford Wigan Winchester Wolverhampton "
	"Worcester Worthing York"
).split()
PLACES = (
	"Ash Beech Birch Brook Castle Cedar Church Cliff Elm Field Forest Glen Hazel Heath Hill Holly Lake "
	"Lime Maple Meadow Mill Moor Oak Park Pine River Rose Stone Vale Willow Wood"
).split()
SCHOOL_KINDS = {
	"Secondary": ("Academy", "High School", "School", "Community College", "Secondary School"),
	"Primary": ("Primary School", "Primary Academy", "Junior School", "C of E Primary"),
	"All-through": ("All-through Academy", "School"),
	"Special": ("Special School", "School", "Academy"),
}
PROVIDER_KINDS = {
	"PRU": ("Pupil Referral Unit", "Short Stay School", "Learning Centre"),
	"AP Academy": ("AP Academy", "Alternative Provision Academy"),
	"AP Free School": ("AP Free School",),
	"Special School": ("Special School",),
	"Independent School": ("Independent School", "College"),
	"Non-school AP": (
		"Skills Garage",
		"Farm Project",
		"Boxing Academy",
		"Tuition Centre",
		"Youth Project",
		"Outdoor Learning",
		"Motor Project",
		"Arts Collective",
		"Online Tuition",
		"Horse Therapy",
		"Construction Skills",
		"Hair and Beauty Academy",
	),
}
POSTCODE_AREAS = (
	"B BD BL BN BS CB CV DE DN EX GL HU L LE LS M NE NG NR OX PE PL PO PR S SO ST TS WV YO".split()
)

# Weights of what is drawn (value, weight).
PLACEMENT_TYPES = (
	("Off-site Direction", 52),
	("Dual Registration", 15),
	("LA-arranged", 12),
	("Managed Move Trial", 8),
	("Internal AP Unit", 9),
	("Cross-trust Academy", 4),
)
MAIN_STATUS = (
	("Active", 58),
	("Ended", 17),
	("Approved", 6),
	("Pending Approval", 5),
	("Draft", 5),
	("Rejected", 4),
	("Cancelled", 5),
)
NEXT_STATUS = (("Active", 75), ("Approved", 10), ("Pending Approval", 8), ("Draft", 7))
END_OUTCOMES = (
	("Reintegrated to Home School", 58),
	("Moved to Another School", 10),
	("Specialist Placement", 12),
	("Post-16 Destination", 8),
	("Permanently Excluded", 5),
	("Other", 7),
)
REASONS = (("BEH", 45), ("SUS", 12), ("PEX", 8), ("MED", 15), ("OTH", 12))
SETTING_TYPES = (("OTH", 60), ("OOT", 25), ("WBP", 8), ("NFE", 7))
ABSENCES = (
	("I", 30),
	("O", 22),
	("M", 8),
	("C", 8),
	("U", 6),
	("N", 6),
	("E", 3),
	("G", 3),
	("R", 1),
	("J1", 1),
	("Y1", 1),
	("X", 1),
)
# Timetables: (name, weight, {weekday: [(start, end), ...]})
FULL, MORNING, AFTERNOON, SHORT, LATE_MORNING = (
	("09:00", "15:00"),
	("09:00", "12:00"),
	("13:00", "15:30"),
	("10:00", "14:00"),
	("09:30", "12:30"),
)
TIMETABLES = (
	("full week", 44, {d: [FULL] for d in MON_FRI}),
	("four days", 8, {d: [FULL] for d in MON_FRI[:4]}),
	("three days", 7, {d: [FULL] for d in ("Monday", "Tuesday", "Thursday")}),
	("mornings", 10, {d: [MORNING] for d in MON_FRI}),
	("afternoons", 6, {d: [AFTERNOON] for d in MON_FRI}),
	(
		"three days and two mornings",
		7,
		{**{d: [FULL] for d in MON_FRI[:3]}, "Thursday": [MORNING], "Friday": [MORNING]},
	),
	("short days", 6, {d: [SHORT] for d in MON_FRI}),
	("three late mornings", 4, {d: [LATE_MORNING] for d in ("Monday", "Wednesday", "Friday")}),
	("split days", 4, {d: [("09:00", "12:00"), ("13:00", "15:00")] for d in MON_FRI}),
	("two days", 3, {d: [FULL] for d in ("Tuesday", "Thursday")}),
	("full week and Saturday", 1, {**{d: [FULL] for d in MON_FRI}, "Saturday": [("10:00", "13:00")]}),
)
SPLIT_AM = {d: [MORNING] for d in MON_FRI}
SPLIT_PM = {d: [AFTERNOON] for d in MON_FRI}

RATIONALES = (
	"Needs a smaller setting to rebuild routines and emotional regulation; the home school keeps close oversight.",
	"Repeated suspensions this year; a vocational programme should re-engage them while the school plans the return.",
	"Anxiety has stopped attendance in school; a quiet, staged setting with a key adult is in their best interest.",
	"Medical needs prevent full-time attendance in school; tuition keeps them learning while they recover.",
	"A managed move trial agreed with the family, with support to settle and a review at six weeks.",
	"The EHC plan names a specialist setting; this provision meets the plan while the placement is found.",
)
SUMMARIES = (
	"Observed a maths session; the pupil was engaged and settled.",
	"Met the key worker; attendance and behaviour discussed, targets updated.",
	"Pupil was calm on arrival, worked with the tutor in English and took part in the group activity.",
	"Walked the site with the centre manager; checked the register and the pupil's work folder.",
	"Discussed the pupil's progress against the plan; the next review date was agreed.",
)
FOLLOW_UPS = (
	"Called home after two unexplained absences; parent says the pupil was unwell and will return tomorrow.",
	"Attendance below 90% this month: home visit arranged with the family and transport checked.",
	"Spoke to the pupil and parent about mornings; a taxi pick-up time was changed.",
)
OBJECTIVES = (
	("Use a calm-down plan when upset", "Uses it unprompted three times a week"),
	("Arrive on time every day", "On time on 9 days out of 10 for four weeks"),
	("Work with a group for a whole session", "Stays with the group in three sessions a week"),
	("Ask an adult for help when stuck", "Asks for help rather than leaving the room"),
	("Read aloud in a small group", "Reads a paragraph aloud once a week"),
	("Keep to the taxi routine", "No missed pick-ups for a half term"),
)


# ---- small helpers ----------------------------------------------------------------------------------
def _rng(seed: int, *key) -> random.Random:
	"""A random stream of its own for one entity: the same seed and key give the same draws (a str seed
	is hashed with SHA-512, not Python's per-process hash)."""
	return random.Random(":".join(str(k) for k in (seed, *key)))


def _pick(rng: random.Random, weighted) -> str:
	values, weights = zip(*weighted, strict=True)
	return rng.choices(values, weights)[0]


def _minutes(hhmm: str) -> int:
	h, m = hhmm.split(":")
	return int(h) * 60 + int(m)


def _at(day: date, minutes: int, seconds: int = 0) -> datetime:
	return datetime.combine(day, clock()) + timedelta(minutes=minutes, seconds=seconds)


def _ensure(problems, what: str) -> None:
	"""The generator's own guard: a planned record the app's rules would refuse is a bug here."""
	if problems:
		raise RuntimeError(f"{what} breaks the app's rules: " + "; ".join(p.render() for p in problems))


def _email(local: str) -> str:
	return f"nat-{local}@{EMAIL_DOMAIN}"


# ---- the school calendar (approximate English term dates) ------------------------------------------
def _monday_before(d: date) -> date:
	return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class Term:
	name: str
	start: date
	end: date
	half_term: date  # the Monday of its half-term week

	def open_on(self, d: date) -> bool:
		return self.start <= d <= self.end and not (self.half_term <= d < self.half_term + timedelta(days=7))


def terms_of(academic_year: int) -> list[Term]:
	"""Autumn, spring and summer terms of an academic year (starting September `academic_year`). Local
	term dates vary by a few days; these are typical."""
	y, n = academic_year, academic_year + 1
	return [
		Term("Autumn", date(y, 9, 3), date(y, 12, 18), _monday_before(date(y, 10, 27))),
		Term("Spring", date(n, 1, 5), date(n, 3, 27), _monday_before(date(n, 2, 16))),
		Term("Summer", date(n, 4, 13), date(n, 7, 22), _monday_before(date(n, 5, 29))),
	]


def _early_may_bank_holiday(year: int) -> date:
	d = date(year, 5, 1)
	return d + timedelta(days=(7 - d.weekday()) % 7)


class Calendar:
	"""Term-time days (a register is taken Monday to Friday, and on Saturday where a timetable has one)."""

	def __init__(self, first: date, last: date):
		self.terms = [t for y in range(first.year - 2, last.year + 1) for t in terms_of(y)]

	def term_day(self, d: date) -> bool:
		if d.weekday() == 6 or d == _early_may_bank_holiday(d.year):
			return False
		return any(t.open_on(d) for t in self.terms)

	def school_day(self, d: date) -> bool:
		return d.weekday() < 5 and self.term_day(d)

	def window(self, anchor: date) -> date:
		"""The first day of the two terms up to `anchor`: the term it falls in (or the last one before it)
		and the one before that."""
		started = [t for t in self.terms if t.start <= anchor]
		return started[-2].start


def anchor_for(now: datetime) -> datetime:
	"""The latest school day at 14:00 on or before `now`: both registers are due by then, the afternoon
	one only just, so some are still to come."""
	cal = Calendar(now.date() - timedelta(days=400), now.date())
	day = now.date() if now.time() >= clock(14) else now.date() - timedelta(days=1)
	while not cal.school_day(day):
		day -= timedelta(days=1)
	return datetime.combine(day, clock(14))


# ---- literal SQL, written in bulk ------------------------------------------------------------------
_ESCAPED: dict[str, str] = {}


def _lit(v) -> str:
	if v is None:
		return "NULL"
	t = type(v)
	if t is str:
		s = _ESCAPED.get(v)
		if s is None:
			s = frappe.db.escape(v, percent=False)
			if len(v) < 200 and len(_ESCAPED) < 500_000:
				_ESCAPED[v] = s
		return s
	if t is int:
		return str(v)
	if t is bool:
		return "1" if v else "0"
	if t is float:
		return repr(v)
	if t is date:
		return f"'{v.isoformat()}'"
	if t is datetime:
		return f"'{v.isoformat(' ')}'"
	return frappe.db.escape(str(v), percent=False)


class Writer:
	"""Rows per DocType, written as multi-row INSERT IGNORE statements of about 2 MB each."""

	def __init__(self, plan_only: bool = False):
		self.rows: dict[str, list[dict]] = defaultdict(list)
		self.raw: dict[str, tuple[list[str], list[str]]] = {}
		self.planned: Counter = Counter()
		self.seconds: Counter = Counter()  # database time per DocType (and "commit")
		self.plan_only = plan_only
		self.user = frappe.session.user

	def add(self, doctype: str, row: dict) -> None:
		self.rows[doctype].append(row)

	def add_raw(self, doctype: str, fields: list[str], values: str) -> None:
		"""A row already rendered as SQL literals, "(...)" (the registers: millions of them)."""
		if doctype not in self.raw:
			self.raw[doctype] = (fields, [])
		self.raw[doctype][1].append(values)

	def flush(self) -> None:
		for doctype in DOCTYPES:
			rows = self.rows.pop(doctype, [])
			if rows:
				self.planned[doctype] += len(rows)
				if not self.plan_only:
					self._insert(doctype, rows)
			if doctype in self.raw:
				fields, values = self.raw.pop(doctype)
				self.planned[doctype] += len(values)
				if not self.plan_only:
					self._statements(doctype, fields, values)
		if not self.plan_only:
			t0 = time.perf_counter()
			frappe.db.commit()
			self.seconds["commit"] += time.perf_counter() - t0

	def _insert(self, doctype: str, rows: list[dict]) -> None:
		fields = list(dict.fromkeys(k for r in rows for k in r))
		values = ["(" + ",".join([_lit(r.get(f)) for f in fields]) + ")" for r in rows]
		self._statements(doctype, fields, values)

	def _statements(self, doctype: str, fields: list[str], values: list[str]) -> None:
		head = "insert ignore into `tab{}` ({}) values ".format(doctype, ", ".join(f"`{f}`" for f in fields))
		chunk, size = [], 0
		t0 = time.perf_counter()
		for v in values:
			chunk.append(v)
			size += len(v)
			if size >= STATEMENT_BYTES:
				frappe.db.sql(head + ",".join(chunk))
				chunk, size = [], 0
		if chunk:
			frappe.db.sql(head + ",".join(chunk))
		self.seconds[doctype] += time.perf_counter() - t0


def _base(stamp: datetime, owner: str, docstatus: int = 0) -> dict:
	return {
		"creation": stamp,
		"modified": stamp,
		"owner": owner,
		"modified_by": owner,
		"docstatus": docstatus,
	}


def _child(parent: str, parenttype: str, parentfield: str, idx: int, stamp: datetime, owner: str) -> dict:
	return {
		"name": f"{parent}-{parentfield[:3]}{idx}" if parent.startswith(PREFIX) else None,
		**_base(stamp, owner),
		"parent": parent,
		"parenttype": parenttype,
		"parentfield": parentfield,
		"idx": idx,
	}


# ---- what the site already holds -------------------------------------------------------------------
@dataclass
class Reference:
	settings: frappe._dict
	windows: object
	domains: list[str]
	ranges: dict[str, tuple[int, int]]
	descriptors: dict[tuple[str, int], str]
	standards: list[tuple[str, str]]  # (code, area)


def reference() -> Reference:
	from ap_framework.settings import get_settings, session_windows

	settings = get_settings()
	domains = frappe.get_all(
		"Development Domain", filters={"is_active": 1}, pluck="name", order_by="sort_order asc, name asc"
	)
	rows = frappe.get_all(
		"Domain Level Descriptor",
		filters={"parenttype": "Development Domain", "parent": ("in", domains or [""])},
		fields=["parent", "level", "descriptor"],
	)
	ranges: dict[str, tuple[int, int]] = {}
	for r in rows:
		low, high = ranges.get(r.parent, (r.level, r.level))
		ranges[r.parent] = (min(low, r.level), max(high, r.level))
	standards = [
		(s.name, s.area)
		for s in frappe.get_all(
			"QA Standard", filters={"is_active": 1}, fields=["name", "area"], order_by="name asc"
		)
	]
	if not domains or not standards:
		raise SystemExit("The site has no development domains or QA standards: is ap_framework installed?")
	return Reference(
		settings,
		session_windows(settings),
		domains,
		ranges,
		{(r.parent, r.level): r.descriptor for r in rows},
		standards,
	)


# ---- the world: schools, providers, staff ----------------------------------------------------------
@dataclass
class School:
	no: int
	name: str
	urn: str
	la: str
	estab: int
	trust: str | None
	phase: str
	town: str
	postcode: str
	weight: float
	ap_lead: str | None
	dsl: str | None
	senior_leader: str | None
	pupils: int = 0  # UPN serials handed out


@dataclass
class Audit:
	name: str
	on: date
	outcome: str


@dataclass
class Provider:
	no: int
	name: str
	status: str
	urn: str | None
	ukprn: str | None
	la: str
	weight: float
	town: str
	postcode: str | None
	address: str | None
	session_rate: float
	day_rate: float
	week_rate: float | None
	offers: tuple[int, int, int]  # PSHE, RSE, careers
	audits: list[Audit]
	letters: list[tuple[date, date]]  # (received, valid until), oldest first
	portal_user: str
	attendance_email: str | None
	unmarked: float  # share of sessions it never reports
	slow: float  # share of registers reported after the deadline

	def approval_on(self, d: date) -> str:
		done = [a for a in self.audits if a.on <= d]
		return done[-1].outcome if done else "Under Review"

	def assured_until(self, received_by: date) -> date | None:
		held = [until for received, until in self.letters if received <= received_by]
		return max(held) if held else None

	@property
	def approval(self) -> str:
		return self.audits[-1].outcome if self.audits else "Under Review"


@dataclass
class World:
	seed: int
	anchor: datetime
	window: date
	calendar: Calendar
	schools: list[School]
	providers: list[Provider]
	by_la: dict[str, tuple[list[Provider], list[float]]]
	all_cum: list[float]
	school_cum: list[float]
	la_users: list[tuple[str, str, str]]  # (email, first, role)
	term_days: list[date] = field(default_factory=list)  # the register days, window to anchor
	midnight: dict[date, datetime] = field(default_factory=dict)  # each term day at 00:00


def _postcode(rng: random.Random) -> str:
	return f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def plan_world(seed: int, schools: int, providers: int, anchor: datetime) -> World:
	from stdnum.gb import upn as stdnum_upn

	rng = _rng(seed, "world")
	la_codes = sorted(str(c) for c in stdnum_upn._la_numbers)
	la_weights = [rng.lognormvariate(0, 0.7) for _ in la_codes]
	trusts = [
		f"{rng.choice(PLACES)} {rng.choice(('Learning', 'Education', 'Academies', 'Schools'))} Trust {i:03d}"
		for i in range(max(1, schools // 8))
	]
	trust_weights = [1 / (i + 2) ** 0.9 for i in range(len(trusts))]
	cal = Calendar(anchor.date() - timedelta(days=800), anchor.date())

	out_schools, estab = [], Counter()
	for i in range(1, schools + 1):
		r = _rng(seed, "school", i)
		la = r.choices(la_codes, la_weights)[0]
		phase = _pick(r, (("Secondary", 62), ("Primary", 26), ("All-through", 5), ("Special", 7)))
		town = r.choice(TOWNS)
		name = f"{PREFIX}S{i:04d} {r.choice(PLACES)}{r.choice(('', ' Park', 'field', ' Green', ' Hill'))} {r.choice(SCHOOL_KINDS[phase])}"
		estab[la] += 1
		factor = {"Secondary": 1.0, "Primary": 0.25, "All-through": 1.2, "Special": 0.6}[phase]
		lead = _email(f"aplead-s{i:04d}") if r.random() < 0.93 else None
		dsl = lead if lead and r.random() < 0.2 else (_email(f"dsl-s{i:04d}") if r.random() < 0.97 else None)
		head = _email(f"head-s{i:04d}") if r.random() < 0.95 else None
		out_schools.append(
			School(
				i,
				name,
				f"{100000 + i * 7}",
				la,
				2000 + estab[la],
				r.choices(trusts, trust_weights)[0] if r.random() < 0.45 else None,
				phase,
				town,
				_postcode(r),
				r.lognormvariate(0, 1.1) * factor,
				lead,
				dsl,
				head,
			)
		)

	out_providers = []
	for i in range(1, providers + 1):
		r = _rng(seed, "provider", i)
		rank = i - 1  # the first providers are the big ones
		if rank < providers * 0.04:
			status = _pick(
				r, (("PRU", 50), ("AP Academy", 35), ("AP Free School", 10), ("Special School", 5))
			)
		elif rank < providers * 0.2:
			status = _pick(
				r,
				(
					("PRU", 10),
					("AP Academy", 10),
					("Independent School", 25),
					("Special School", 5),
					("Non-school AP", 50),
				),
			)
		else:
			status = _pick(r, (("Independent School", 8), ("Non-school AP", 92)))
		registered = status != "Non-school AP"
		town = r.choice(TOWNS)
		name = f"{PREFIX}P{i:04d} {town} {r.choice(PROVIDER_KINDS[status])}"
		if registered:
			outcome = _pick(r, (("Approved", 92), ("Under Review", 6), ("Suspended", 2)))
		else:
			outcome = _pick(
				r, (("Approved", 74), ("Under Review", 12), ("Suspended", 4), ("Not Approved", 10))
			)
		audits: list[Audit] = []
		today = anchor.date()
		if outcome != "Under Review" or r.random() < 0.5:
			last = today - timedelta(days=r.randint(20, 420))
			first = last - timedelta(days=r.randint(330, 380))
			earlier = "Approved" if outcome in ("Approved", "Suspended") else outcome
			audits = [
				Audit(f"{PREFIX}QA-P{i:04d}-1", first, earlier),
				Audit(f"{PREFIX}QA-P{i:04d}-2", last, outcome),
			]
			if outcome == "Suspended":  # suspended lately, after a year approved
				audits[1].on = today - timedelta(days=r.randint(5, 60))
		state = _pick(r, (("current", 78), ("expiring", 8), ("expired", 9), ("none", 5)))
		if outcome == "Under Review" and not audits and r.random() < 0.6:
			state = "none"
		letters = []
		if state != "none":
			until = {
				"current": today + timedelta(days=r.randint(35, 360)),
				"expiring": today + timedelta(days=r.randint(1, 30)),
				"expired": today - timedelta(days=r.randint(1, 120)),
			}[state]
			for _k in range(3):  # a letter a year, each received shortly before the last ran out
				received = until - timedelta(days=365)
				letters.insert(0, (received, until))
				until = received + timedelta(days=r.randint(0, 12))
			letters = [(rec, un) for rec, un in letters if rec <= today]
		session = float(r.randrange(40, 125, 5))
		out_providers.append(
			Provider(
				i,
				name,
				status,
				f"{150000 + i}" if registered else None,
				f"1{r.randint(0, 9999999):07d}" if not registered and r.random() < 0.6 else None,
				r.choices(la_codes, la_weights)[0],
				1 / (rank + 8) ** 1.15,
				town,
				_postcode(r) if r.random() < 0.97 else None,
				f"{r.randint(1, 240)} {r.choice(PLACES)} {r.choice(('Road', 'Street', 'Lane', 'Way'))}"
				if r.random() < 0.96
				else None,
				session,
				round(session * 1.8, 2),
				round(session * 8, 2) if r.random() < 0.4 else None,
				(int(r.random() < 0.85), int(r.random() < 0.75), int(r.random() < 0.65)),
				audits,
				letters,
				_email(f"provider-p{i:04d}"),
				f"office-p{i:04d}@{EMAIL_DOMAIN}" if r.random() < 0.95 else None,
				r.choice((0.002, 0.005, 0.01, 0.02, 0.05)),
				r.choice((0.02, 0.05, 0.1, 0.2)),
			)
		)
	by_la: dict[str, tuple[list[Provider], list[float]]] = {}
	for p in out_providers:
		by_la.setdefault(p.la, ([], []))[0].append(p)
	for _la, (ps, cum) in by_la.items():
		total = 0.0
		for p in ps:
			total += p.weight
			cum.append(total)
	all_cum, total = [], 0.0
	for p in out_providers:
		total += p.weight
		all_cum.append(total)
	school_cum, total = [], 0.0
	for s in out_schools:
		total += s.weight
		school_cum.append(total)
	la_users = [(_email(f"qa-{i:02d}"), "QA", "QA Officer") for i in range(1, 7)]
	la_users += [(_email(f"admin-{i:02d}"), "Admin", "AP Administrator") for i in range(1, 5)]
	return World(
		seed,
		anchor,
		cal.window(anchor.date()),
		cal,
		out_schools,
		out_providers,
		by_la,
		all_cum,
		school_cum,
		la_users,
	)


def _provider_for(world: World, rng: random.Random, school: School) -> Provider:
	"""Mostly one of the school's own LA (weighted by size), sometimes one further away."""
	local = world.by_la.get(school.la)
	if local and rng.random() < 0.85:
		ps, cum = local
		return ps[min(bisect_right(cum, rng.random() * cum[-1]), len(ps) - 1)]
	return world.providers[
		min(bisect_right(world.all_cum, rng.random() * world.all_cum[-1]), len(world.providers) - 1)
	]


# ---- pupils and placements -------------------------------------------------------------------------
@dataclass
class Slot:
	weekday: str
	start: str
	end: str


@dataclass
class Placed:
	serial: int
	name: str
	status: str
	placement_type: str
	provider: Provider
	start: date
	planned_end: date
	end: date | None
	end_outcome: str | None
	slots: list[Slot]
	approved_on: datetime | None = None
	override: str | None = None
	override_by: str | None = None
	covers: list[tuple[str, int, int]] = field(default_factory=list)  # (weekday, am, pm) per slot


@dataclass
class PlannedPupil:
	no: int
	name: str
	school: School
	first: str
	last: str
	dob: date
	year: int
	gender: str
	upn: str | None
	on_roll: int
	leaving_date: date | None
	welfare: dict
	attendance: float  # how often they attend, 0..1
	placements: list[Placed]

	@property
	def full_name(self) -> str:
		return f"{self.first} {self.last}"


def _weekday_on_or_after(d: date) -> date:
	while d.weekday() > 4:
		d += timedelta(days=1)
	return d


def _weekday_on_or_before(d: date) -> date:
	while d.weekday() > 4:
		d -= timedelta(days=1)
	return d


def _duration(rng: random.Random) -> int:
	return _pick(rng, ((42, 10), (84, 20), (126, 20), (180, 25), (252, 15), (365, 10)))


def _dates(rng: random.Random, status: str, today: date) -> tuple[date, date, date | None]:
	"""(start, planned end, end) for a placement in `status` as at `today`."""
	if status == "Active":
		start = _weekday_on_or_before(today - timedelta(days=int(min(rng.expovariate(1 / 110), 600))))
		planned = start + timedelta(days=_duration(rng))
		if planned <= today and rng.random() < 0.93:  # extended at a review
			planned = today + timedelta(days=rng.randint(1, 120))
		return start, planned, None
	if status == "Ended":
		end = _weekday_on_or_before(today - timedelta(days=rng.randint(1, 200)))
		start = _weekday_on_or_before(end - timedelta(days=rng.randint(20, 260)))
		planned = max(end, start + timedelta(days=_duration(rng)))
		return start, planned, end
	if status == "Approved":
		start = _weekday_on_or_after(today + timedelta(days=rng.randint(1, 28)))
	elif status in ("Pending Approval", "Draft"):
		start = _weekday_on_or_after(today + timedelta(days=rng.randint(3, 40)))
	else:  # Rejected, Cancelled
		start = _weekday_on_or_after(today + timedelta(days=rng.randint(-150, 40)))
	return start, start + timedelta(days=_duration(rng)), None


def plan_pupils(world: World, placements: int) -> list[PlannedPupil]:
	"""Pupils with their placements, until `placements` placements are planned. Most pupils have one; some
	had an earlier placement that ended, a few are split between two providers (mornings at one,
	afternoons at another), a few had a placement refused or cancelled before the one they have."""
	from ap_framework.rules.upn import with_check_letter

	today, seed = world.anchor.date(), world.seed
	out, count, k = [], 0, 0
	while count < placements:
		k += 1
		r = _rng(seed, "pupil", k)
		school = world.schools[
			min(bisect_right(world.school_cum, r.random() * world.school_cum[-1]), len(world.schools) - 1)
		]
		if school.phase == "Primary":
			year = r.choice((3, 4, 5, 5, 6, 6, 6))
		elif school.phase in ("Secondary", "All-through"):
			year = r.choice((7, 8, 8, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11))
		else:
			year = r.randint(3, 11)
		academic = today.year if today.month >= 9 else today.year - 1
		born_from = date(academic - year - 5, 9, 1)
		dob = born_from + timedelta(days=r.randint(0, 364))
		serial = school.pupils
		school.pupils += 1
		upn = (
			with_check_letter(f"{school.la}{school.estab:04d}{10 + serial // 1000:02d}{serial % 1000:03d}")
			if r.random() < 0.97
			else None
		)
		sen = _pick(r, (("N", 55), ("K", 30), ("E", 15)))
		cp = int(r.random() < 0.09)
		welfare = {
			"sen_status": sen,
			"ehcp": int(sen == "E"),
			"sen_notes": "Speech and language needs; social communication support."
			if sen != "N" and r.random() < 0.5
			else None,
			"pupil_premium": int(r.random() < 0.6),
			"fsm": int(r.random() < 0.5),
			"looked_after": int(r.random() < 0.08),
			"child_protection": cp,
			"child_in_need": int(not cp and r.random() < 0.16),
			"safeguarding_notes": "Known to children's social care; see the DSL's file."
			if cp and r.random() < 0.7
			else None,
		}
		pupil = PlannedPupil(
			k,
			f"{PREFIX}PUP-{k:06d}",
			school,
			r.choice(FIRST),
			r.choice(LAST),
			dob,
			year,
			_pick(r, (("Male", 62), ("Female", 35), ("Other", 1), ("Not Known", 2))),
			upn,
			1,
			None,
			welfare,
			min(1.0, r.betavariate(12, 2) + 0.03),
			[],
		)
		shape = r.random()
		if shape < 0.80:
			specs = [(_pick(r, MAIN_STATUS), None)]
		elif shape < 0.90:
			specs = [("Ended", None), (_pick(r, NEXT_STATUS), "after")]
		elif shape < 0.94:
			specs = [("Active", SPLIT_AM), ("Active", SPLIT_PM)]
		else:
			specs = [(r.choice(("Rejected", "Cancelled")), "refused"), (_pick(r, NEXT_STATUS), "after")]
		previous = None
		for status, how in specs:
			if count >= placements:
				break
			count += 1
			previous = _placement(world, r, pupil, count, status, how, previous)
			pupil.placements.append(previous)
		if (
			pupil.placements
			and r.random() < 0.01
			and any(p.status in ("Active", "Approved") for p in pupil.placements)
		):
			pupil.on_roll, pupil.leaving_date = (
				0,
				today - timedelta(days=r.randint(1, 60)),
			)  # off-rolled while placed
		elif r.random() < 0.02 and all(
			p.status in ("Ended", "Rejected", "Cancelled") for p in pupil.placements
		):
			ends = [p.end or p.start for p in pupil.placements]
			pupil.on_roll, pupil.leaving_date = 0, min(today, max(ends) + timedelta(days=r.randint(1, 30)))
		out.append(pupil)
	return out


def _placement(world, r, pupil, serial, status, how, previous) -> Placed:
	today = world.anchor.date()
	start, planned, end = _dates(r, status, today)
	if how == "refused":  # proposed for a few weeks some time ago, refused or cancelled; another came after
		start = _weekday_on_or_after(today - timedelta(days=r.randint(60, 300)))
		planned = start + timedelta(days=r.choice((42, 84)))
	elif how == "after" and previous is not None:  # the next placement, after the last one ended (or would
		# have): a placement is checked against the pupil's others on every save, a refused one too
		start = _weekday_on_or_after(
			(previous.end or previous.planned_end) + timedelta(days=r.randint(1, 40))
		)
		status = "Active" if start <= today else ("Approved" if status == "Active" else status)
		planned = start + timedelta(days=_duration(r))
		if status == "Active" and planned <= today:
			planned = today + timedelta(days=r.randint(1, 120))
	elif how is not None and previous is not None:  # the afternoon half of a split week
		start, planned = previous.start, previous.planned_end
	if how in (None, "after", "refused"):
		pattern = r.choices([t[2] for t in TIMETABLES], [t[1] for t in TIMETABLES])[0]
	else:
		pattern = how
	slots = [Slot(day, a, b) for day, spans in pattern.items() for a, b in spans]
	if status == "Draft" and r.random() < 0.25:
		slots = []  # a draft not yet timetabled
	ptype = _pick(r, PLACEMENT_TYPES)
	if ptype == "Cross-trust Academy" and not pupil.school.trust:
		ptype = "Off-site Direction"
	provider = _provider_for(world, r, pupil.school)
	placed = Placed(
		serial,
		f"{PREFIX}PLC-{serial:06d}",
		status,
		ptype,
		provider,
		start,
		planned,
		end,
		_pick(r, END_OUTCOMES) if status == "Ended" else None,
		slots,
	)
	if placed.end_outcome == "Post-16 Destination" and pupil.year < 11:
		placed.end_outcome = "Reintegrated to Home School"
	if status in ("Approved", "Active", "Ended"):
		_approve(world, r, pupil, placed)
	return placed


def _approve(world, r, pupil, placed) -> None:
	"""Approved a little before the start, by the school's senior leader (or the LA): a provider that was
	not approved then, or had no letter of assurance valid on the start date, needed an override."""
	from ap_framework.rules import placement as placement_rules

	today = world.anchor.date()
	for _attempt in range(6):
		on = min(placed.start - timedelta(days=r.randint(3, 21)), today)
		facts = placement_rules.ApprovalFacts(
			rationale="x",
			slot_count=len(placed.slots),
			provider_status=placed.provider.approval_on(on),
			assurance_valid_until=placed.provider.assured_until(on),
			start=placed.start,
			override_reason=None,
		)
		if not placement_rules.approval_gaps(facts):
			break
		if r.random() < 0.1:  # placed all the same, on a senior leader's recorded override
			placed.override = (
				"The only setting able to meet the pupil's needs at short notice; assurance requested."
			)
			placed.override_by = pupil.school.senior_leader or world.la_users[-1][0]
			break
		placed.provider = _provider_for(world, r, pupil.school)
	else:
		placed.override = "Agreed with the LA while the provider's QA audit is completed."
		placed.override_by = pupil.school.senior_leader or world.la_users[-1][0]
	placed.approved_on = _at(on, r.randint(9 * 60, 16 * 60), r.randint(0, 59))


# ---- rows ------------------------------------------------------------------------------------------
class Rows:
	"""Turns the plan into rows, checking each record against the app's rules as it goes."""

	def __init__(self, world: World, ref: Reference, writer: Writer):
		self.world, self.ref, self.w = world, ref, writer
		self.today = world.anchor.date()
		self.now = world.anchor
		self.deadline = ref.settings.attendance_deadline_minutes
		self.close = ref.settings.register_close_minutes
		self._mark_ok: set = set()

	# -- people and organisations --
	def users(self) -> None:
		w, stamp = self.w, self.now - timedelta(days=400)
		people: dict[str, tuple[str, set[str], list[tuple[str, str]], str]] = {}

		def person(email, first, role, allow=None, user_type="System User"):
			_f, roles, perms, _t = people.setdefault(email, (first, set(), [], user_type))
			roles.add(role)
			if allow and allow not in perms:
				perms.append(allow)

		for email, first, role in self.world.la_users:
			person(email, first, role)
		for s in self.world.schools:
			for email, role in (
				(s.ap_lead, "AP Lead"),
				(s.dsl, "Safeguarding Lead"),
				(s.senior_leader, "Senior Leader"),
			):
				if email:
					person(email, email.split("-")[1].title(), role, ("School", s.name))
		for p in self.world.providers:
			person(p.portal_user, "Provider", "AP Provider User", ("AP Provider", p.name), "Website User")
		for email, (first, roles, perms, user_type) in sorted(people.items()):
			r = _rng(self.world.seed, "user", email)
			last = r.choice(LAST)
			w.add(
				"User",
				{
					"name": email,
					**_base(stamp, "Administrator"),
					"email": email,
					"first_name": first,
					"last_name": last,
					"full_name": f"{first} {last}",
					"enabled": 1,
					"user_type": user_type,
					"send_welcome_email": 0,
					"language": "en",
					"simultaneous_sessions": 2,
					"onboarding_status": "{}",
					"document_follow_frequency": "Daily",
					**{
						f: 1
						for f in (
							"search_bar",
							"notifications",
							"list_sidebar",
							"bulk_actions",
							"view_switcher",
							"form_sidebar",
							"timeline",
							"dashboard",
							"logout_all_sessions",
							"thread_notify",
							"allowed_in_mentions",
						)
					},
				},
			)
			for idx, role in enumerate(sorted(roles), 1):
				w.add(
					"Has Role",
					{
						**_child(email, "User", "roles", idx, stamp, "Administrator"),
						"name": f"{PREFIX}HR-{email.split('@')[0]}-{idx}",
						"role": role,
					},
				)
			for idx, (allow, value) in enumerate(perms, 1):
				w.add(
					"User Permission",
					{
						"name": f"{PREFIX}UP-{email.split('@')[0]}-{idx}",
						**_base(stamp, "Administrator"),
						"user": email,
						"allow": allow,
						"for_value": value,
						"is_default": 0,
						"apply_to_all_doctypes": 1,
						"hide_descendants": 0,
					},
				)

	def schools(self) -> None:
		from ap_framework.rules import identifiers

		stamp = self.now - timedelta(days=400)
		for s in self.world.schools:
			_ensure(
				identifiers.check_urn(s.urn)
				+ identifiers.check_la_code(s.la)
				+ identifiers.check_postcode(s.postcode),
				s.name,
			)
			self.w.add(
				"School",
				{
					"name": s.name,
					**_base(stamp, "Administrator"),
					"school_name": s.name,
					"urn": s.urn,
					"la_code": s.la,
					"trust": s.trust,
					"phase": s.phase,
					"ap_lead": s.ap_lead,
					"dsl": s.dsl,
					"senior_leader": s.senior_leader,
					"address_line1": f"{s.no} {s.town} Road",
					"town": s.town,
					"postcode": s.postcode,
				},
			)

	def providers(self) -> None:
		from ap_framework.rules import dates, identifiers

		stamp = self.now - timedelta(days=800)
		standards = self.ref.standards
		qa_users = [e for e, _f, role in self.world.la_users if role == "QA Officer"]
		for p in self.world.providers:
			r = _rng(self.world.seed, "provider-rows", p.no)
			registered = p.status != "Non-school AP"
			agreement_start = self.today - timedelta(days=r.randint(30, 700))
			_ensure(
				identifiers.check_urn(p.urn)
				+ identifiers.check_ukprn(p.ukprn)
				+ identifiers.check_postcode(p.postcode)
				+ identifiers.check_provider_identity(registered, p.urn),
				p.name,
			)
			last = p.audits[-1] if p.audits else None
			self.w.add(
				"AP Provider",
				{
					"name": p.name,
					**_base(stamp, "Administrator"),
					"provider_name": p.name,
					"registration_status": p.status,
					"is_registered_school": int(registered),
					"urn": p.urn,
					"ukprn": p.ukprn,
					"approval_status": p.approval,
					"last_qa_audit": last.name if last else None,
					"last_qa_date": last.on if last else None,
					"ofsted_grade": r.choice(
						("Good", "Outstanding", "Requires Improvement", "Expected Standard")
					)
					if registered
					else None,
					"address_line1": p.address,
					"town": p.town,
					"postcode": p.postcode,
					"phone": f"0300 {r.randint(100, 999)} {r.randint(1000, 9999)}",
					"email": p.attendance_email,
					"specialisms": r.choice(
						("SEMH", "Vocational", "Anxiety and school refusal", "Medical needs", "Autism")
					)
					if r.random() < 0.9
					else None,
					"offers_pshe": p.offers[0],
					"offers_rse": p.offers[1],
					"offers_careers": p.offers[2],
					"capacity": max(6, int(p.weight * 4000)),
					"cost_per_session": p.session_rate,
					"cost_per_day": p.day_rate,
					"cost_per_week": p.week_rate,
					"communication_agreement": f"/private/files/{p.name[:9]}-agreement.pdf"
					if r.random() < 0.8
					else None,
					"agreement_start": agreement_start,
					"agreement_end": agreement_start + timedelta(days=730),
					"meets_registration_test": 0,
					"registration_test_reason": "",
				},
			)
			_ensure(
				dates.order(
					"agreement_start",
					agreement_start,
					"agreement_end",
					agreement_start + timedelta(days=730),
					"",
					"",
				),
				p.name,
			)
			contacts = [("Safeguarding", 0.98), ("Attendance", 0.95), ("Finance", 0.85), ("Manager", 0.7)]
			idx = 0
			for role, share in contacts:
				if r.random() < share or (role == "Attendance" and p.attendance_email):
					idx += 1
					self.w.add(
						"AP Provider Contact",
						{
							**_child(p.name, "AP Provider", "contacts", idx, stamp, "Administrator"),
							"name": f"{PREFIX}PC-{p.no:04d}-{idx}",
							"contact_role": role,
							"full_name": f"{r.choice(FIRST)} {r.choice(LAST)}",
							"email": p.attendance_email
							if role == "Attendance"
							else f"{role.lower()}-p{p.no:04d}@{EMAIL_DOMAIN}",
							"phone": f"0300 {r.randint(100, 999)} {r.randint(1000, 9999)}",
						},
					)
			for n, (received, until) in enumerate(p.letters, 1):
				_ensure(
					dates.not_in_future("received_date", received, self.today, "")
					+ dates.order("received_date", received, "valid_until", until, "", "", allow_equal=False),
					f"assurance {n} of {p.name}",
				)
				self.w.add(
					"Safeguarding Assurance",
					{
						"name": f"{PREFIX}SGA-P{p.no:04d}-{n}",
						**_base(_at(received, 11 * 60), qa_users[0]),
						"provider": p.name,
						"received_date": received,
						"valid_until": until,
						"signed_by": f"{r.choice(FIRST)} {r.choice(LAST)}",
						"signatory_role": "Head of Centre",
						"enhanced_dbs_checked": 1,
						"single_central_record": 1,
						"dsl_named": 1,
					},
				)
			self._policies(p, r.choice(qa_users))
			for a in p.audits:
				self._audit(p, a, standards, r, r.choice(qa_users))

	def _policies(self, p: Provider, officer: str) -> None:
		"""The due-diligence policies a non-school provider holds, each adopted within the last year and
		reviewed a year on: all current at most, one lapsed at some (after approval, as policies lapse),
		some never sent at a provider not yet audited. Its own random stream: the rest of the data is the
		same with or without them."""
		from ap_framework.rules import policies

		if not policies.requires_policies(p.status):
			return
		r = _rng(self.world.seed, "provider-policies", p.no)
		lapsed = r.choice(policies.REQUIRED_POLICIES) if r.random() < 0.08 else None
		for n, kind in enumerate(policies.REQUIRED_POLICIES, 1):
			if not p.audits and r.random() < 0.5:
				continue  # under review, not sent yet
			dated = self.today - timedelta(days=r.randint(400, 700) if kind == lapsed else r.randint(10, 330))
			review = dated + timedelta(days=365)
			_ensure(policies.check_policy(kind, dated, review, self.today), f"policy {n} of {p.name}")
			self.w.add(
				"Provider Policy",
				{
					"name": f"{PREFIX}PPOL-P{p.no:04d}-{n}",
					**_base(_at(dated, 10 * 60), officer),
					"provider": p.name,
					"policy_type": kind,
					"policy_file": f"/private/files/{p.name[:9]}-policy-{n}.pdf",
					"dated_on": dated,
					"review_date": review,
				},
			)

	def _audit(self, p: Provider, a: Audit, standards, r, auditor) -> None:
		from ap_framework.rules import qa

		rating = {
			"Approved": "Met",
			"Under Review": "Partly Met",
			"Suspended": "Not Met",
			"Not Approved": "Not Met",
		}[a.outcome]
		items = []
		for idx, (code, area) in enumerate(standards, 1):
			if rating == "Met":
				value = "Partly Met" if r.random() < 0.08 and area != qa.SAFEGUARDING_AREA else "Met"
			elif rating == "Partly Met":
				value = r.choice(("Met", "Partly Met"))
			else:
				value = r.choice(("Not Met", "Partly Met", "Met"))
			items.append(qa.Item(code, area, value, idx))
		actions = (
			[qa.Action("Address the gaps found at the audit", a.on + timedelta(days=r.randint(14, 90)), 1)]
			if any(i.rating in ("Not Met", "Partly Met") for i in items)
			else []
		)
		_ensure(qa.check_items(items) + qa.check_outcome(items, actions, a.outcome, a.on), a.name)
		stamp = _at(a.on, 15 * 60)
		self.w.add(
			"QA Audit",
			{
				"name": a.name,
				**_base(stamp, auditor, docstatus=1),
				"provider": p.name,
				"audit_type": "Annual" if a.name.endswith("-2") else "Initial",
				"audit_date": a.on,
				"auditor": auditor,
				"status": "Approved",
				"overall_outcome": a.outcome,
				"summary": f"<p>{a.outcome} after the {a.on:%B %Y} visit.</p>",
			},
		)
		for i in items:
			self.w.add(
				"QA Audit Item",
				{
					**_child(a.name, "QA Audit", "items", i.row, stamp, auditor),
					"docstatus": 1,
					"standard": i.standard,
					"area": i.area,
					"rating": i.rating,
					"evidence": "Seen on the visit",
				},
			)
		for x in actions:
			self.w.add(
				"QA Audit Action",
				{
					**_child(a.name, "QA Audit", "actions", x.row, stamp, auditor),
					"docstatus": 1,
					"action": x.action,
					"action_owner": None,
					"due_date": x.due_date,
					"action_status": "Done" if x.due_date < self.today else "Open",
				},
			)

	# -- a pupil and everything about them --
	def pupil(self, pupil: PlannedPupil) -> None:
		from ap_framework.rules import dates, upn

		s, stamp = (
			pupil.school,
			_at(min((p.start for p in pupil.placements), default=self.today) - timedelta(days=30), 10 * 60),
		)
		stamp = min(stamp, self.now)
		_ensure(
			upn.check(pupil.upn)
			+ dates.not_in_future("date_of_birth", pupil.dob, self.today, "")
			+ dates.order("date_of_birth", pupil.dob, "leaving_date", pupil.leaving_date, "", ""),
			pupil.name,
		)
		owner = s.ap_lead or "Administrator"
		self.w.add(
			"Pupil",
			{
				"name": pupil.name,
				**_base(stamp, owner),
				"first_name": pupil.first,
				"last_name": pupil.last,
				"full_name": pupil.full_name,
				"date_of_birth": pupil.dob,
				"gender": pupil.gender,
				"upn": pupil.upn,
				"school": s.name,
				"year_group": f"Year {pupil.year}",
				"on_roll": pupil.on_roll,
				"leaving_date": pupil.leaving_date,
			},
		)
		r = _rng(self.world.seed, "pupil-rows", pupil.no)
		for idx in range(1, r.choice((1, 1, 2)) + 1):
			self.w.add(
				"Pupil Contact",
				{
					**_child(pupil.name, "Pupil", "contacts", idx, stamp, owner),
					"contact_name": f"{r.choice(FIRST)} {pupil.last if r.random() < 0.7 else r.choice(LAST)}",
					"relationship": "Parent"
					if idx == 1
					else r.choice(("Carer", "Grandparent", "Social worker")),
					"phone": f"07700 900{r.randint(0, 999):03d}",
					"parental_responsibility": int(idx == 1),
					"emergency_contact": 1,
				},
			)
		self.w.add(
			"Pupil Welfare",
			{
				"name": pupil.name,
				**_base(stamp, owner),
				"pupil": pupil.name,
				"pupil_name": pupil.full_name,
				"date_of_birth": pupil.dob,
				"school": s.name,
				**pupil.welfare,
			},
		)
		for placed in pupil.placements:
			self.placement(pupil, placed, [o for o in pupil.placements if o is not placed])

	def placement(self, pupil: PlannedPupil, p: Placed, others: list[Placed]) -> None:
		from ap_framework.rules import census, costing, placement, timetable

		r = _rng(self.world.seed, "placement", p.serial)
		settings, windows = self.ref.settings, self.ref.windows
		school, provider = pupil.school, p.provider
		slots = [
			timetable.Slot(s.weekday, _minutes(s.start), _minutes(s.end), i) for i, s in enumerate(p.slots, 1)
		]
		p.covers = []
		for s in slots:
			c = timetable.covers(s, windows)
			p.covers.append((s.weekday, int("AM" in c), int("PM" in c)))
		hours = timetable.hours_per_week(slots)
		part_time = int(bool(slots) and timetable.is_part_time(hours, settings.full_time_hours))
		justification = review_on = None
		if part_time:
			justification = r.choice(
				(
					"Phased start agreed with the family and the provider.",
					"Medical advice: reduced hours while treatment continues.",
					"Part of a dual placement; the rest of the week is in school.",
				)
			)
			review_on = p.start + timedelta(days=42)
			if p.status in ("Active", "Approved") and review_on < self.today and r.random() < 0.75:
				review_on = self.today + timedelta(days=r.randint(1, 42))
		urn = provider.urn or None
		ukprn = None if urn else (provider.ukprn or None)
		setting = None if (urn or ukprn) else _pick(r, SETTING_TYPES)
		single = placement.is_single_registered(p.placement_type)
		reason = None
		if single or r.random() < 0.5:
			reason = "EHC" if pupil.welfare["sen_status"] == "E" and r.random() < 0.4 else _pick(r, REASONS)
		association = (
			"LAA"
			if p.placement_type == "LA-arranged"
			else (
				"TRU"
				if p.placement_type in ("Cross-trust Academy", "Internal AP Unit") and school.trust
				else _pick(r, (("NON", 80), ("LAA", 20)))
			)
		)
		pattern = census.pattern_for(bool(part_time)) if slots else None
		sessions = timetable.school_sessions_per_week(p.covers)
		basis = _pick(r, (("Per Session", 55), ("Per Day", 15), ("Per Week", 5), ("", 25))) or None
		rate_source, agreed = "Provider Rate", None
		if basis == "Per Week" and not provider.week_rate:
			rate_source, agreed = "Agreed Rate", float(r.randrange(250, 650, 25))
		provider_rate = {
			"Per Session": provider.session_rate,
			"Per Day": provider.day_rate,
			"Per Week": provider.week_rate,
		}.get(basis or "")
		funding = []
		if basis and r.random() < 0.3:
			funding = [costing.Funding("School Budget", 50.0, 1), costing.Funding("LA High Needs", 50.0, 2)]
		c = costing.Costing(basis, rate_source, provider_rate, agreed, tuple(funding))
		rate = costing.effective_rate(c)
		weekly = timetable.weekly_sessions(p.covers)
		units, cost = costing.planned(
			basis, rate, costing.timetabled_sessions(p.start, p.end or p.planned_end, weekly) if basis else []
		)
		rationale = r.choice(RATIONALES) if p.status not in ("Draft",) or r.random() < 0.7 else None
		gap = not all(provider.offers)
		problems = placement.check_type(p.placement_type)
		problems += timetable.check_slots(slots) + timetable.check_sessions(slots, windows)
		# As the controller, on every save (a refused or cancelled placement's too): against the pupil's
		# other placements that ran or may run.
		live_others = [o for o in others if o.status not in placement.DEAD_STATES]
		problems += timetable.check_against_other_placements(
			p.start,
			p.end or p.planned_end,
			slots,
			[
				timetable.DatedTimetable(
					o.name,
					o.start,
					o.end or o.planned_end,
					tuple(
						timetable.Slot(s.weekday, _minutes(s.start), _minutes(s.end), i)
						for i, s in enumerate(o.slots, 1)
					),
				)
				for o in live_others
			],
		)
		problems += placement.check_part_time(bool(part_time), justification, review_on, p.start)
		problems += census.check(
			census.CensusItems(
				urn,
				ukprn,
				setting,
				reason,
				association,
				pattern,
				sessions,
				single,
				pupil.welfare["sen_status"],
			)
		)
		problems += costing.check(c)
		if p.status in ("Approved", "Active", "Ended"):
			problems += placement.approval_gaps(
				placement.ApprovalFacts(
					rationale,
					len(slots),
					provider.approval_on(p.approved_on.date()),
					provider.assured_until(p.approved_on.date()),
					p.start,
					p.override,
				)
			)
		if p.status == "Active":
			problems += placement.check_activation(self.today, p.start)
		if p.status == "Ended":
			problems += placement.check_ending(p.end, p.end_outcome)
		_ensure(problems, p.name)

		created = min(
			_at(
				(p.approved_on.date() if p.approved_on else p.start) - timedelta(days=r.randint(2, 14)),
				9 * 60 + r.randint(0, 400),
			),
			self.now - timedelta(hours=1),
		)
		owner = school.ap_lead or "Administrator"
		# What happens during the placement comes first: its reviews give the placement its review dates
		# (Plan Review.on_submit), as its last change.
		records = PlacementRecords(self, pupil, p, r)
		records.write()
		row = {
			"name": p.name,
			**_base(created, owner),
			"modified": max(created, records.last_change or created),
			"pupil": pupil.name,
			"pupil_name": pupil.full_name,
			"school": school.name,
			"provider": provider.name,
			"status": p.status,
			"placement_type": p.placement_type,
			"home_school_code": placement.home_school_code(p.placement_type),
			"start_date": p.start,
			"planned_end_date": p.planned_end,
			"rationale": rationale,
			"sla_attachment": f"/private/files/{p.name}-sla.pdf"
			if p.status in ("Approved", "Active", "Ended") and r.random() < 0.85
			else None,
			"hours_per_week": hours,
			"is_part_time": part_time,
			"part_time_justification": justification,
			"part_time_review_date": review_on,
			"next_review_date": records.next_review,
			"last_review_date": records.last_review,
			"curriculum_gap_plan": "Careers and RSE taught at the home school on Fridays."
			if gap and r.random() < 0.8
			else None,
			"charging_basis": basis,
			"rate_source": rate_source,
			"agreed_cost": agreed,
			"chargeable_absences": _pick(r, (("None", 50), ("Unauthorised", 40), ("All", 10)))
			if basis
			else "None",
			"rate": rate or 0,
			"planned_units": units,
			"planned_cost": cost,
			"approval_override_reason": p.override,
			"override_by": p.override_by,
			"approved_by": (p.override_by or school.senior_leader or self.world.la_users[-1][0])
			if p.approved_on
			else None,
			"approved_on": p.approved_on,
			"end_date": p.end,
			"end_outcome": p.end_outcome,
			"end_notes": "Returned to the home school with a staged timetable."
			if p.end_outcome == "Reintegrated to Home School"
			else None,
			"census_urn": urn,
			"census_ukprn": ukprn,
			"census_setting_type": setting,
			"census_reason": reason,
			"census_association": association,
			"census_attendance_pattern": pattern,
			"census_sessions": sessions,
		}
		self.w.add("Placement", row)
		for idx, (s, (_d, am, pm)) in enumerate(zip(p.slots, p.covers, strict=True), 1):
			self.w.add(
				"Placement Session",
				{
					**_child(p.name, "Placement", "timetable", idx, created, owner),
					"name": f"{p.name}-S{idx}",
					"weekday": s.weekday,
					"start_time": f"{s.start}:00",
					"end_time": f"{s.end}:00",
					"covers_am": am,
					"covers_pm": pm,
				},
			)
		for f in funding:
			self.w.add(
				"Placement Funding",
				{
					**_child(p.name, "Placement", "funding", f.row, created, owner),
					"name": f"{p.name}-F{f.row}",
					"funding_source": f.source,
					"percentage": f.percentage,
				},
			)


class PlacementRecords:
	"""What happens during one placement: registers, the plan, reviews, assessments, contacts, risk
	assessments, the reintegration plan and any safeguarding concern."""

	def __init__(self, rows: Rows, pupil: PlannedPupil, p: Placed, r: random.Random):
		self.rows, self.pupil, self.p, self.r = rows, pupil, p, r
		self.w, self.world, self.ref = rows.w, rows.world, rows.ref
		self.today, self.now = rows.today, rows.now
		self.school, self.provider = pupil.school, p.provider
		self.lead = self.school.ap_lead or "Administrator"
		self.running = p.status in ("Active", "Ended")
		self.last_day = min(p.end or p.planned_end, self.today) if self.running else None
		# As Placement.validate leaves them until a review is held: due one interval after the start.
		interval = self.ref.settings.review_interval_days
		self.next_review: date | None = p.start + timedelta(days=interval) if p.start else None
		self.last_review: date | None = None
		self.last_change: datetime | None = None  # the last review's submission, which touched the placement
		self.plan_name: str | None = None
		self.objectives: list[tuple[str, str, str]] = []
		self.return_plan: tuple[date, date] | None = None  # (target, monitoring end)

	def write(self) -> None:
		p = self.p
		if p.status in ("Approved", "Active", "Ended"):
			self.risk()
		if not self.running:
			if p.status == "Approved" and self.r.random() < 0.3:
				self.plan("Draft")
			return
		self.registers()
		self.plan(None)
		self.reviews()
		self.reintegration()
		self.assessments()
		self.contacts()
		if self.r.random() < 0.04:
			self.concern()

	# registers ------------------------------------------------------------------------------------
	def registers(self) -> None:
		from ap_framework.rules import attendance, timetable

		p, r = self.p, self.r
		windows = self.ref.windows
		first = max(p.start, self.world.window)
		last = self.last_day
		by_day: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
		for s, (_d, am, pm) in zip(p.slots, p.covers, strict=True):
			for session, on in (("AM", am), ("PM", pm)):
				if on:
					by_day[s.weekday][session].append(_minutes(s.start))
		opens = {
			(day, session): timetable.register_opens(session, starts, windows)
			for day, sessions in by_day.items()
			for session, starts in sessions.items()
		}
		fields = [
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"placement",
			"pupil",
			"pupil_name",
			"school",
			"provider",
			"attendance_date",
			"session",
			"mark",
			"minutes_late",
			"reported_by",
			"reported_at",
			"reported_late",
		]
		reporter = _lit(self.provider.portal_user)
		fixed = ",".join(
			_lit(v)
			for v in (p.name, self.pupil.name, self.pupil.full_name, self.school.name, self.provider.name)
		)
		attend, late_share = self.pupil.attendance, 0.05
		unmarked, slow = self.provider.unmarked, self.provider.slow
		marked_today = self.now
		serial = p.serial
		days = self.world.term_days
		midnight = self.world.midnight
		close, deadline = self.rows.close, self.rows.deadline
		absences, absence_weights = zip(*ABSENCES, strict=True)
		rand = r.random
		checked = self.rows._mark_ok
		write = self.w.add_raw
		for d in days[bisect_left(days, first) : bisect_right(days, last)]:
			weekday = WEEKDAYS[d.weekday()]
			sessions = by_day.get(weekday)
			if not sessions:
				continue
			iso, compact = d.isoformat(), d.strftime("%Y%m%d")
			for session in ("AM", "PM"):
				if session not in sessions or rand() < unmarked:
					continue  # not timetabled, or never reported
				start = opens[(weekday, session)]
				late = 0
				if rand() < attend:
					if rand() < late_share:
						mark, late = "L", 1 + int(rand() * close)
					else:
						mark = attendance.present_mark(session)
				else:
					mark = r.choices(absences, absence_weights)[0]
					if mark == "N" and (self.today - d).days > 10:
						mark = "I" if rand() < 0.5 else "O"  # the reason was found out since
					elif mark == "U":
						late = close + 1 + int(rand() * 60)
				delay = deadline + 1 + int(rand() * 270) if rand() < slow else int(rand() * (deadline - 2))
				reported = midnight[d] + timedelta(minutes=start + delay, seconds=int(rand() * 60))
				if reported > marked_today:
					continue  # not reported yet at the anchor (this afternoon's register)
				key = (session, mark, late)
				if key not in checked:
					_ensure(
						attendance.check_mark(attendance.Mark(session, mark, late), close),
						f"a mark of {p.name}",
					)
					checked.add(key)
				is_late = attendance.is_reported_late(reported, d, start, deadline)
				stamp = f"'{reported.isoformat(' ')}'"
				write(
					"AP Attendance",
					fields,
					f"('{PREFIX}ATT-{serial:06d}-{compact}{session[0]}',{stamp},{stamp},{reporter},{reporter},"
					f"{fixed},'{iso}','{session}',{_lit(mark)},{late},{reporter},{stamp},{int(is_late)})",
				)

	# the plan and its reviews ---------------------------------------------------------------------
	def plan(self, status: str | None) -> None:
		from ap_framework.rules import plan
		from ap_framework.rules.oversight import school_days_after

		p, r = self.p, self.r
		if status is None:
			agreed_on = school_days_after(p.start, r.randint(2, 14))
			if p.status == "Ended":
				status = "Closed" if r.random() < 0.6 else "Agreed"
			elif r.random() < 0.88 and agreed_on <= self.today:
				status = "Agreed"
			else:
				status = "Pending Agreement" if r.random() < 0.6 else "Draft"
		else:
			agreed_on = None
		agreed = status in ("Agreed", "Closed")
		if agreed:
			agreed_on = min(agreed_on or p.start, self.today)
		self.plan_name = f"{PREFIX}PLAN-{p.serial:06d}"
		domains = self.ref.domains
		chosen = r.sample(range(len(OBJECTIVES)), r.randint(2, 4))
		objectives = [
			plan.Objective(OBJECTIVES[i][0], OBJECTIVES[i][1], idx) for idx, i in enumerate(chosen, 1)
		]
		self.objectives = [(r.choice(domains), o.objective, o.success_criteria) for o in objectives]
		parties = {f: (agreed_on if agreed else None) for f, _who in plan.PARTIES}
		problems = plan.check_objectives(objectives)
		if agreed:
			problems += plan.check_agreement(len(objectives), parties, self.today)
		_ensure(problems, self.plan_name)
		stamp = min(_at(p.start, 15 * 60), self.now)
		self.w.add(
			"Pupil Plan",
			{
				"name": self.plan_name,
				**_base(stamp, self.lead),
				"placement": p.name,
				"pupil": self.pupil.name,
				"pupil_name": self.pupil.full_name,
				"school": self.school.name,
				"provider": self.provider.name,
				"status": status,
				"plan_start": p.start,
				"plan_end": p.end if status == "Closed" else p.planned_end,
				"baseline_summary": "See the baseline assessment.",
				"reintegration_criteria": "Attends 90% for six weeks and manages a full day without leaving class.",
				"strategies_that_work": r.choice(
					(
						"Calm check-in on arrival; a named adult.",
						"Movement breaks; tasks in short chunks.",
						"Clear routines; warning before changes.",
					)
				)
				if r.random() < 0.92
				else None,
				"strategies_to_avoid": "Public sanctions; raised voices.",
				"triggers": "Crowded corridors; unexpected change.",
				"early_warning_signs": "Hood up, withdrawing from talk.",
				**parties,
			},
		)
		for idx, (domain, objective, criteria) in enumerate(self.objectives, 1):
			self.w.add(
				"Plan Objective",
				{
					**_child(self.plan_name, "Pupil Plan", "objectives", idx, stamp, self.lead),
					"domain": domain,
					"objective": objective,
					"success_criteria": criteria,
					"baseline": "Rarely",
					"target": "Most days",
					"objective_owner": "Key worker",
					"objective_status": "Achieved"
					if status == "Closed" and r.random() < 0.5
					else "In Progress",
				},
			)

	def reviews(self) -> None:
		"""A review every six weeks (held a few days early); the last one due may be missed (overdue)."""
		from ap_framework.rules import dates, plan

		p, r = self.p, self.r
		interval = self.ref.settings.review_interval_days
		due = p.start + timedelta(days=interval)
		last_day = p.end or self.today
		n = 0
		while due <= last_day:
			upcoming = due + timedelta(days=interval)
			if p.status == "Active" and upcoming > self.today and r.random() < 0.1:
				break  # the latest review due was never held: overdue
			held = max(p.start, due - timedelta(days=r.randint(0, 7)))
			if held > self.today:
				break
			n += 1
			name = f"{PREFIX}REV-{p.serial:06d}-{n:02d}"
			nxt = plan.next_review(held, interval)
			ending = p.end is not None and nxt > p.end
			decision = "End" if ending else _pick(r, (("Continue", 85), ("Change", 15)))
			_ensure(
				dates.not_in_future("review_date", held, self.today, "")
				+ dates.order("start_date", p.start, "review_date", held, "", "")
				+ plan.check_review(held, nxt, interval, "x", "x", decision),
				name,
			)
			stamp = _at(held, 14 * 60 + r.randint(0, 120))
			self.w.add(
				"Plan Review",
				{
					"name": name,
					**_base(stamp, self.lead, docstatus=1),
					"placement": p.name,
					"pupil": self.pupil.name,
					"pupil_name": self.pupil.full_name,
					"school": self.school.name,
					"provider": self.provider.name,
					"pupil_plan": self.plan_name,
					"review_date": held,
					"decision": decision,
					"next_review_date": nxt,
					"pupil_voice": r.choice(
						(
							"I like the workshop days.",
							"Mornings are hard but I'm getting there.",
							"I want to go back to my school.",
						)
					),
					"parent_voice": r.choice(
						("Much calmer at home.", "Still struggles to get up.", "Happy with the progress.")
					),
					"provider_input": "Settling well; attendance discussed.",
					"decision_notes": None,
				},
			)
			for idx, (who, role) in enumerate(
				(
					("Pupil", "Pupil"),
					("Parent", "Parent/Carer"),
					("AP Lead", "School"),
					("Key worker", "AP Provider"),
				),
				1,
			):
				self.w.add(
					"Plan Review Attendee",
					{
						**_child(name, "Plan Review", "attendees", idx, stamp, self.lead),
						"docstatus": 1,
						"attendee_name": who,
						"attendee_role": role,
					},
				)
			for idx, (domain, objective, _c) in enumerate(self.objectives[:2], 1):
				self.w.add(
					"Plan Review Progress",
					{
						**_child(name, "Plan Review", "progress", idx, stamp, self.lead),
						"docstatus": 1,
						"domain": domain,
						"objective": objective,
						"progress": _pick(
							r,
							(
								("Some Progress", 45),
								("Good Progress", 30),
								("Not Started", 10),
								("Regressed", 8),
								("Achieved", 7),
							),
						),
					},
				)
			if r.random() < 0.3:
				self._review_input(f"{name}", held - timedelta(days=r.randint(1, 6)), "Used", name)
			self.last_review, self.next_review, self.last_change = held, nxt, stamp
			due = nxt
		if (
			p.status == "Active"
			and self.next_review
			and 0 <= (self.next_review - self.today).days <= 14
			and r.random() < 0.4
		):
			self._review_input(
				f"{PREFIX}RIN-{p.serial:06d}", self.today - timedelta(days=r.randint(0, 9)), "Open", None
			)

	def _review_input(self, key: str, on: date, status: str, review: str | None) -> None:
		on = max(on, self.p.start)
		name = key.replace(f"{PREFIX}REV-", f"{PREFIX}RIN-")
		self.w.add(
			"Review Input",
			{
				"name": name,
				**_base(_at(on, 16 * 60), self.provider.portal_user),
				"placement": self.p.name,
				"pupil": self.pupil.name,
				"pupil_name": self.pupil.full_name,
				"school": self.school.name,
				"provider": self.provider.name,
				"input_date": on,
				"status": status,
				"plan_review": review,
				"pupil_words": "I'm doing better at maths." if self.r.random() < 0.6 else None,
				"provider_input": "Good week overall; two difficult mornings.",
			},
		)

	# reintegration --------------------------------------------------------------------------------
	def reintegration(self) -> None:
		from ap_framework.rules import reintegration

		p, r = self.p, self.r
		if p.status == "Ended":
			if p.end_outcome != "Reintegrated to Home School" or r.random() > 0.9:
				return
			target = p.end
		elif (p.planned_end - self.today).days <= 60 and r.random() < 0.7:
			target = p.planned_end
		else:
			return
		weeks, every = 6, 2
		stages = []
		if (target - p.start).days >= 35:
			stages = [
				reintegration.Stage(target - timedelta(days=28), target - timedelta(days=15), 1),
				reintegration.Stage(target - timedelta(days=14), target - timedelta(days=1), 2),
			]
		name = f"{PREFIX}RIP-{p.serial:06d}"
		_ensure(reintegration.check(target, p.start, weeks, stages), name)
		ends = reintegration.monitoring_end(target, weeks)
		self.return_plan = (target, ends)
		stamp = min(_at(target - timedelta(days=35), 11 * 60), self.now)
		stamp = max(stamp, _at(p.start, 12 * 60))
		self.w.add(
			"Reintegration Plan",
			{
				"name": name,
				**_base(stamp, self.lead),
				"placement": p.name,
				"pupil": self.pupil.name,
				"pupil_name": self.pupil.full_name,
				"school": self.school.name,
				"provider": self.provider.name,
				"target_date": target,
				"monitoring_weeks": weeks,
				"monitoring_end_date": ends,
				"check_in_weeks": every,
				"support": "A key adult at the home school; a quiet base at break.",
				"adaptations": "Reduced timetable for the first fortnight.",
				"staff_briefing": "Triggers and strategies shared with the year team.",
				"staff_briefed_on": target - timedelta(days=7)
				if target - timedelta(days=7) <= self.today
				else None,
			},
		)
		for s, hours in zip(stages, (10.0, 20.0), strict=False):
			self.w.add(
				"Reintegration Stage",
				{
					**_child(name, "Reintegration Plan", "stages", s.row, stamp, self.lead),
					"from_date": s.start,
					"to_date": s.end,
					"hours_in_school": hours,
					"arrangement": "Mornings in school, afternoons at the provider"
					if s.row == 1
					else "Full days in school, one day at the provider",
				},
			)

	# domain assessments ---------------------------------------------------------------------------
	def assessments(self) -> None:
		"""A baseline soon after the start, then about every three to four weeks; after a return to school,
		check-ins every two weeks while the pupil is monitored."""
		from ap_framework.rules import dates, reintegration

		p, r = self.p, self.r
		ranges = self.ref.ranges
		domains = [d for d in self.ref.domains if d in ranges]
		when, days = [], p.start + timedelta(days=r.randint(0, 10))
		while days <= self.last_day:
			when.append(days)
			days += timedelta(days=ASSESS_EVERY_DAYS + r.randint(-6, 6))
		if not when:
			when = [p.start]
		scores = {d: r.randint(ranges[d][0], min(ranges[d][1], ranges[d][0] + 2)) for d in domains}
		n = 0
		for n, on in enumerate(when, 1):
			if n > 1:
				scores = {
					d: min(ranges[d][1], max(ranges[d][0], s + r.choice((-1, 0, 0, 0, 1, 1))))
					for d, s in scores.items()
				}
			self._assessment(n, on, n == 1, scores, after=False, fell_back=None)
			_ensure(
				dates.within("assessment_date", on, p.start, p.end, "", ""), f"assessment {n} of {p.name}"
			)
		if p.status != "Ended" or p.end_outcome != "Reintegrated to Home School":
			return
		ends = self.return_plan[1] if self.return_plan else p.end + timedelta(weeks=6)
		before = dict(scores)
		on = p.end + timedelta(weeks=2)
		while on <= min(ends, self.today):
			if r.random() < 0.75:
				n += 1
				now = {
					d: min(ranges[d][1], max(ranges[d][0], s + r.choice((-1, 0, 0, 0, 1))))
					for d, s in before.items()
				}
				fell = reintegration.fallbacks(before, now)
				self._assessment(n, on, False, now, after=True, fell_back=", ".join(fell) or None)
				_ensure(
					dates.within("assessment_date", on, p.start, ends, "", ""), f"check-in {n} of {p.name}"
				)
			on += timedelta(weeks=2)

	def _assessment(self, n: int, on: date, baseline: bool, scores: dict, after: bool, fell_back) -> None:
		from ap_framework.rules import assessment, dates

		p, r = self.p, self.r
		name = f"{PREFIX}DA-{p.serial:06d}-{n:02d}"
		listed = [assessment.Score(d, s, i) for i, (d, s) in enumerate(scores.items(), 1)]
		_ensure(
			assessment.check_scores(listed, self.ref.ranges)
			+ assessment.check_single_baseline(baseline, [])
			+ dates.not_in_future("assessment_date", on, self.today, ""),
			name,
		)
		by_provider = not after and r.random() < 0.7
		assessor = self.provider.portal_user if by_provider else self.lead
		stamp = min(_at(on, 15 * 60 + r.randint(0, 90)), self.now)
		self.w.add(
			"Domain Assessment",
			{
				"name": name,
				**_base(stamp, assessor, docstatus=1),
				"placement": p.name,
				"pupil": self.pupil.name,
				"pupil_name": self.pupil.full_name,
				"school": self.school.name,
				"provider": self.provider.name,
				"assessment_date": on,
				"is_baseline": int(baseline),
				"after_reintegration": int(after),
				"fell_back": fell_back,
				"assessor": assessor,
				"assessor_role": "AP Provider" if by_provider else "School",
				"strengths": r.choice(
					(
						"Creative; good with younger pupils.",
						"Practical and keen in the workshop.",
						"Kind to peers; loves sport.",
					)
				),
				"barriers": r.choice(
					("Anxiety in busy spaces.", "Low confidence in reading.", "Struggles with transitions.")
				),
				"evidence": "Key worker observations over the period.",
				"pupil_voice": "I find it easier here." if r.random() < 0.5 else None,
			},
		)
		for s in listed:
			self.w.add(
				"Domain Assessment Score",
				{
					**_child(name, "Domain Assessment", "scores", s.row, stamp, assessor),
					"docstatus": 1,
					"domain": s.domain,
					"score": s.score,
					"level_descriptor": self.ref.descriptors.get((s.domain, s.score)),
				},
			)

	# contacts, risk, concerns ---------------------------------------------------------------------
	def contacts(self) -> None:
		"""Visits about every six weeks, calls about every four, follow-ups when attendance is low."""
		from ap_framework.rules import contact, dates

		p, r = self.p, self.r
		logs: list[tuple[date, str]] = []
		day = p.start + timedelta(days=r.randint(7, 21))
		while day <= self.last_day:
			if r.random() < 0.85:
				logs.append((day, "Announced Visit" if r.random() < 0.7 else "Unannounced Visit"))
			day += timedelta(days=42 + r.randint(-7, 7))
		day = p.start + timedelta(days=r.randint(3, 14))
		while day <= self.last_day:
			if r.random() < 0.6:
				logs.append((day, "Phone"))
			day += timedelta(days=28 + r.randint(-5, 5))
		if self.pupil.attendance < 0.88:
			for _k in range(r.randint(1, 3)):
				day = self.last_day - timedelta(days=r.randint(0, 50))
				if day >= p.start:
					logs.append((day, "Attendance Follow-up"))
		if r.random() < 0.05:
			logs.append(
				(p.start + timedelta(days=r.randint(0, max(0, (self.last_day - p.start).days))), "Home Visit")
			)
		if r.random() < 0.1:
			logs.append(
				(
					p.start + timedelta(days=r.randint(0, max(0, (self.last_day - p.start).days))),
					r.choice(("Email", "Meeting")),
				)
			)
		logs.sort()
		for n, (day, kind) in enumerate(logs, 1):
			when = min(_at(_weekday_on_or_before(day), r.randint(9 * 60, 16 * 60)), self.now)
			name = f"{PREFIX}LOG-{p.serial:06d}-{n:03d}"
			_ensure(
				contact.check(kind, True, self.provider.name, self.provider.name)
				+ dates.not_in_future("contact_datetime", when.date(), self.today, ""),
				name,
			)
			follow = kind == "Attendance Follow-up" or r.random() < 0.15
			self.w.add(
				"Contact Log",
				{
					"name": name,
					**_base(when, self.lead),
					"placement": p.name,
					"provider": self.provider.name,
					"pupil": self.pupil.name,
					"pupil_name": self.pupil.full_name,
					"school": self.school.name,
					"contact_datetime": when,
					"contact_type": kind,
					"with_whom": r.choice(("Key worker", "Centre manager", "Parent", "Tutor")),
					"summary": r.choice(FOLLOW_UPS)
					if kind == "Attendance Follow-up"
					else r.choice(SUMMARIES),
					"work_seen": "Maths and English workbooks"
					if "Visit" in kind and kind != "Home Visit"
					else None,
					"follow_up_actions": "Check attendance again next week." if follow else None,
					"follow_up_due": when.date() + timedelta(days=7) if follow else None,
				},
			)

	def risk(self) -> None:
		"""Assessed before the start and reviewed every twelve weeks; now and then a review is late."""
		from ap_framework.rules import dates, risk

		p, r = self.p, self.r
		base = _pick(r, (("Low", 40), ("Medium", 45), ("High", 15)))
		if self.pupil.welfare["child_protection"] and base == "Low":
			base = "Medium"
		on = min(
			(p.approved_on.date() if p.approved_on else p.start) - timedelta(days=r.randint(0, 5)), self.today
		)
		n = 0
		while True:
			n += 1
			review = on + timedelta(days=84)
			rating = base if r.random() < 0.8 else _pick(r, (("Low", 40), ("Medium", 45), ("High", 15)))
			mitigations = (
				"Taxi with a known driver; arrival call; a named adult at the provider."
				if rating != "Low" or r.random() < 0.5
				else None
			)
			welfare = "Daily check-in with the DSL; weekly call home." if rating == "High" else None
			name = f"{PREFIX}RA-{p.serial:06d}-{n:02d}"
			_ensure(
				dates.not_in_future("assessment_date", on, self.today, "")
				+ dates.order("assessment_date", on, "review_date", review, "", "", allow_equal=False)
				+ risk.check(rating, mitigations, welfare),
				name,
			)
			self.w.add(
				"Risk Assessment",
				{
					"name": name,
					**_base(min(_at(on, 13 * 60), self.now), self.lead),
					"placement": p.name,
					"pupil": self.pupil.name,
					"pupil_name": self.pupil.full_name,
					"school": self.school.name,
					"provider": self.provider.name,
					"assessment_date": on,
					"review_date": review,
					"overall_rating": rating,
					"assessed_by": self.lead if self.lead != "Administrator" else None,
					"exploitation_risk": int(r.random() < 0.12),
					"missing_episodes": int(r.random() < 0.06),
					"travel_risk": int(r.random() < 0.3),
					"part_time_timetable": int(any(d for d in p.slots) and len(p.slots) < 5),
					"self_harm": int(r.random() < 0.07),
					"substance_misuse": int(r.random() < 0.08),
					"mitigations": mitigations,
					"welfare_plan": welfare,
				},
			)
			next_on = review - timedelta(days=r.randint(0, 7))
			if review > self.today or next_on > self.today or (p.end and next_on > p.end):
				break
			if p.status == "Active" and r.random() < 0.08:
				break  # the review is overdue
			on = next_on

	def concern(self) -> None:
		from ap_framework.rules import contact

		p, r = self.p, self.r
		span = max(0, (self.last_day - p.start).days)
		when = min(_at(p.start + timedelta(days=r.randint(0, span)), r.randint(9 * 60, 15 * 60)), self.now)
		details = r.choice(
			(
				"Pupil said an older boy has been asking them to carry a bag after school.",
				"Bruising seen on the pupil's arm; the pupil said they fell.",
				"Pupil disclosed not eating at home over the weekend.",
			)
		)
		_ensure(contact.check_concern(details, self.pupil.name, self.pupil.name), f"concern about {p.name}")
		raised_by = self.provider.portal_user if r.random() < 0.5 else (self.school.dsl or self.lead)
		self.w.add(
			"Safeguarding Concern",
			{
				"name": f"{PREFIX}SGC-{p.serial:06d}",
				**_base(when, raised_by),
				"pupil": self.pupil.name,
				"pupil_name": self.pupil.full_name,
				"school": self.school.name,
				"placement": p.name,
				"provider": self.provider.name,
				"raised_on": when,
				"raised_by": raised_by,
				"details": details,
				"actions_taken": "Passed to the school's DSL the same day; referral considered."
				if r.random() < 0.8
				else None,
			},
		)


ASSESS_EVERY_DAYS = 25


# ---- generate, top up, drop -------------------------------------------------------------------------
def _stored() -> tuple[int, datetime, int, int] | None:
	value = frappe.db.get_default(ANCHOR_KEY)
	if not value:
		return None
	seed, anchor, schools, providers = value.split("|")
	return int(seed), datetime.fromisoformat(anchor), int(schools), int(providers)


def counts() -> dict[str, int]:
	"""Rows of the dataset per DocType (its users by their address, child rows by their parent)."""
	out = {}
	for doctype in DOCTYPES:
		out[doctype] = frappe.db.sql(f"select count(*) from `tab{doctype}` where {_mine(doctype)}")[0][0]
	return out


CHILDREN = {
	"Has Role",
	"AP Provider Contact",
	"QA Audit Item",
	"QA Audit Action",
	"Pupil Contact",
	"Placement Session",
	"Placement Funding",
	"Domain Assessment Score",
	"Plan Objective",
	"Plan Review Attendee",
	"Plan Review Progress",
	"Reintegration Stage",
}


def _mine(doctype: str) -> str:
	users = frappe.db.escape(f"nat-%@{EMAIL_DOMAIN}")
	mine = frappe.db.escape(f"{PREFIX}%")
	if doctype == "User":
		return f"name like {users}"
	if doctype == "Has Role":
		return f"parenttype = 'User' and parent like {users}"
	if doctype == "User Permission":
		return f"user like {users}"
	if doctype in CHILDREN:
		return f"parent like {mine}"
	if doctype == "AP Attendance":
		return f"placement like {mine}"  # also the marks benchmarks saved over HTTP (random names)
	return f"name like {mine}"


def generate(
	seed: int = 15,
	placements: int = 50000,
	schools: int = 3000,
	providers: int = 1500,
	as_at: datetime | None = None,
	plan_only: bool = False,
	log=print,
) -> dict:
	"""Build (or top up to) the national dataset; returns what it made, the row counts and the time taken.

	Idempotent: a second call with the same arguments adds nothing; a larger `placements` adds the rest.
	The seed and the shape (schools, providers) are fixed by the first run: drop the data to change them."""
	t0 = time.perf_counter()
	frappe.flags.mute_emails = True
	stored = _stored()
	if stored:
		if stored[0] != seed or stored[2:] != (schools, providers):
			raise SystemExit(
				f"The site holds a national dataset with seed {stored[0]}, {stored[2]} schools and {stored[3]} "
				f"providers; drop it first (--drop) to build another."
			)
		anchor = stored[1]
	else:
		anchor = as_at or anchor_for(frappe.utils.now_datetime())
	ref = reference()
	world = plan_world(seed, schools, providers, anchor)
	world.term_days = sorted(
		d
		for d in (world.window + timedelta(days=i) for i in range((anchor.date() - world.window).days + 1))
		if world.calendar.term_day(d)
	)
	world.midnight = {d: datetime.combine(d, clock()) for d in world.term_days}
	pupils = plan_pupils(world, placements)
	planned_at = time.perf_counter()
	log(
		f"planned {len(pupils)} pupils, {sum(len(p.placements) for p in pupils)} placements over {schools} schools "
		f"and {providers} providers, as at {anchor:%a %d %b %Y %H:%M}, registers from {world.window}"
		f" ({len(world.term_days)} term days) in {planned_at - t0:.1f} s",
		flush=True,
	)
	writer = Writer(plan_only)
	rows = Rows(world, ref, writer)
	if not stored:  # the schools, providers and staff: written whole before the anchor is kept
		rows.users()
		rows.schools()
		rows.providers()
		writer.flush()
	if not stored and not plan_only:
		frappe.db.set_default(ANCHOR_KEY, f"{seed}|{anchor.isoformat()}|{schools}|{providers}")
		frappe.db.commit()
	have_pupils = set(frappe.get_all("Pupil", filters={"name": ("like", f"{PREFIX}PUP-%")}, pluck="name"))
	have_placements = set(
		frappe.get_all("Placement", filters={"name": ("like", f"{PREFIX}PLC-%")}, pluck="name")
	)
	todo = [
		p
		for p in pupils
		if p.name not in have_pupils or any(x.name not in have_placements for x in p.placements)
	]
	log(f"{len(pupils) - len(todo)} pupils already there; {len(todo)} to write", flush=True)
	written, last_log = 0, time.perf_counter()
	for i in range(0, len(todo), BATCH):
		for pupil in todo[i : i + BATCH]:
			if pupil.name in have_pupils:  # topped up: only its placements not yet there
				for placed in pupil.placements:
					if placed.name not in have_placements:
						rows.placement(pupil, placed, [o for o in pupil.placements if o is not placed])
			else:
				rows.pupil(pupil)
		writer.flush()
		written += len(todo[i : i + BATCH])
		if time.perf_counter() - last_log > 20 or written == len(todo):
			spent = time.perf_counter() - planned_at
			log(
				f"  {written}/{len(todo)} pupils, {writer.planned['AP Attendance']} marks, "
				f"{spent:.0f} s (about {spent / written * (len(todo) - written):.0f} s to go)",
				flush=True,
			)
			last_log = time.perf_counter()
	if not plan_only:
		from ap_framework.provision import registration

		registration.refresh(
			[p.name for p in world.providers]
		)  # the registration test, as the controllers keep it
		from ap_framework.placement import attendance_window

		attendance_window.rebuild(anchor.date())  # the four weeks' sums, as the night's job keeps them
		from ap_framework.oversight import placement_evidence

		placement_evidence.rebuild()  # what each placement's records show, as the night's job keeps it
		from ap_framework.placement import registers_due

		registers_due.rebuild(anchor.date())  # the anchor day's registers due, as the night's job writes them
		frappe.db.commit()
		frappe.clear_cache()  # users, roles and user permissions written underneath the cache
	seconds = time.perf_counter() - t0
	return {
		"seconds": seconds,
		"database_seconds": dict(writer.seconds),
		"anchor": anchor,
		"window": world.window,
		"made": dict(writer.planned),
		"counts": dict(writer.planned) if plan_only else counts(),
	}


# What each controller derives, compared after validate() on records read back (child rows: table, fields).
DERIVED = {
	"School": ([], None),
	"AP Provider": (["is_registered_school"], None),
	"Safeguarding Assurance": ([], None),
	"Provider Policy": ([], None),
	"QA Audit": ([], None),
	"Pupil": (["full_name", "upn"], None),
	"Pupil Welfare": (["ehcp"], None),
	"Placement": (
		[
			"hours_per_week",
			"is_part_time",
			"home_school_code",
			"census_urn",
			"census_ukprn",
			"census_attendance_pattern",
			"census_sessions",
			"next_review_date",
			"rate",
			"planned_units",
			"planned_cost",
		],
		("timetable", ["covers_am", "covers_pm"]),
	),
	"AP Attendance": ([], None),
	"Domain Assessment": (["after_reintegration"], ("scores", ["level_descriptor"])),
	"Pupil Plan": ([], None),
	"Plan Review": (["next_review_date"], None),
	"Review Input": ([], None),
	"Contact Log": ([], None),
	"Risk Assessment": ([], None),
	"Reintegration Plan": (["monitoring_end_date"], None),
}


def verify(per_doctype: int = 40, seed: int = 15, log=print) -> list[str]:
	"""Read records of the dataset back and run each through its controller, as a save would: validate()
	(and before_submit() for submitted ones) must pass and leave every derived field as it was written.
	Returns what failed (empty: all passed). Nothing is saved."""
	rng = random.Random(f"verify:{seed}")
	failed, checked = [], Counter()
	placements = frappe.get_all("Placement", filters={"name": ("like", f"{PREFIX}PLC-%")}, pluck="name")
	around = rng.sample(placements, min(per_doctype, len(placements)))
	for doctype, (fields, child) in DERIVED.items():
		if doctype != "Placement" and frappe.get_meta(doctype).has_field("placement"):
			# records of a sample of placements (by the placement index: these tables are large)
			names = [
				r[0]
				for r in frappe.db.sql(
					f"select name from `tab{doctype}` where placement in %(p)s and {_mine(doctype)}",
					{"p": around},
				)
			]
		else:
			names = [r[0] for r in frappe.db.sql(f"select name from `tab{doctype}` where {_mine(doctype)}")]
		for name in sorted(rng.sample(names, min(per_doctype, len(names)))):
			doc = frappe.get_doc(doctype, name)
			doc.load_doc_before_save()  # as a save does: what the record held is what "changed" compares with
			before = doc.as_dict()
			try:
				for method in ("before_validate", "validate") + (
					("before_submit",) if doc.docstatus == 1 else ()
				):
					doc.run_method(method)
			except frappe.ValidationError as e:
				failed.append(f"{doctype} {name}: {e}")
				continue
			finally:
				frappe.clear_messages()
			changed = [f for f in fields if _differs(before.get(f), doc.get(f))]
			if child:
				table, child_fields = child
				for old, new in zip(before.get(table) or [], doc.get(table) or [], strict=False):
					changed += [f"{table}.{f}" for f in child_fields if _differs(old.get(f), new.get(f))]
			if changed:
				failed.append(f"{doctype} {name}: the controller derives {', '.join(changed)} otherwise")
			checked[doctype] += 1
	frappe.db.rollback()
	log(
		f"verified {sum(checked.values())} records through their controllers ("
		+ ", ".join(f"{d} {n}" for d, n in checked.items())
		+ f"): {len(failed)} failed"
	)
	for f in failed[:20]:
		log("  failed: " + f)
	return failed


def _differs(a, b) -> bool:
	if a in (None, "") and b in (None, "", 0):
		return False
	if isinstance(a, int | float) or isinstance(b, int | float):
		return abs(float(a or 0) - float(b or 0)) > 1e-6
	return str(a) != str(b)


def drop(log=print) -> dict[str, int]:
	"""Remove the dataset and what the jobs and benchmarks made about it, set-based: 50,000 rows a statement,
	committed as it goes, or a table emptied at once when it holds nothing else. The Safeguarding Access
	Log is left as it is: nobody deletes from it."""
	t0 = time.perf_counter()
	users = frappe.db.escape(f"nat-%@{EMAIL_DOMAIN}")
	mine = frappe.db.escape(f"{PREFIX}%")
	domain = frappe.db.escape(f"%@{EMAIL_DOMAIN}")
	removed: Counter = Counter()

	def delete(table: str, where: str) -> None:
		if not frappe.db.sql(f"select 1 from `{table}` where not ({where}) limit 1"):
			# The table holds nothing else (a benchmark site): emptied at once, as `truncate` does.
			removed[table] += frappe.db.sql(f"select count(*) from `{table}`")[0][0]
			frappe.db.commit()
			frappe.db.sql_ddl(f"truncate `{table}`")
			return
		while True:
			frappe.db.sql(f"delete from `{table}` where {where} limit 50000")
			n = frappe.db._cursor.rowcount
			frappe.db.commit()
			removed[table] += n
			if n < 50000:
				return

	queued = [
		r[0]
		for r in frappe.db.sql(
			f"select distinct parent from `tabEmail Queue Recipient` where recipient like {domain}"
		)
	]
	for i in range(0, len(queued), 1000):
		names = ", ".join(frappe.db.escape(n) for n in queued[i : i + 1000])
		delete("tabEmail Queue Recipient", f"parent in ({names})")
		delete("tabEmail Queue", f"name in ({names})")
	delete(
		"tabAP Alert",
		f"reference_name like {mine} or school like {mine} or provider like {mine} or recipient like {domain}",
	)
	delete("tabToDo", f"reference_name like {mine} or allocated_to like {users}")
	delete("tabComment", f"reference_name like {mine}")
	delete("tabNotification Log", f"for_user like {users}")
	delete("tabVersion", f"docname like {mine}")
	delete("tabError Log", f"reference_name like {mine}")
	for doctype in reversed(DOCTYPES):
		delete(f"tab{doctype}", _mine(doctype))
	delete("tabNotification Settings", f"name like {users}")
	delete("tabDefaultValue", f"parent like {users}")
	delete("__Auth", f"doctype = 'User' and name like {users}")
	delete("tabSessions", f"user like {users}")
	delete("tabActivity Log", f"user like {users}")
	frappe.db.sql("delete from `tabDefaultValue` where parent = '__default' and defkey = %s", ANCHOR_KEY)
	frappe.db.commit()
	frappe.clear_cache()
	log(
		f"dropped in {time.perf_counter() - t0:.0f} s: "
		+ ", ".join(f"{t[3:] if t.startswith('tab') else t} {n}" for t, n in removed.items() if n)
	)
	return dict(removed)


def print_counts(made: dict[str, int], log=print) -> None:
	width = max(len(d) for d in DOCTYPES)
	log(f"  {'DocType':{width}}  {'rows':>10}")
	for doctype in DOCTYPES:
		log(f"  {doctype:{width}}  {made.get(doctype, 0):>10,}")


def main():
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--seed", type=int, default=15)
	parser.add_argument("--placements", type=int, default=50000)
	parser.add_argument("--schools", type=int, default=3000)
	parser.add_argument("--providers", type=int, default=1500)
	parser.add_argument("--plan-only", action="store_true", help="plan and check every row, write nothing")
	parser.add_argument("--drop", action="store_true", help="remove the dataset (everything named NAT-)")
	parser.add_argument(
		"--verify",
		type=int,
		default=40,
		metavar="N",
		help="records per DocType run through their controllers",
	)
	args = parser.parse_args()
	connect(os.environ["AP_SITE"])
	if args.drop:
		drop()
		return
	out = generate(args.seed, args.placements, args.schools, args.providers, plan_only=args.plan_only)
	print(
		f"{'planned' if args.plan_only else 'built'} in {out['seconds']:.0f} s (as at {out['anchor']}); rows:"
	)
	print_counts(out["counts"])
	if not args.plan_only:
		if args.verify:
			verify(args.verify, args.seed)
		spent = out["database_seconds"]
		print(
			f"  made this run: {sum(out['made'].values()):,} rows; database time {sum(spent.values()):.0f} s, most in "
			+ ", ".join(f"{d} {t:.0f} s" for d, t in sorted(spent.items(), key=lambda x: -x[1])[:6])
		)


if __name__ == "__main__":
	main()
