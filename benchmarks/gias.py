"""GIAS import at the size of the real extract: a whole-England file (51,000 rows, about 60 MB, shaped as
tests/gias_file.py says GIAS writes it), two LAs taken, imported twice (first run creates, second
finds everything unchanged), as the background job runs it. Prints the time, the statements and the
peak memory of each run. Rolls back at the end: nothing is kept.

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/gias.py [--rows 51000]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from _common import Recorder, connect, frappe

from tests import gias_file


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--rows", type=int, default=51_000)
	parser.add_argument("--las", default="873, 874")
	args = parser.parse_args()
	connect(os.environ["AP_SITE"])
	from ap_framework.placement import gias_import

	started = time.monotonic()
	print(f"peak RSS before: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
	# made 2,000 rows at a time (URNs apart), so that the peak memory printed is the import's
	head = len(gias_file.HEADER) + 2
	data = gias_file.to_bytes([]) + b"".join(
		gias_file.to_bytes(gias_file.realistic(min(2000, args.rows - i), seed=i, base=8_000_000 + i * 7))[
			head:
		]
		for i in range(0, args.rows, 2000)
	)
	print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB, made in {time.monotonic() - started:.1f} s")
	paths = []
	try:
		for run in ("first", "second"):
			doc = frappe.get_doc(
				{"doctype": "GIAS Import", "la_codes": args.las, "import_file": "-"}
			).insert()
			f = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "edubasealldata-benchmark.csv",
					"content": data,
					"is_private": 1,
					"attached_to_doctype": "GIAS Import",
					"attached_to_name": doc.name,
				}
			)
			f.flags.ignore_file_validate = True
			frappe.local.conf.max_file_size = 200 * 1024 * 1024
			f.insert()
			paths.append(f.get_full_path())
			doc.db_set("import_file", f.file_url)
			started = time.monotonic()
			with Recorder() as r:
				gias_import.run(doc.name)
			doc.reload()
			peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
			print(
				f"{run} run: {time.monotonic() - started:.1f} s, {r.count} statements, peak RSS {peak:.0f} MB; "
				f"{doc.status}: created {doc.created_count}, updated {doc.updated_count}, "
				f"unchanged {doc.unchanged_count}, not taken {doc.not_taken_count}, "
				f"other LAs {doc.other_la_count}, rejected {doc.rejected_count} {doc.error or ''}"
			)
	finally:
		frappe.db.rollback()
		for path in set(paths):
			if os.path.exists(path):
				os.remove(path)
		frappe.destroy()


if __name__ == "__main__":
	main()
