"""Which DocTypes an AP Administrator may fill from a spreadsheet (ap_framework/rules/data_import.py)."""

from ap_framework.rules.data_import import check_document_type

IMPORTABLE = ("AP Provider", "Pupil", "Placement")


def test_the_templates_doctypes_are_importable():
	for doctype in IMPORTABLE:
		assert check_document_type(doctype, IMPORTABLE, False) == []


def test_any_other_doctype_is_refused_naming_the_document_type_field():
	(refused,) = check_document_type("User", IMPORTABLE, False)
	assert refused.field == "reference_doctype" and refused.kind == "import_scope"
	assert refused.render() == (
		"User cannot be imported here: choose one of AP Provider, Pupil, Placement, or ask a System Manager"
	)


def test_a_system_manager_imports_anything_and_a_blank_is_frappes_to_require():
	assert check_document_type("User", IMPORTABLE, True) == []
	assert check_document_type("", IMPORTABLE, False) == []
