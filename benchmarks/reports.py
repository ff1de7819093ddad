"""Benchmark the leadership reports at national scale (a script that prints figures, not a test).

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/reports.py [--scale 50000]

Loads the demo LA topped up to --scale placements (set-based, idempotent), then for the planning-call
pack and the readiness board prints wall time and query count, beside the time of the same SQL run raw
(the report's overhead is the ratio), and the PDF time of the pack for one school.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import Recorder, connect, frappe

SITE = os.environ["AP_SITE"]
connect(SITE)


def measure(label: str, fn, repeat: int = 5) -> None:
	fn()  # warm caches (meta, settings) as a running site has them
	times = []
	for _ in range(repeat):
		with Recorder() as rec:
			t0 = time.perf_counter()
			fn()
			times.append(time.perf_counter() - t0)
	raw = []
	for _ in range(repeat):
		t0 = time.perf_counter()
		for query, values in rec.statements:
			frappe.db.sql(query, values)
		raw.append(time.perf_counter() - t0)
	t, r = statistics.median(times) * 1000, statistics.median(raw) * 1000
	print(
		f"{label}: {t:.0f} ms, {len(rec.statements)} queries; the same SQL raw: {r:.0f} ms; ratio {t / r:.2f}x"
	)


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--scale", type=int, default=50000)
	args = parser.parse_args()
	from ap_framework.setup.demo import make_demo

	t0 = time.perf_counter()
	made = make_demo(scale=args.scale)
	placements = frappe.db.count("Placement")
	print(
		f"data: {placements} placements, {frappe.db.count('AP Attendance')} attendance marks "
		f"(loaded in {time.perf_counter() - t0:.0f} s: {made})"
	)
	from ap_framework.oversight import evidence, packs
	from ap_framework.oversight.report.ap_planning_call_pack.ap_planning_call_pack import execute as pack
	from ap_framework.rules import readiness

	today = frappe.utils.getdate()
	measure("planning-call pack, whole LA", lambda: pack({"as_at": today}))
	school = (
		frappe.get_all("School", filters={"name": ("like", "Demo %")}, pluck="name", limit=1)
		or frappe.get_all("School", pluck="name", limit=1)
	)[0]
	measure(f"planning-call pack, one school ({school})", lambda: pack({"as_at": today, "school": school}))
	measure("readiness board, whole LA", lambda: readiness.board(evidence.readiness_facts(today=today)))
	measure(
		f"readiness board, one school ({school})",
		lambda: readiness.board(evidence.readiness_facts(today=today, school=school)),
	)
	from frappe.utils.pdf import get_pdf

	html = packs.planning_call_html(str(today), school)
	t0 = time.perf_counter()
	pdf = get_pdf(html, {"orientation": "Landscape"})
	print(f"PDF of the pack for {school}: {time.perf_counter() - t0:.1f} s, {len(pdf) // 1024} KiB")


if __name__ == "__main__":
	main()
