"""The one integration test that always runs: it says whether the integration layer ran, and why not."""

import pytest

from tests.conftest import SITE, integration_skip_reason


def test_integration_site_is_reachable():
	reason = integration_skip_reason()
	if reason:
		pytest.skip(reason)
	import frappe

	import ap_framework  # noqa: F401

	frappe.init(site=SITE, sites_path=".") if not getattr(frappe.local, "site", None) else None
	assert frappe.local.site == SITE
