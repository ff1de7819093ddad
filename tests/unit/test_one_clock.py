"""One clock: every "today" and "now" in the app is the site's (Frappe's date utilities, in the site's
time zone), never the server's. An LA's site can run on a server in another zone; a school's "today's
registers" are the school's today."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "ap_framework"
SERVER_CLOCK = re.compile(
	r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.(?:time|localtime|strftime)\(|\bnew Date\(\)"
)


def test_no_module_reads_the_servers_clock():
	found = [
		f"{path.relative_to(APP)}:{n}: {line.strip()}"
		for path in sorted(APP.rglob("*"))
		if path.suffix in (".py", ".js", ".html")
		for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
		if SERVER_CLOCK.search(line)
	]
	assert found == [], "use frappe.utils (today, nowdate, now_datetime) or ap_framework.utils.site_today"
