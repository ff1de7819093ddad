"""Merge a rendered profile and its attachments into one PDF pack: a bookmark per section and per
attachment, and "Page n of N" stamped on every page (Debian's wkhtmltopdf ignores running footers).

Plain pypdf (PdfReader, PdfWriter, PageObject.merge_page, add_outline_item), which is the same from
pypdf 3.17 to 6.x. No Frappe import, so tests/unit checks it without a site."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


@dataclass
class PackReport:
	sections: dict[str, int] = field(default_factory=dict)  # title -> first page (0-based)
	included: dict[str, tuple[int, int]] = field(default_factory=dict)  # title -> (first page, page count)
	left_out: dict[str, str] = field(default_factory=dict)  # title -> why
	pages: int = 0


def read_pdf(content: bytes | None) -> tuple[PdfReader | None, str | None]:
	"""A reader for `content`, or why it cannot go in the pack."""
	if not content:
		return None, "the file is empty or missing"
	if not content.lstrip()[:5] == b"%PDF-":
		return None, "not a PDF"
	try:
		reader = PdfReader(io.BytesIO(content))
		if reader.is_encrypted:
			return None, "the PDF is password-protected"
		count = len(reader.pages)
		for page in reader.pages:
			page.mediabox  # noqa: B018 - touching each page finds a damaged page tree now, not while merging
	except Exception as e:  # pypdf raises many kinds for a damaged file
		return None, f"the PDF is damaged ({type(e).__name__})"
	if not count:
		return None, "the PDF has no pages"
	return reader, None


def check_attachments(
	attachments: list[tuple[str, bytes | None]],
) -> tuple[list[tuple[str, PdfReader]], dict[str, str]]:
	good, bad = [], {}
	for title, content in attachments:
		reader, why = read_pdf(content)
		if reader is None:
			bad[title] = why
		else:
			good.append((title, reader))
	return good, bad


def _plain(text: str | None) -> str:
	"""Text as extracted, comparable: ligatures undone (wkhtmltopdf writes "ﬁ"), whitespace collapsed."""
	return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _find_sections(reader: PdfReader, titles: list[str]) -> dict[str, int]:
	"""The first page on which each section heading appears (in order; a heading not found shares the
	page of the one before it)."""
	texts = []
	for page in reader.pages:
		try:
			texts.append(_plain(page.extract_text()))
		except Exception:
			texts.append("")
	found, start = {}, 0
	for title in titles:
		needle = _plain(title)
		for i in range(start, len(texts)):
			if needle in texts[i]:
				start = i
				break
		found[title] = start
	return found


def _stamp(page: PageObject, text: str) -> None:
	width = float(page.mediabox.width)
	overlay = PageObject.create_blank_page(width=width, height=float(page.mediabox.height))
	font = DictionaryObject(
		{
			NameObject("/Type"): NameObject("/Font"),
			NameObject("/Subtype"): NameObject("/Type1"),
			NameObject("/BaseFont"): NameObject("/Helvetica"),
		}
	)
	overlay[NameObject("/Resources")] = DictionaryObject(
		{NameObject("/Font"): DictionaryObject({NameObject("/APPackFont"): font})}
	)
	stream = DecodedStreamObject()
	x = width / 2 - 2.2 * len(text)
	stream.set_data(f"BT /APPackFont 8 Tf {x:.1f} 16 Td ({text}) Tj ET".encode("latin-1"))
	overlay[NameObject("/Contents")] = stream
	page.merge_page(overlay)


def merge(
	profile_pdf: bytes,
	section_titles: list[str],
	attachments: list[tuple[str, PdfReader]],
	left_out: dict[str, str],
) -> tuple[bytes, PackReport]:
	profile, why = read_pdf(profile_pdf)
	if profile is None:
		raise ValueError(f"the rendered profile is not a usable PDF: {why}")
	report = PackReport(left_out=dict(left_out))
	writer = PdfWriter()
	for page in profile.pages:
		writer.add_page(page)
	report.sections = _find_sections(profile, section_titles)
	start = len(profile.pages)
	for title, reader in attachments:
		report.included[title] = (start, len(reader.pages))
		for page in reader.pages:
			writer.add_page(page)
		start += len(reader.pages)
	total = len(writer.pages)
	for i, page in enumerate(writer.pages, 1):
		_stamp(page, f"Page {i} of {total}")
	profile_mark = writer.add_outline_item("Learner profile", 0)
	for title, page in report.sections.items():
		writer.add_outline_item(title, page, parent=profile_mark)
	for title, (page, _count) in report.included.items():
		writer.add_outline_item(title, page)
	out = io.BytesIO()
	writer.write(out)
	report.pages = total
	return out.getvalue(), report


def outline_titles(reader: PdfReader) -> list[tuple[str, int]]:
	"""Every bookmark (nested ones included) with its 0-based page: used by tests and the benchmark."""
	out = []

	def walk(items):
		for item in items:
			if isinstance(item, list):
				walk(item)
			else:
				out.append((item.title, reader.get_destination_page_number(item)))

	walk(reader.outline)
	return out
