"""Shared test configuration: the integration layer finds its bench and site from the environment.

AP_BENCH  bench directory (default /opt/bench)
AP_SITE   site with ap_framework installed; without it the integration tests are skipped
AP_BASE_URL  optional: where AP_SITE is served; otherwise the HTTP tests start a server themselves
AP_PARTNER_SITE  optional: a second site on the same bench with the app installed, for the site-to-site
             transfer tests (tests/integration/transfer); without it those tests skip
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH = Path(os.environ.get("AP_BENCH", "/opt/bench"))
SITE = os.environ.get("AP_SITE", "")
PARTNER_SITE = os.environ.get("AP_PARTNER_SITE", "")


def integration_skip_reason() -> str | None:
	if not (BENCH / "sites").is_dir():
		return f"integration layer skipped: no Frappe bench at {BENCH} (set AP_BENCH and AP_SITE)"
	if not SITE:
		return f"integration layer skipped: AP_SITE is not set (bench {BENCH})"
	if not (BENCH / "sites" / SITE).is_dir():
		return f"integration layer skipped: no site {SITE} in {BENCH}/sites"
	try:
		import frappe  # noqa: F401
	except ImportError:
		return f"integration layer skipped: frappe is not importable; run pytest with {BENCH}/env/bin/python"
	return None


def partner_skip_reason() -> str | None:
	"""Why the two-site transfer tests cannot run (None when they can)."""
	if not PARTNER_SITE:
		return "two-site transfer tests skipped: AP_PARTNER_SITE is not set"
	if PARTNER_SITE == SITE or not (BENCH / "sites" / PARTNER_SITE).is_dir():
		return f"two-site transfer tests skipped: no second site {PARTNER_SITE} in {BENCH}/sites"
	return None


def pytest_report_header(config):
	reason = integration_skip_reason()
	return reason or f"integration layer: bench {BENCH}, site {SITE}"
