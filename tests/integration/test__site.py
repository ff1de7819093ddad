"""The one integration test that always runs: it says whether the integration layer ran, and why not."""

import pytest

from tests.conftest import SITE, integration_skip_reason


def test_integration_site_is_reachable(request):
	reason = integration_skip_reason()
	if reason:
		pytest.skip(reason)
	frappe = request.getfixturevalue("site")
	assert frappe.local.site == SITE
	assert "ap_framework" in frappe.get_installed_apps(), f"install ap_framework on {SITE} first"
