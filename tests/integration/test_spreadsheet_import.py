"""Onboarding from an LA's spreadsheets through Frappe's own Data Import: the app's templates, every rule
of the app on every row, a refused row named with its number and the app's reason, the rest imported.

The spreadsheets are built from the templates' own header rows (ap_framework/public/templates/), so a
template whose header Data Import cannot map fails here. Data Import commits each good row and rolls back
a refused one: this test commits its set-up and removes what it imported itself."""

from __future__ import annotations

import csv
import io
import json
import random

import frappe
import pytest
from frappe.utils import add_days, getdate, today

from ap_framework.exceptions import SpreadsheetBoundError
from ap_framework.rules import spreadsheet
from ap_framework.rules.upn import with_check_letter
from tests.integration.world import World

TEMPLATES = {
	"AP Provider": "ap_providers.csv",
	"Pupil": "pupils.csv",
	"Placement": "placements.csv",
}


def header(doctype) -> list[str]:
	path = frappe.get_app_path("ap_framework", "public", "templates", TEMPLATES[doctype])
	with open(path, newline="") as f:
		return next(csv.reader(f))


def sheet(doctype, rows: list[dict]) -> list[list[str]]:
	"""The template's header, then each row's values under it (a column a row does not name is blank)."""
	cols = header(doctype)
	unknown = {k for r in rows for k in r} - set(cols)
	assert not unknown, f"not in the {doctype} template: {unknown}"
	return [cols] + [[str(r.get(c, "")) for c in cols] for r in rows]


def as_csv(table) -> bytes:
	out = io.StringIO()
	csv.writer(out, lineterminator="\n").writerows(table)
	return out.getvalue().encode()


def as_xlsx(table) -> bytes:
	from openpyxl import Workbook

	wb = Workbook()
	for row in table:
		wb.active.append(row)
	out = io.BytesIO()
	wb.save(out)
	return out.getvalue()


class Run:
	"""One Data Import of a file, run synchronously as the background job would, and its outcome."""

	def __init__(self, doctype, table, made, extension="csv"):
		content = as_xlsx(table) if extension == "xlsx" else as_csv(table)
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"onboarding-{frappe.generate_hash(length=6)}.{extension}",
				"content": content,
				"is_private": 1,
			}
		).insert()
		self.doc = frappe.get_doc(
			{
				"doctype": "Data Import",
				"reference_doctype": doctype,
				"import_type": "Insert New Records",
				"import_file": file.file_url,
				"mute_emails": 1,
			}
		).insert()
		made.append(("File", file.name))
		made.append(("Data Import", self.doc.name))
		frappe.db.commit()  # as the desk form saves it before the import job starts
		from frappe.core.doctype.data_import.importer import Importer  # late: it logs relative to sites/

		Importer(doctype, data_import=self.doc).import_data()
		self.doc.reload()
		assert not self.doc.template_warnings, self.doc.template_warnings
		self.logs = frappe.get_all(
			"Data Import Log",
			filters={"data_import": self.doc.name},
			fields=["success", "docname", "row_indexes", "messages", "exception"],
			order_by="log_index",
		)
		for log in self.logs:
			if log.success:
				made.append((doctype, log.docname))

	def imported(self) -> list[str]:
		return [log.docname for log in self.logs if log.success]

	def refused(self) -> dict[int, str]:
		"""{first row number: the messages shown for it}"""
		out = {}
		for log in self.logs:
			if log.success:
				continue
			shown = [m if isinstance(m, dict) else json.loads(m) for m in json.loads(log.messages or "[]")]
			messages = " ".join(m.get("message", "") for m in shown) or (log.exception or "")
			out[json.loads(log.row_indexes)[0]] = messages
		return out


@pytest.fixture
def made(world):
	"""What the imports made, removed (and committed) after the test whatever happened."""
	out: list[tuple[str, str]] = []
	yield out
	frappe.db.rollback()
	frappe.set_user("Administrator")
	by_type: dict[str, list[str]] = {}
	for doctype, name in out:
		by_type.setdefault(doctype, []).append(name)
	pupils = by_type.get("Pupil", [])
	if pupils:
		by_type.setdefault("Placement", []).extend(
			frappe.get_all("Placement", filters={"pupil": ("in", pupils)}, pluck="name")
		)
		World._delete("Pupil Welfare", {"pupil": ("in", pupils)})
	for doctype in ("Placement", "Pupil", "AP Provider"):
		World._delete(doctype, {"name": ("in", by_type.get(doctype) or [""])})
	for name in by_type.get("Data Import", []):
		frappe.db.delete("Data Import Log", {"data_import": name})
		frappe.db.delete("Data Import", {"name": name})
	for name in by_type.get("File", []):
		frappe.delete_doc("File", name, force=True, ignore_permissions=True)  # and from disk
	frappe.db.commit()


def upn(serial: int) -> str:
	return with_check_letter(f"8012345{26:02d}{serial:03d}")


def wrong_check_letter(value: str) -> str:
	return ("B" if value[0] == "A" else "A") + value[1:]


def uk_date(value) -> str:
	"""An English spreadsheet's dates: day/month/year."""
	return getdate(value).strftime("%d/%m/%Y")


def test_every_template_column_maps_to_a_field_on_this_line(site):
	from frappe.core.doctype.data_import.importer import get_df_for_column_header

	for doctype in TEMPLATES:
		cols = header(doctype)
		assert len(cols) == len(set(cols)), doctype
		for col in cols:
			assert get_df_for_column_header(doctype, col), f"{doctype}: {col}"
	assert get_df_for_column_header("Placement", "Pupil UPN").fieldname == "pupil_upn"
	assert get_df_for_column_header("Placement", "Provider Name").fieldname == "provider_name"
	assert get_df_for_column_header("Placement", "Weekday (Timetable)").fieldname == "weekday"
	assert get_df_for_column_header("Pupil", "Contact Name (Contacts)").parent == "Pupil Contact"


def test_an_la_onboards_providers_pupils_and_placements_with_a_few_mistakes(world, made):
	tag = frappe.generate_hash(length=5)
	ukprn = f"1{random.randint(0, 9_999_999):07d}"
	urn = f"{random.randint(100_000, 999_999)}"

	# ---- providers with their named contacts: one postcode mistyped -------------------------------
	providers = Run(
		"AP Provider",
		sheet(
			"AP Provider",
			[
				{
					"Provider Name": f"Brunel Outdoor Learning {tag}",
					"Registration Status": "Non-school AP",
					"UKPRN": ukprn,
					"Address Line 1": "1 Quay Street",
					"Town": "Bristol",
					"Postcode": "BS1 4DJ",
					"Contact Role (Contacts)": "Safeguarding",
					"Full Name (Contacts)": "Amy Rowe",
					"Email (Contacts)": "dsl@brunel.example.org",
				},
				{
					"Contact Role (Contacts)": "Attendance",
					"Full Name (Contacts)": "Front Office",
					"Email (Contacts)": "office@brunel.example.org",
				},
				{
					"Provider Name": f"Riverside PRU {tag}",
					"Registration Status": "PRU",
					"URN": urn,
					"Postcode": "BS2 0JA",
				},
				{
					"Provider Name": f"Harbour Tuition {tag}",
					"Registration Status": "Non-school AP",
					"Postcode": "NOT A POSTCODE",
				},
			],
		),
		made,
	)
	brunel, riverside = f"Brunel Outdoor Learning {tag}", f"Riverside PRU {tag}"
	assert providers.imported() == [brunel, riverside]
	assert [c.contact_role for c in frappe.get_doc("AP Provider", brunel).contacts] == [
		"Safeguarding",
		"Attendance",
	]
	assert list(providers.refused()) == [5]
	assert "not a UK postcode" in providers.refused()[5]
	assert not frappe.db.exists("AP Provider", f"Harbour Tuition {tag}")

	# ---- pupils with their contacts, as an XLSX: a check letter wrong, a last name missing -----------
	serials = random.sample(range(100, 999), 7)
	upns = [upn(s) for s in serials]
	pupil = {"School": world.school_a, "Date Of Birth": uk_date(add_days(today(), -365 * 14))}
	pupils = Run(
		"Pupil",
		sheet(
			"Pupil",
			[
				{
					**pupil,
					"First Name": "Ava",
					"Last Name": "Jones",
					"UPN": upns[0],
					"Year Group": "Year 9",
					"Contact Name (Contacts)": "Kim Jones",
					"Relationship (Contacts)": "Mother",
					"Parental Responsibility (Contacts)": "1",
					"Emergency Contact (Contacts)": "1",
				},
				{"Contact Name (Contacts)": "Lee Jones", "Relationship (Contacts)": "Father"},
				{**pupil, "First Name": "Ben", "Last Name": "Khan", "UPN": upns[1], "Year Group": "Year 10"},
				{**pupil, "First Name": "Cara", "Last Name": "Lewis", "UPN": wrong_check_letter(upns[2])},
				{**pupil, "First Name": "Dan", "Last Name": "", "UPN": upns[3]},
				*(
					{**pupil, "First Name": n, "Last Name": "Moss", "UPN": upns[i]}
					for i, n in ((4, "Eve"), (5, "Finn"))
				),
			],
		),
		made,
		extension="xlsx",
	)
	assert len(pupils.imported()) == 4
	assert [c.contact_name for c in frappe.get_doc("Pupil", pupils.imported()[0]).contacts] == [
		"Kim Jones",
		"Lee Jones",
	]
	refused = pupils.refused()
	assert list(refused) == [5, 6]
	assert "check letter" in refused[5]  # the app's UPN rule
	assert "Last Name" in refused[6]  # a required value
	assert not frappe.db.exists("Pupil", {"upn": upns[3]})

	# ---- placements with their weekly timetables, pupils named by UPN ------------------------------
	start = add_days(today(), 14)
	placement = {
		"Placement Type": "Off-site Direction",
		"Start Date": uk_date(start),
		"Planned End Date": uk_date(add_days(start, 84)),
		"Rationale": "Needs a smaller setting with outdoor learning",
		"Census Reason": "BEH",
	}

	def week(first: dict, days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")) -> list[dict]:
		rows = [
			{
				**first,
				"Weekday (Timetable)": days[0],
				"Start Time (Timetable)": "09:00",
				"End Time (Timetable)": "15:00",
			}
		]
		rows += [
			{"Weekday (Timetable)": d, "Start Time (Timetable)": "09:00", "End Time (Timetable)": "15:00"}
			for d in days[1:]
		]
		return rows

	table = sheet(
		"Placement",
		[
			*week({**placement, "Pupil UPN": upns[0], "Provider Name": brunel}),  # rows 2-6
			*week({**placement, "Pupil UPN": upns[1], "Provider Name": urn}),  # rows 7-11: by URN
			*week({**placement, "Pupil UPN": upns[4], "Provider Name": f"Nowhere Academy {tag}"}),  # 12-16
			# row 17: two Monday slots that overlap (and row 18)
			{
				**placement,
				"Pupil UPN": upns[5],
				"Provider Name": ukprn,  # by UKPRN
				"Weekday (Timetable)": "Monday",
				"Start Time (Timetable)": "09:00",
				"End Time (Timetable)": "12:00",
			},
			{
				"Weekday (Timetable)": "Monday",
				"Start Time (Timetable)": "11:00",
				"End Time (Timetable)": "15:00",
			},
			# rows 19-23: ends before it starts
			*week(
				{
					**placement,
					"Pupil UPN": upns[4],
					"Provider Name": brunel,
					"Planned End Date": uk_date(add_days(start, -7)),
				}
			),
			# rows 24-28: the UPN's check letter is wrong
			*week({**placement, "Pupil UPN": wrong_check_letter(upns[5]), "Provider Name": brunel}),
			# rows 29-33: no placement type
			*week({**placement, "Pupil UPN": upns[5], "Provider Name": brunel, "Placement Type": ""}),
		],
	)
	placements = Run("Placement", table, made)
	refused = placements.refused()
	assert list(refused) == [12, 17, 19, 24, 29], refused
	assert "No provider is named or numbered" in refused[12]
	assert "Rows 1 and 2 overlap on Monday" in refused[17]
	assert "Planned End Date" in refused[19] and "cannot be before" in refused[19]
	assert "check letter" in refused[24]
	assert "Placement Type" in refused[29]

	good = [frappe.get_doc("Placement", n) for n in placements.imported()]
	assert [(p.pupil_upn, p.provider, p.status) for p in good] == [
		(upns[0], brunel, "Draft"),
		(upns[1], riverside, "Draft"),
	]
	for p in good:
		assert p.pupil == frappe.db.get_value("Pupil", {"upn": p.pupil_upn}) and p.school == world.school_a
		assert len(p.timetable) == 5 and p.hours_per_week == 30 and p.census_sessions == 10
	assert good[1].census_urn == urn  # derived from the provider found by its URN
	# nothing half-saved: no placement (nor timetable row) for the refused rows' pupils
	refused_pupils = frappe.get_all("Pupil", filters={"upn": ("in", [upns[4], upns[5]])}, pluck="name")
	assert len(refused_pupils) == 2
	assert not frappe.get_all("Placement", filters={"pupil": ("in", refused_pupils)})


def test_a_school_user_cannot_place_another_schools_pupil_by_upn(world):
	"""The UPN is looked up as the importing user: another school's pupil is not found, nor confirmed."""
	other = frappe.get_doc("Pupil", world.pupil_b1)
	frappe.set_user(world.users["ap_lead_a"])
	doc = frappe.get_doc(
		{
			"doctype": "Placement",
			"pupil_upn": other.upn,
			"provider_name": world.p1,
			"placement_type": "Off-site Direction",
			"start_date": add_days(today(), 7),
			"planned_end_date": add_days(today(), 60),
		}
	)
	with pytest.raises(frappe.ValidationError, match="No pupil you can see has the UPN"):
		doc.insert()


def _import_of(doctype, table, made, content=None):
	"""A Data Import of `table` (or of raw `content`) as the desk saves it, before the import starts."""
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"bound-{frappe.generate_hash(length=6)}.csv",
			"content": content if content is not None else as_csv(table),
			"is_private": 1,
		}
	).insert()
	made.append(("File", file.name))
	return frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": doctype,
			"import_type": "Insert New Records",
			"import_file": file.file_url,
			"mute_emails": 1,
		}
	)


def test_a_spreadsheet_over_the_record_bound_is_refused_saying_the_bound(world, made, monkeypatch):
	frappe.set_user("Administrator")
	monkeypatch.setattr(spreadsheet, "MAX_RECORDS", 2)
	rows = [{"Provider Name": f"Bound {i}", "Registration Status": "Non-school AP"} for i in range(3)]
	doc = _import_of("AP Provider", sheet("AP Provider", rows), made)
	with pytest.raises(SpreadsheetBoundError) as e:
		doc.insert()
	assert "Import File" in str(e.value)
	assert "The file holds 3 AP Provider records; a Data Import takes at most 2" in str(e.value)
	doc = _import_of("AP Provider", sheet("AP Provider", rows[:2]), made).insert()  # at the bound: taken
	made.append(("Data Import", doc.name))
	assert doc.payload_count == 2


def test_a_spreadsheet_over_the_size_bound_is_refused_before_it_is_read(world, made, monkeypatch):
	frappe.set_user("Administrator")
	monkeypatch.setattr(spreadsheet, "MAX_BYTES", 2**20)
	header_row = ",".join(header("Pupil")).encode()
	doc = _import_of("Pupil", None, made, content=header_row + b"\n" + b"," * (2**20 + 2**19))
	with pytest.raises(SpreadsheetBoundError) as e:
		doc.insert()
	assert "The file is 1.5 MB; a Data Import into this app takes at most 1 MB" in str(e.value)
