"""The GIAS establishment extract, read and judged without Frappe (ap_framework/rules/gias.py).

The file's layout, encoding, quoting and dates are those of the DfE's edubasealldata<YYYYMMDD>.csv
(get-information-schools.service.gov.uk/Downloads); where each comes from is in tests/gias_file.py,
which writes files shaped exactly like it: MastodonC/witan.gias (src/witan/gias.clj: the 139 columns
of edubasealldata20240717.csv, dates "dd-MM-uuuu"; data/edubasealldata20250109-establishment-types.csv:
type names), the header and rows from a real file in DFE-Digital's register-trainee-teachers specs
(quoting), and readers decoding it as cp1252 / ISO-8859-1.
"""

from __future__ import annotations

import pytest

from ap_framework.rules import gias
from tests import gias_file


def read(records, **kw):
	text, encoding = gias.decode(gias_file.to_bytes(records, **kw))
	header, rows, total, problems = gias.read(text)
	assert problems or total == len(rows)
	return (header, rows, problems), encoding


class TestTheFile:
	def test_the_header_is_the_real_one_all_139_columns_in_order(self):
		assert len(gias_file.COLUMNS) == 139
		assert tuple(gias_file.COLUMNS) == gias.COLUMNS
		assert set(gias.READ) <= set(gias.COLUMNS)

	def test_windows_1252_is_read_as_such_curly_apostrophe_and_all(self):
		data = gias_file.to_bytes([gias_file.record(100001, EstablishmentName="St Mary\u2019s School")])
		assert b"St Mary\x92s School" in data  # as GIAS writes it
		text, encoding = gias.decode(data)
		assert encoding == "Windows-1252" and "St Mary\u2019s School" in text

	def test_a_file_saved_again_as_utf8_with_or_without_a_bom_is_read_as_utf8(self):
		records = [gias_file.record(100001, EstablishmentName="Ysgol Gymraeg Bro Môn")]
		for data in (
			gias_file.to_bytes(records, encoding="utf-8"),
			b"\xef\xbb\xbf" + gias_file.to_bytes(records, encoding="utf-8"),
		):
			text, encoding = gias.decode(data)
			assert encoding == "UTF-8" and text.startswith('"URN"') and "Bro Môn" in text

	def test_read_as_a_stream_or_as_text_the_rows_are_the_same(self):
		records = gias_file.realistic(30)
		data = gias_file.to_bytes(records)
		codec, shown = gias.encoding_of(data)
		assert (codec, shown) == ("cp1252", "Windows-1252")
		assert gias.read(gias.text_of(data, codec)) == gias.read(data.decode("cp1252"))
		assert any("\u2019" in f[4] for _, f in gias.read(gias.text_of(data, codec))[1])

	def test_bytes_no_windows_1252_has_are_refused_with_their_place(self):
		with pytest.raises(ValueError) as e:
			gias.decode(b'"URN"\r\n\x81\x92')
		assert e.value.args[0] == 7
		assert "7" in gias.bad_encoding(7)[0].render()

	@pytest.mark.parametrize("ending", ["\r\n", "\n"])
	def test_either_line_ending_reads_the_same(self, ending):
		(_header, rows, problems), _ = read(
			[gias_file.record(100001), gias_file.record(100008)], line_ending=ending
		)
		assert problems == [] and len(rows) == 2 and rows[0][1][0] == "100001"
		assert all(len(fields) == 139 for _, fields in rows)

	def test_quoted_commas_quotes_and_line_breaks_stay_inside_their_field(self):
		name = 'The "Bridge", Ely\r\nCampus'
		(header, rows, problems), _ = read([gias_file.record(100001, EstablishmentName=name)])
		assert problems == [] and dict(zip(header, rows[0][1], strict=True))["EstablishmentName"] == name

	def test_a_file_without_a_column_the_import_reads_is_refused_naming_it(self):
		text = (
			gias_file.to_bytes([gias_file.record(100001)])
			.decode("cp1252")
			.replace('"Trusts (name)"', '"X"', 1)
		)
		_, _, _, problems = gias.read(text)
		assert "Trusts (name)" in problems[0].render() and problems[0].field == "import_file"

	def test_more_rows_than_the_limit_are_refused_naming_the_limit(self, monkeypatch):
		monkeypatch.setattr(gias, "MAX_ROWS", 3)
		(_, rows, problems), _ = read([gias_file.record(100001 + i) for i in range(4)])
		assert rows == [] and problems[0].field == "import_file"
		assert problems[0].render() == "The file has more than 3 rows; a GIAS import takes at most 3"
		(_, rows, problems), _ = read([gias_file.record(100001 + i) for i in range(3)])
		assert problems == [] and len(rows) == 3

	def test_the_row_limit_is_said_with_a_thousands_separator(self, monkeypatch):
		monkeypatch.setattr(gias, "MAX_ROWS", 1_000)
		(_, _rows, problems), _ = read([gias_file.record(100001 + i) for i in range(1_001)])
		assert problems[0].render() == "The file has more than 1,000 rows; a GIAS import takes at most 1,000"

	def test_a_file_over_100_mb_is_refused_naming_the_limit(self):
		assert gias.check_size(gias.MAX_BYTES) == []
		message = gias.check_size(gias.MAX_BYTES + 2**20)[0].render()
		assert message == "The file is 101.0 MB; a GIAS import takes at most 100 MB"
		assert gias.check_size(0)[0].render() == "The file is empty"

	def test_an_unreadable_line_is_refused_naming_it(self):
		text = gias_file.HEADER + '\r\n"100001","87"3"\r\n'
		_, _, _, problems = gias.read(text)
		assert "Line 2" in problems[0].render()

	def test_la_codes_as_a_person_types_them(self):
		assert gias.check_la_codes("873, 874 881;873") == (["873", "874", "881"], [])
		assert "87X" in gias.check_la_codes("873, 87X")[1][0].render()
		assert gias.check_la_codes("  ")[1][0].field == "la_codes"


class TestOneRow:
	def judge(self, **over):
		urn = over.pop("urn", 123456)
		la = over.pop("la", "873")
		type_name = over.pop("type_name", "Community school")
		return gias.judge(2, gias_file.record(urn, la, type_name, **over))

	@pytest.mark.parametrize("type_name, status", sorted(gias_file.EXPECTED_STATUS.items()))
	def test_each_registered_provider_type_gives_its_registration_status(self, type_name, status):
		e, problems = self.judge(type_name=type_name)
		assert problems == [] and e.doctype == "AP Provider"
		assert e.values["registration_status"] == status and e.values["ukprn"] == "10123456"

	@pytest.mark.parametrize("type_name", gias_file.MAINSTREAM)
	def test_mainstream_types_are_schools_with_phase_trust_and_address(self, type_name):
		e, problems = self.judge(type_name=type_name, Locality="Brampton", Address3="Park Road")
		assert problems == [] and e.doctype == "School"
		v = e.values
		assert (v["school_name"], v["la_code"], v["establishment_number"]) == ("School 123456", "873", "5456")
		assert v["phase"] == "Primary" and v["address_line2"] == "Brampton, Park Road"
		assert (v["address_line1"], v["town"], v["postcode"]) == ("High Street", "Huntingdon", "PE28 4RF")
		assert v["establishment_status"] == "Open" and v["close_date"] == ""

	def test_an_academy_names_its_trust(self):
		e, _ = self.judge(type_name="Academy converter")
		assert e.values["trust"] == "The Meridian Trust"

	@pytest.mark.parametrize(
		"phase, ours", [("Middle deemed secondary", "Secondary"), ("16 plus", "16 plus")]
	)
	def test_phases(self, phase, ours):
		e, _ = self.judge(**{"PhaseOfEducation (name)": phase})
		assert e.values["phase"] == ours

	def test_a_closed_establishment_is_marked_closed_with_its_date(self):
		e, problems = self.judge(status="Closed")
		assert problems == [] and e.closed
		assert (e.values["establishment_status"], e.values["close_date"]) == ("Closed", "2024-08-31")

	@pytest.mark.parametrize("status", ["Open, but proposed to close", "Proposed to open"])
	def test_open_in_all_but_name_is_open(self, status):
		e, _ = self.judge(status=status)
		assert not e.closed and e.values["establishment_status"] == "Open"

	@pytest.mark.parametrize("type_name", ["Further education", "Welsh establishment"])
	def test_real_types_we_keep_no_record_of_are_not_taken_and_not_rejected(self, type_name):
		assert self.judge(type_name=type_name) == (None, [])

	@pytest.mark.parametrize(
		"over, column, words",
		[
			({"urn": ""}, "URN", "No URN"),
			({"urn": "12345"}, "URN", "6 or 7 digits"),
			({"la": "87"}, "LA (code)", "3 digits"),
			({"EstablishmentNumber": "12"}, "EstablishmentNumber", "4 digits"),
			({"EstablishmentName": " "}, "EstablishmentName", "No establishment name"),
			(
				{"type_name": "Pupil Referral Unit (old)"},
				"TypeOfEstablishment (name)",
				"not an establishment type",
			),
			({"status": "Shut"}, "EstablishmentStatus (name)", "not an establishment status"),
			({"CloseDate": "2024-08-31"}, "CloseDate", "DD-MM-YYYY"),
			({"UKPRN": "20012345"}, "UKPRN", "8 digits starting with 1"),
			({"Postcode": "NOT A CODE"}, "Postcode", "not a UK postcode"),
			({"Street": "x" * 141}, "Street", "140"),
		],
	)
	def test_a_rejected_row_says_which_column_and_why(self, over, column, words):
		e, rejections = self.judge(**over)
		assert e is None and [r.column for r in rejections] == [column]
		assert words in rejections[0].reason and rejections[0].row == 2

	def test_every_reason_at_once(self):
		_, rejections = self.judge(urn="1", la="x", CloseDate="31/08/2024")
		assert {r.column for r in rejections} == {"URN", "LA (code)", "CloseDate"}


class TestTheRows:
	def test_with_la_codes_only_their_rows_are_kept_and_all_are_counted(self):
		records = gias_file.realistic(100)
		text, _ = gias.decode(gias_file.to_bytes(records))
		_header, rows, total, problems = gias.read(text, ["874"])
		assert problems == [] and total == 100
		assert [f[0] for _, f in rows] == [r["URN"] for r in records if r["LA (code)"] == "874"]

	def test_only_the_chosen_las_rows_are_taken_and_counted(self):
		records = gias_file.realistic(400)
		(header, rows, _), _ = read(records)
		taken, rejected, not_taken, other = gias.records(header, rows, ["873", "874"])
		chosen = [r for r in records if r["LA (code)"] in ("873", "874")]
		assert other == 400 - len(chosen) and rejected == []
		assert len(taken) + not_taken == len(chosen)
		assert not_taken == sum(1 for r in chosen if r["TypeOfEstablishment (name)"] in gias_file.OTHER)
		assert {e.urn for e in taken} == {
			r["URN"] for r in chosen if r["TypeOfEstablishment (name)"] not in gias_file.OTHER
		}

	def test_a_urn_seen_before_and_a_row_of_the_wrong_width_are_rejected(self):
		(header, rows, _), _ = read(
			[gias_file.record(100001), gias_file.record(100001, EstablishmentName="Again")]
		)
		rows.append((4, rows[0][1][:50]))
		taken, rejected, _, _ = gias.records(header, rows, ["873"])
		assert [e.urn for e in taken] == ["100001"]
		assert [(r.row, r.column) for r in rejected] == [(3, "URN"), (4, "row")]
		assert "already on row 2" in rejected[0].reason and "50 fields" in rejected[1].reason


class TestMerge:
	gias_now = {"school_name": "Oak", "town": "Ely", "postcode": "CB7 4AA", "trust": "T"}

	def test_a_new_value_replaces_what_the_last_import_wrote(self):
		m = gias.merge(
			{"school_name": "Oak", "town": "March", "postcode": "CB7 4AA", "trust": "T"},
			{"town": "March", "postcode": "CB7 4AA", "trust": "T"},
			self.gias_now,
			"school_name",
		)
		assert m.write == {"town": "Ely"} and m.kept == {}

	def test_a_value_a_person_changed_is_kept_and_reported(self):
		m = gias.merge(
			{"school_name": "Oak", "town": "Littleport", "postcode": "CB7 4AA", "trust": "T"},
			{"town": "March", "postcode": "CB7 4AA", "trust": "T"},
			self.gias_now,
			"school_name",
		)
		assert m.write == {} and m.kept == {"town": ("Littleport", "Ely")}
		assert m.imported == self.gias_now

	def test_before_any_import_a_value_entered_by_hand_is_kept_an_empty_one_filled(self):
		m = gias.merge(
			{"school_name": "Oak", "town": "Soham", "postcode": "", "trust": None},
			None,
			self.gias_now,
			"school_name",
		)
		assert m.write == {"postcode": "CB7 4AA", "trust": "T"} and m.kept == {"town": ("Soham", "Ely")}

	def test_the_same_values_write_nothing_and_a_name_made_unique_is_not_a_difference(self):
		m = gias.merge(
			dict(self.gias_now, school_name="Oak (100001)"),
			dict(self.gias_now),
			self.gias_now,
			"school_name",
			"100001",
		)
		assert m.write == {} and m.kept == {}

	def test_a_school_gias_renamed_keeps_its_record_name_and_the_rename_is_reported(self):
		m = gias.merge(
			dict(self.gias_now, school_name="Oak Primary"),
			dict(self.gias_now),
			self.gias_now,
			"school_name",
			"1",
		)
		assert m.write == {} and m.kept == {"school_name": ("Oak Primary", "Oak")}

	def test_many_schools_of_one_name(self):
		taken = {"St Mary's Catholic Primary School"}
		assert gias.unique_name("St Mary's Catholic Primary School", "110001", taken) == (
			"St Mary's Catholic Primary School (110001)"
		)
		assert gias.unique_name("Oak", "1", taken) == "Oak"
		assert len(gias.unique_name("x" * 140, "1234567", {"x" * 140})) == 140
