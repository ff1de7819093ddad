"""The PDF pack, rendered by the real print format through wkhtmltopdf (print CSS fetched from the
served site) and merged with pypdf: sections, bookmarks, attachment pages, page numbers."""

from __future__ import annotations

import io

import frappe
import pytest
from frappe.utils import add_days, today
from pypdf import PdfReader

from ap_framework.rules.profile import SECTIONS
from ap_framework.transfer import pack, pdf


def ehcp_pdf(pages: int) -> bytes:
	from pypdf import PageObject, PdfWriter

	w = PdfWriter()
	for i in range(pages):
		page = PageObject.create_blank_page(width=595, height=842)
		pdf._stamp(page, f"EHCP page {i + 1}")
		w.add_page(page)
	out = io.BytesIO()
	w.write(out)
	return out.getvalue()


def attach(profile, name: str, content: bytes) -> str:
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": name,
			"attached_to_doctype": "Learner Profile",
			"attached_to_name": profile.name,
			"is_private": 1,
			"content": content,
		}
	).insert()
	CREATED.append(f.get_full_path())
	return f.file_url


CREATED: list[str] = []


@pytest.fixture(autouse=True)
def _remove_files():
	"""The test's File rows are rolled back; their files on disk go here."""
	yield
	import os

	while CREATED:
		path = CREATED.pop()
		if os.path.exists(path):
			os.unlink(path)


@pytest.fixture
def served(base_url):
	"""wkhtmltopdf fetches the print CSS from the site's own URL: point it at the served site."""
	conf = frappe.local.conf
	saved = conf.get("host_name")
	conf.host_name = base_url
	yield base_url
	conf.host_name = saved


@pytest.fixture
def pack_profile(world, profile):
	frappe.set_user("Administrator")
	risk = frappe.get_doc(
		{
			"doctype": "Risk Assessment",
			"placement": world.pa1,
			"assessment_date": add_days(today(), -3),
			"review_date": add_days(today(), 30),
			"overall_rating": "Low",
		}
	).insert()
	profile.append(
		"attachments",
		{"title": "Risk assessment", "reference_doctype": "Risk Assessment", "reference_name": risk.name},
	)
	profile.append("attachments", {"title": "EHC plan", "file": attach(profile, "ehcp.pdf", ehcp_pdf(2))})
	profile.append(
		"attachments", {"title": "Old notes", "file": attach(profile, "notes.docx", b"PK\x03\x04 word")}
	)
	scan = attach(profile, "scan.pdf", ehcp_pdf(1))
	with open(CREATED[-1], "r+b") as fh:  # damaged on disk after upload: cut in half
		fh.truncate(len(ehcp_pdf(1)) // 2)
	profile.append("attachments", {"title": "Scanned report", "file": scan})
	profile.save()
	return profile


def test_pack_has_every_section_bookmarked_attachments_and_page_numbers(served, pack_profile):
	content, report = pack.build_pack(pack_profile.name)
	reader = PdfReader(io.BytesIO(content))
	marks = dict(pdf.outline_titles(reader))
	assert set(SECTIONS.values()) | {"Attachments", "Learner profile", "Risk assessment", "EHC plan"} == set(
		marks
	)
	text = [pdf._plain(page.extract_text()) for page in reader.pages]
	first = text[0]
	assert "Learner profile" in first and "Development across the domains" in first
	# each section bookmark points at a page that shows its heading
	for title in SECTIONS.values():
		assert pdf._plain(title) in text[marks[title]], title
	# attachments follow the profile, in order, with their own pages
	ra_page, ra_count = report.included["Risk assessment"]
	ehcp_page, ehcp_count = report.included["EHC plan"]
	assert ehcp_count == 2 and ehcp_page == ra_page + ra_count and marks["EHC plan"] == ehcp_page
	assert "EHCP page 1" in text[ehcp_page]
	assert len(reader.pages) == report.pages == ehcp_page + 2
	# the ones that could not go in are listed in the profile, not fatal
	assert set(report.left_out) == {"Old notes", "Scanned report"}
	listing = text[marks["Attachments"]]
	assert "Old notes: not a PDF" in listing and "Scanned report: the PDF is damaged" in listing
	for i, page_text in enumerate(text, 1):
		assert f"Page {i} of {len(reader.pages)}" in page_text


def test_building_a_pack_commits_nothing(served, pack_profile):
	"""compat.py 5: v15's print view would commit the caller's transaction; the pack must not."""
	marker = frappe.get_doc({"doctype": "ToDo", "description": "pack-no-commit"}).insert()
	pack.build_pack(pack_profile.name)
	frappe.db.rollback()
	assert not frappe.db.exists("ToDo", marker.name)


def test_pack_travels_with_the_profile(served, world, pack_profile, sender_partner, remote, fast_delivery):
	from tests.integration.transfer.test_transfer import new_transfer, send

	doc = new_transfer(pack_profile, sender_partner, world.users["ap_lead_a"], include_pack=1)
	assert send(doc)["status"] == "Sent"
	incoming = remote("lead").doc("Incoming Profile", doc.remote_reference)
	assert incoming["pack"].startswith("/private/files/")
	r = remote("lead").get(incoming["pack"])
	assert r.ok and r.content.startswith(b"%PDF-")
	assert len(PdfReader(io.BytesIO(r.content)).pages) >= 4
