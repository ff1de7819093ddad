"""The national-scale targets, each printed beside its figure (a script that prints figures, not a test).

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/national_targets.py \
		[--sizes 10000 50000] [--seed 15] [--users 100] [--seconds 60] [--skip-jobs|reports|http]
		[--jobs reviews weekly_digest]

On the national dataset (benchmarks/national.py), built or topped up to each size, smallest first:
1. Every oversight job (ap_framework/oversight/jobs.py) run twice as at the dataset's anchor (a school
   day, 14:00): the first run finds everything new and delivers it (targets: 60 s, alerts included), the
   second finds the same and sends nothing (5 s); the queries of each, at each size (the second run's
   should not grow with the data). A run that hands its alerts to the long queue (the weekly digest over
   a whole LA) is timed until `--rq-workers` burst workers have raised them all. What the jobs wrote is
   deleted after each size.
2. At the largest size: the readiness board for the whole dataset (1 s) and for one school (150 ms),
   the planning-call pack for one school (150 ms) and every workspace number card (100 ms each), as
   Administrator and as that school's AP Lead (scoped by a User Permission on School), each beside the
   time of the same SQL run raw, with EXPLAIN of the slowest statements.
3. A register saved over HTTP beside the site's own /api/method/ping (medians of the same run, target 2x),
   then `--users` provider users saving registers at once for `--seconds` against gunicorn with the
   workers a production bench runs (0 errors, p95 1 s). The registers they save are taken out of the
   dataset first and put back afterwards.
Ends with a table: target, figure, met. Commits: use a site kept for benchmarks.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from _common import (
	Recorder,
	closed_loop,
	connect,
	drain_long_queue,
	frappe,
	gunicorn,
	login,
	production_workers,
)

SITE = os.environ["AP_SITE"]
connect(SITE)
frappe.local.conf.mail_server = "smtp.invalid"  # an outgoing account for the Email Queue (never used)
logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)  # the email inliner's complaints about Frappe's CSS

import national  # noqa: E402
from frappe.installer import update_site_config  # noqa: E402

from ap_framework.oversight import jobs  # noqa: E402

JOBS = ["attendance_deadlines", "low_attendance", "reviews", "providers", "placements", "weekly_digest"]
PASSWORD = "Nat-" + frappe.generate_hash(length=12)


@dataclass
class Row:
	what: str
	target: str
	figure: str
	met: bool | None  # None: printed for information, no target


TABLE: list[Row] = []


def note(what: str, target: str, figure: str, met: bool | None) -> None:
	TABLE.append(Row(what, target, figure, met))


# ---- timing in-process ------------------------------------------------------------------------------
@dataclass
class Timing:
	ms: float
	queries: int
	raw_ms: float
	value: object
	statements: list  # (ms, query, values), slowest first


def timed(fn) -> Timing:
	"""Median wall time of fn() over five runs (one or three when it takes seconds), after one to warm the
	caches as a running site has them; its queries; and the same statements run raw (the report's own
	overhead is the difference)."""
	t0 = time.perf_counter()
	value = fn()
	warm = time.perf_counter() - t0
	repeat = 5 if warm < 1 else (3 if warm < 5 else 1)
	times = []
	for _ in range(repeat):
		with Recorder() as rec:
			t0 = time.perf_counter()
			value = fn()
			times.append(time.perf_counter() - t0)
	raw, each = [], {}
	for _ in range(repeat):
		t0 = time.perf_counter()
		for i, (query, values) in enumerate(rec.statements):
			s0 = time.perf_counter()
			frappe.db.sql(query, values)
			each.setdefault(i, []).append(time.perf_counter() - s0)
		raw.append(time.perf_counter() - t0)
	slowest = sorted(
		((statistics.median(t) * 1000, *rec.statements[i]) for i, t in each.items()), key=lambda x: -x[0]
	)
	return Timing(
		statistics.median(times) * 1000, len(rec.statements), statistics.median(raw) * 1000, value, slowest
	)


EXPLAINED: list[tuple[str, float, str, object]] = []


def figure(label: str, fn, target_ms: float | None, show=lambda v: "") -> Timing:
	t = timed(fn)
	met = None if target_ms is None else t.ms <= target_ms
	print(
		f"  {label:58} {t.ms:8.1f} ms (target {f'{target_ms:.0f} ms' if target_ms else '-':>7}) "
		f"{t.queries:3} queries, raw SQL {t.raw_ms:7.1f} ms {show(t.value)}",
		flush=True,
	)
	note(
		label,
		f"<= {target_ms:.0f} ms" if target_ms else "-",
		f"{t.ms:.0f} ms (raw SQL {t.raw_ms:.0f} ms)",
		met,
	)
	if met is False or t.ms > 100:
		for ms, query, values in t.statements[:2]:
			if ms > 20:
				EXPLAINED.append((label, ms, query, values))
	return t


def explain(label: str, ms: float, query: str, values) -> None:
	print(f"\n  {label}: slowest statement {ms:.0f} ms\n    {' '.join(str(query).split())[:600]}")
	if not str(query).lstrip().lower().startswith("select"):
		return
	for r in frappe.db.sql("explain " + str(query), values, as_dict=True):
		print(
			f"    {r.get('id')} {r.get('select_type', ''):10} {r.get('table') or '':28} type={r.get('type')} "
			f"key={r.get('key')} rows={r.get('rows')} {r.get('Extra') or ''}"
		)


# ---- the jobs ---------------------------------------------------------------------------------------
def run_job(job: str, now: datetime, rq_workers: int) -> tuple[float, int, dict, list]:
	"""The job, and then the jobs it queued on the long queue (a large run's emails), taken by
	`rq_workers` workers: the seconds until the last alert is raised, and this process's queries."""
	with Recorder() as q:
		t0 = time.perf_counter()
		out = getattr(jobs, job)(now=now)
		elapsed = time.perf_counter() - t0
	frappe.db.commit()  # as the scheduler does after a job
	if out.get("queued"):
		out["queued_seconds"] = drain_long_queue(rq_workers)
		out["job_seconds"] = elapsed
		elapsed += out["queued_seconds"]
	return elapsed, q.count, out, q.statements


def slowest_statement(statements: list) -> tuple[float, str, object]:
	"""The statements of a run replayed one by one: (ms, query, values) of the slowest."""
	timings = []
	for query, values in statements:
		t0 = time.perf_counter()
		frappe.db.sql(query, values)
		timings.append(((time.perf_counter() - t0) * 1000, query, values))
	frappe.db.rollback()
	return max(timings, key=lambda t: t[0])


def forget_what_was_sent(since: datetime) -> None:
	"""Delete what the jobs wrote (they commit as they go), so the next size starts from nothing sent."""
	frappe.db.rollback()  # whatever a job left half-done (an interrupted run)
	for doctype in ("AP Alert", "ToDo", "Notification Log", "Error Log"):
		frappe.db.sql(f"delete from `tab{doctype}` where creation >= %s", since)
	frappe.db.sql("delete from `tabComment` where creation >= %s and comment_type like 'Assign%%'", since)
	queued = [r[0] for r in frappe.db.sql("select name from `tabEmail Queue` where creation >= %s", since)]
	for i in range(0, len(queued), 1000):
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued[i : i + 1000])})
		frappe.db.delete("Email Queue", {"name": ("in", queued[i : i + 1000])})
	frappe.db.sql("update `tabPlacement` set _assign = null where name like 'NAT-%%' and _assign is not null")
	frappe.db.commit()


def job_figures(size: int, now: datetime, results: dict, chosen: list[str], rq_workers: int) -> None:
	since = frappe.utils.now_datetime()
	errors_before = frappe.db.count("Error Log")
	# the long-queue workers are other processes: they find the outgoing account in the site's config
	had_mail_server = "mail_server" in frappe.get_site_config()
	if not had_mail_server:
		update_site_config("mail_server", "smtp.invalid")
	try:
		for job in chosen:
			first, second = run_job(job, now, rq_workers), run_job(job, now, rq_workers)
			results[(size, job)] = (first, second)
			if second[0] > 1 and second[1] <= 50:  # finding the alerts is slow: which statement, and why
				EXPLAINED.append((f"job {job}, second run at {size:,}", *slowest_statement(second[3])))
			print(
				f"  {job:22} first run {first[0]:7.1f} s {first[1]:7} queries, {first[2]['new']:6} alerts sent"
				f" | second run {second[0]:6.2f} s {second[1]:4} queries, {second[2]['found']:6} found,"
				f" {second[2]['new']} new",
				flush=True,
			)
			if first[2].get("queued"):
				print(
					f"  {'':22} (first run: {first[2]['job_seconds']:.1f} s finding, then {first[2]['queued']} jobs"
					f" on the long queue, {rq_workers} workers, {first[2]['queued_seconds']:.1f} s)",
					flush=True,
				)
		logged = frappe.db.count("Error Log") - errors_before
		if logged:
			titles = frappe.get_all(
				"Error Log", filters={"creation": (">=", since)}, pluck="method", limit=3, order_by="creation"
			)
			print(f"  ({logged} records skipped and logged by the jobs, for example: {titles})")
	finally:
		if not had_mail_server:
			update_site_config("mail_server", "None")
			frappe.local.conf.mail_server = "smtp.invalid"  # this process's own, as at the start
		forget_what_was_sent(since)


# ---- reports and cards ------------------------------------------------------------------------------
def biggest_school() -> tuple[str, int, str]:
	"""The school with the most active placements that names an AP Lead: (school, placements, lead)."""
	row = frappe.db.sql(
		"""select p.school, count(*) n, s.ap_lead from `tabPlacement` p join `tabSchool` s on s.name = p.school
		where p.name like 'NAT-%%' and p.status = 'Active' and ifnull(s.ap_lead, '') != ''
		group by p.school, s.ap_lead order by n desc limit 1"""
	)[0]
	return row[0], row[1], row[2]


def report_figures(today: date) -> None:
	from frappe.desk.doctype.number_card.number_card import get_result

	from ap_framework.oversight import cards, evidence
	from ap_framework.oversight.report.ap_planning_call_pack.ap_planning_call_pack import execute as pack
	from ap_framework.rules import readiness

	school, active, lead = biggest_school()
	print(f"\nReports and cards (one school: {school}, {active} active placements; its AP Lead {lead})")

	def board(**kw):
		points = readiness.board(evidence.readiness_facts(today=today, **kw))
		return Counter(p.status for p in points), sum(p.count for p in points)

	def show_board(v):
		statuses, faults = v
		return f"-> {dict(statuses)}, {faults} records at fault"

	def show_pack(v):
		return f"-> {len(v[1])} pupils"

	figure("readiness board, whole dataset (Administrator)", board, 1000, show_board)
	figure("readiness board, one school (Administrator)", lambda: board(school=school), 150, show_board)
	figure(
		"planning-call pack, one school (Administrator)",
		lambda: pack({"as_at": today, "school": school}),
		150,
		show_pack,
	)
	figure(
		"planning-call pack, whole dataset (Administrator)", lambda: pack({"as_at": today}), None, show_pack
	)
	doc_cards = [
		frappe.get_doc("Number Card", n) for n in ("AP Pupils in AP Today", "AP Providers Not Approved")
	]
	method_cards = [
		("registers outstanding today", cards.registers_outstanding),
		("reviews overdue", cards.reviews_overdue),
		("assurances expiring", cards.assurances_expiring),
	]
	for user, who in (("Administrator", "Administrator"), (lead, "AP Lead of the school")):
		frappe.set_user(user)
		try:
			if user != "Administrator":
				figure(f"readiness board, scoped ({who})", board, 150, show_board)
				figure(f"planning-call pack, scoped ({who})", lambda: pack({"as_at": today}), 150, show_pack)
			for label, fn in method_cards:
				figure(f"card: {label} ({who})", fn, 100, lambda v: f"-> {v}")
			for card in doc_cards:
				figure(
					f"card: {card.label.lower()} ({who})",
					lambda card=card: get_result(card.as_dict(), card.filters_json),
					100,
					lambda v: f"-> {v}",
				)
			figure(f"chart: attendance rate, 12 weeks ({who})", cards.attendance_rate, None)
			figure(f"chart: placements by provider ({who})", cards.placements_by_provider, None)
		finally:
			frappe.set_user("Administrator")


# ---- over HTTP ---------------------------------------------------------------------------------------
def register_days(anchor: date, n: int) -> list[date]:
	cal = national.Calendar(anchor - timedelta(days=200), anchor)
	out, day = [], anchor - timedelta(days=1)
	while len(out) < n:
		if cal.school_day(day):
			out.append(day)
		day -= timedelta(days=1)
	return out


POSTABLE = {"/", "L", "U", "I", "M", "C", "E", "G", "R", "O", "J1", "Y1", "X"}


def http_figures(anchor: date, users: int, seconds: int, workers: int, think: float) -> None:
	from frappe.utils.password import update_password

	from ap_framework.portal import register

	rng = random.Random(f"http:{anchor}")
	sized = frappe.db.sql(
		"""select provider, count(*) from `tabPlacement` where name like 'NAT-%%' and status = 'Active'
		group by provider having count(*) between 3 and 400 order by provider"""
	)
	chosen = [p for p, _n in rng.sample(sized, min(users + 2, len(sized)))]
	days = register_days(anchor, 60)  # enough that every save in the minute is a new register
	print(
		f"\nOver HTTP: {len(chosen)} providers (3-400 active placements each), AM registers of {len(days)} school days"
	)
	expected = {
		(p, d): list(register.expected(p, d, "AM"))
		for p in chosen
		for d in days  # one query each, before anything is measured
	}
	chosen = [p for p in chosen if sum(1 for d in days if expected[(p, d)]) >= len(days) // 2]
	pupils = sorted(len(expected[(p, days[0])]) for p in chosen)
	print(f"  pupils on a register: median {statistics.median(pupils):.0f}, max {pupils[-1]}")
	values = {"p": chosen, "d": days}
	stash = frappe.db.sql(
		"select * from `tabAP Attendance` where provider in %(p)s and attendance_date in %(d)s and session = 'AM'",
		values,
		as_dict=True,
	)
	marks = {(r.placement, r.attendance_date): r for r in stash}
	frappe.db.sql(
		"delete from `tabAP Attendance` where provider in %(p)s and attendance_date in %(d)s and session = 'AM'",
		values,
	)
	portal = dict(
		frappe.db.sql(
			"select for_value, user from `tabUser Permission` where allow = 'AP Provider' and user like 'nat-%%' and for_value in %(p)s",
			values,
		)
	)
	for p in chosen:
		update_password(portal[p], PASSWORD)
	frappe.db.commit()
	since = frappe.utils.now_datetime()
	print(f"  took out {len(stash)} marks to save again over HTTP (put back afterwards)")

	def payload(provider: str, day: date) -> dict:
		rows = []
		for placement in expected[(provider, day)]:
			was = marks.get((placement, day))
			mark = was.mark if was and was.mark in POSTABLE else ("O" if was else "/")
			late = was.minutes_late if was and mark in ("L", "U") else None
			rows.append({"placement": placement, "mark": mark, "minutes_late": late})
		return {"attendance_date": str(day), "session": "AM", "marks": frappe.as_json(rows)}

	server, url = gunicorn(SITE, workers)
	try:
		# alone: the provider with the median register, then the largest, each beside ping in turn
		by_size = sorted(chosen, key=lambda p: (len(expected[(p, days[0])]), p))
		median, largest = by_size[len(by_size) // 2], by_size[-1]
		crowd = [p for p in chosen if p not in (median, largest)]
		for solo, label in ((median, "median"), (largest, "largest")):
			s = login(url, SITE, portal[solo], PASSWORD)
			pings, saves = [], []
			for day in days[:20] if solo == median else days[20:30]:
				t0 = time.perf_counter()
				s.get(f"{url}/api/method/ping", timeout=60)
				pings.append(time.perf_counter() - t0)
				t0 = time.perf_counter()
				r = s.post(
					f"{url}/api/method/ap_framework.portal.api.save_register",
					data=payload(solo, day),
					timeout=60,
				)
				saves.append(time.perf_counter() - t0)
				if r.status_code != 200:
					print(f"  save refused: {r.status_code} {r.text[:200]}")
			ping, save = statistics.median(pings) * 1000, statistics.median(saves) * 1000
			pupils_on = len(expected[(solo, days[0])])
			print(
				f"  the {label} register ({pupils_on} pupils) alone: save median {save:.0f} ms, "
				f"ping median {ping:.0f} ms: {save / ping:.1f}x"
			)
			note(
				f"register saved over HTTP vs ping, {label} register ({pupils_on} pupils)",
				"<= 2x ping" if solo == median else "-",
				f"{save:.0f} ms vs {ping:.0f} ms: {save / ping:.1f}x",
				save <= 2 * ping if solo == median else None,
			)

		sessions = [(login(url, SITE, portal[p], PASSWORD), p) for p in crowd]  # one by one, before the load

		timetabled = {p: [d for d in days if expected[(p, d)]] for p in crowd}  # the days each has a register

		def post(user, i):
			session, provider = user
			day = timetabled[provider][i % len(timetabled[provider])]
			r = session.post(
				f"{url}/api/method/ap_framework.portal.api.save_register",
				data=payload(provider, day),
				timeout=60,
			)
			return None if r.status_code == 200 else f"{r.status_code} {r.text[:60]}"

		load = closed_loop([u for u in sessions if u[0] is not None], post, seconds, think)
		print(
			f"  {len(sessions)} provider users at once for {load.elapsed:.0f} s, each pausing {think:g} s on average"
			f" between registers, gunicorn -w {workers}: {load.summary()}"
		)
		if load.errors:
			print("  first errors:", load.errors[:5])
		note(f"{len(sessions)} provider users at once: errors", "0", str(len(load.errors)), not load.errors)
		note(
			f"{len(sessions)} provider users at once: saves per second (think {think:g} s)",
			"-",
			f"{len(load.latencies) / load.elapsed:.1f}",
			None,
		)
		p95 = load.percentile(0.95) * 1000
		note(
			f"{len(sessions)} provider users at once: p50 / p95",
			"p95 <= 1000 ms",
			f"{load.median * 1000:.0f} / {p95:.0f} ms",
			p95 <= 1000,
		)
	finally:
		server.terminate()
		server.wait(timeout=60)
		frappe.db.rollback()
		frappe.db.sql(
			"delete from `tabAP Attendance` where provider in %(p)s and attendance_date in %(d)s and session = 'AM'",
			values,
		)
		frappe.db.sql(
			"delete from `tabVersion` where ref_doctype = 'AP Attendance' and creation >= %s", since
		)
		if stash:
			fields = list(stash[0])
			national.Writer()._statements(
				"AP Attendance",
				fields,
				["(" + ",".join(national._lit(r[f]) for f in fields) + ")" for r in stash],
			)
		from ap_framework.placement import attendance_window

		attendance_window.rebuild(anchor)  # the four weeks' sums of the marks put back, as at the anchor
		frappe.db.commit()
		print(f"  put back the {len(stash)} marks")


# ---- the run -----------------------------------------------------------------------------------------
def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
	parser.add_argument("--seed", type=int, default=15)
	parser.add_argument("--users", type=int, default=100)
	parser.add_argument("--seconds", type=int, default=60)
	parser.add_argument("--workers", type=int, default=production_workers())
	# A provider's staff take a register, then teach: 5 s between two saves is many times the real pace
	# (a register a session), and 0 runs every user flat out, which measures the server's capacity instead.
	parser.add_argument("--think", type=float, default=5.0)
	parser.add_argument("--skip-jobs", action="store_true")
	parser.add_argument("--jobs", nargs="+", choices=JOBS, default=JOBS, help="only these jobs")
	# the long-queue workers that take a large run's queued alerts: one per core on this machine
	parser.add_argument("--rq-workers", type=int, default=os.cpu_count() or 1)
	parser.add_argument("--skip-reports", action="store_true")
	parser.add_argument("--skip-http", action="store_true")
	args = parser.parse_args()
	pool = frappe.db.sql("select @@innodb_buffer_pool_size, version()")[0]
	print(
		f"site {SITE}, Frappe {frappe.__version__}, MariaDB {pool[1]}, innodb_buffer_pool_size {int(pool[0]) // 2**20} MiB, "
		f"{os.cpu_count()} cores, time zone {frappe.utils.get_system_timezone()}, "
		f"load average {os.getloadavg()[0]:.1f} (the machine may be shared)",
		flush=True,
	)
	results: dict = {}
	sizes = sorted(args.sizes)
	for size in sizes:
		have = frappe.db.count("Placement", {"name": ("like", "NAT-PLC-%")})
		if have > size:
			print(f"\nsize {size}: the dataset already holds {have} placements; drop it to measure this size")
			continue
		print(f"\nsize {size}: building the national dataset", flush=True)
		out = national.generate(args.seed, placements=size, log=lambda *a, **k: print("  ", *a, **k))
		c = out["counts"]
		print(
			f"  ready in {out['seconds']:.0f} s: {c['Placement']:,} placements, {c['AP Attendance']:,} marks, "
			f"{c['Domain Assessment']:,} assessments; as at {out['anchor']:%a %d %b %Y %H:%M}",
			flush=True,
		)
		made = sum(out["made"].values())
		note(
			f"dataset built to {size:,} placements (this step)",
			"minutes",
			f"{out['seconds']:.0f} s, {made:,} rows" if made else "already there",
			None,
		)
		if not args.skip_jobs:
			job_figures(size, out["anchor"], results, args.jobs, args.rq_workers)
	anchor = national._stored()[1]
	measured = sorted({s for s, _j in results})
	at = " / ".join(f"{s // 1000}k" for s in measured)
	for job in [j for j in JOBS if j in args.jobs] if results else []:
		firsts = [results[(s, job)][0] for s in measured]
		seconds = [results[(s, job)][1] for s in measured]
		note(
			f"job {job}: first run, {at}",
			"<= 60 s",
			" / ".join(f"{f[0]:.1f} s ({f[2]['new']:,} alerts)" for f in firsts),
			firsts[-1][0] <= 60,
		)
		note(
			f"job {job}: second run, {at}",
			"<= 5 s",
			" / ".join(f"{f[0]:.2f} s" for f in seconds),
			seconds[-1][0] <= 5,
		)
		note(
			f"job {job}: queries, second run, {at}",
			"same at every size",
			" / ".join(str(f[1]) for f in seconds),
			len({f[1] for f in seconds}) == 1 if len(seconds) > 1 else None,
		)
		note(
			f"job {job}: queries, first run, {at}",
			"- (grows with alerts sent)",
			" / ".join(str(f[1]) for f in firsts),
			None,
		)
	if not args.skip_reports:
		report_figures(anchor.date())
	if not args.skip_http:
		http_figures(anchor.date(), args.users, args.seconds, args.workers, args.think)
	if EXPLAINED:
		print("\nThe slowest statements (EXPLAIN):")
		for item in sorted(EXPLAINED, key=lambda x: -x[1])[:5]:
			explain(*item)
	print(
		f"\nTargets (innodb_buffer_pool_size {int(pool[0]) // 2**20} MiB, {os.cpu_count()} cores, "
		f"load average now {os.getloadavg()[0]:.1f}):"
	)
	width = max(len(r.what) for r in TABLE)
	print(f"| {'what':{width}} | target | figure | met |")
	print(f"| {'-' * width} | --- | --- | --- |")
	for r in TABLE:
		met = "-" if r.met is None else ("yes" if r.met else "**no**")
		print(f"| {r.what:{width}} | {r.target} | {r.figure} | {met} |")


if __name__ == "__main__":
	main()
