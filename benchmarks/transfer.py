"""Benchmark the learner profile that travels (a script that prints figures, not a test).

	AP_BENCH=/opt/bench AP_SITE=sender AP_PARTNER_SITE=receiver /opt/bench/env/bin/python benchmarks/transfer.py [--profiles 100]

1. PDF pack time per pupil: the Learner Profile print format through wkhtmltopdf (print CSS fetched from
   a `frappe serve` of AP_SITE) merged with one PDF attachment by pypdf, with bookmarks and page numbers.
2. Transfer throughput: N frozen profiles (consent, snapshot) sent over real HTTP to a `frappe serve`
   of AP_PARTNER_SITE, one after another, each received as an Incoming Profile.
3. Follow-up: the partner asked what became of all of them (the hourly job's work), with its query count.
On AP_SITE nothing is committed (the run is rolled back); on the partner site everything it makes is
named P<token> and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import uuid

from _common import PYTHON, ROOT, Recorder, connect, frappe, serve
from frappe.utils import add_days, today

SITE = os.environ["AP_SITE"]
PARTNER = os.environ["AP_PARTNER_SITE"]
TOKEN = uuid.uuid4().hex[:6].upper()


def partner(action: str) -> dict:
	import json

	r = subprocess.run(
		[PYTHON, "-m", "tests.integration.transfer.partner", action, TOKEN],
		cwd=ROOT,
		capture_output=True,
		text=True,
		env={**os.environ, "AP_PARTNER_SITE": PARTNER},
		check=True,
	)
	line = next(x for x in r.stdout.splitlines() if x.startswith("AP-PARTNER-JSON "))
	return json.loads(line.split(" ", 1)[1])


def build_pupils(n: int, school: str) -> list:
	from ap_framework.rules.upn import with_check_letter

	domains = frappe.get_all("Development Domain", filters={"is_active": 1}, pluck="name")
	profiles = []
	for i in range(n):
		pupil = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": "Bench",
				"last_name": f"Pupil {i}",
				"school": school,
				"date_of_birth": add_days(today(), -365 * 13),
				"upn": with_check_letter(f"801{int(TOKEN, 16) % 10000:04d}26{i:03d}"),
			}
		).insert()
		for days, baseline, score in ((-60, 1, 2), (-5, 0, 4)):
			frappe.get_doc(
				{
					"doctype": "Domain Assessment",
					"pupil": pupil.name,
					"assessment_date": add_days(today(), days),
					"is_baseline": baseline,
					"strengths": "Creative",
					"barriers": "Noise",
					"scores": [{"domain": d, "score": score} for d in domains],
				}
			).insert().submit()
		profiles.append(frappe.get_doc({"doctype": "Learner Profile", "pupil": pupil.name}).insert())
	return profiles


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--profiles", type=int, default=100)
	parser.add_argument("--packs", type=int, default=10)
	args = parser.parse_args()

	connect(SITE)
	from ap_framework.rules.profile import ALL_TITLES
	from ap_framework.transfer import delivery, pack
	from tests.integration.transfer.test_pack import ehcp_pdf

	sender_proc, sender_url = serve(SITE)
	receiver_proc, receiver_url = serve(PARTNER)
	remote = partner("setup")
	try:
		frappe.local.conf.host_name = sender_url
		school = frappe.get_doc(
			{
				"doctype": "School",
				"school_name": f"B{TOKEN} Bench School",
				"urn": str(800000 + int(TOKEN, 16) % 100000),
			}
		).insert()
		t0 = time.perf_counter()
		profiles = build_pupils(args.profiles, school.name)
		print(f"setup: {args.profiles} pupils with 2 assessments each in {time.perf_counter() - t0:.1f} s")

		times = []
		for p in profiles[: args.packs]:
			f = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"ehcp-{p.name}.pdf",
					"attached_to_doctype": "Learner Profile",
					"attached_to_name": p.name,
					"is_private": 1,
					"content": ehcp_pdf(3),
				}
			).insert()
			p.append("attachments", {"title": "EHC plan", "file": f.file_url})
			p.save()
			start = time.perf_counter()
			_content, report = pack.build_pack(p.name)
			times.append(time.perf_counter() - start)
			os.unlink(f.get_full_path())
		print(
			f"PDF pack per pupil ({args.packs} pupils, {report.pages} pages each, 1 attachment): "
			f"median {statistics.median(times):.2f} s, max {max(times):.2f} s"
		)

		partner_doc = frappe.get_doc(
			{
				"doctype": "Transfer Partner",
				"partner_name": f"B{TOKEN} Receiver",
				"site_url": receiver_url,
				"school": school.name,
				"direction": "Send only",
				"api_key": remote["users"]["integration"]["key"],
				"api_secret": remote["users"]["integration"]["secret"],
				"sections": [{"section": t} for t in ALL_TITLES.values()],
			}
		).insert()
		sections = [t for t in ALL_TITLES.values() if t not in ("Safeguarding", "Remaining priorities")]
		start = time.perf_counter()
		sent, latencies = 0, []
		for p in profiles:
			t = frappe.get_doc(
				{
					"doctype": "Profile Transfer",
					"learner_profile": p.name,
					"partner": partner_doc.name,
					"sections": [{"section": s} for s in sections],
					"lawful_basis": "Public task",
					"parent_consent": "Given",
					"parent_consent_by": "Parent",
					"parent_consent_date": today(),
					"pupil_consent": "Given",
				}
			).insert()
			t0 = time.perf_counter()
			delivery.deliver(t)
			latencies.append(time.perf_counter() - t0)
			sent += t.status == "Sent"
		total = time.perf_counter() - start
		print(
			f"transfer: {sent}/{len(profiles)} profiles sent in {total:.1f} s "
			f"({len(profiles) / total:.1f} profiles/s including freezing; HTTP send median "
			f"{statistics.median(latencies) * 1000:.0f} ms, p95 {sorted(latencies)[int(0.95 * len(latencies)) - 1] * 1000:.0f} ms)"
		)
		# follow-up: what became of every send, asked of the partner in one request
		from ap_framework.transfer import follow_up

		t0 = time.perf_counter()
		with Recorder() as rec:
			out = follow_up.poll()
		print(
			f"follow-up: {out['asked']} sends asked about, {out['updated']} updated in "
			f"{time.perf_counter() - t0:.2f} s ({rec.count} queries)"
		)
	finally:
		frappe.db.rollback()
		frappe.destroy()
		partner("teardown")
		for proc in (sender_proc, receiver_proc):
			proc.terminate()
			proc.wait(timeout=20)


if __name__ == "__main__":
	main()
