frappe.query_reports["Safeguarding Access"] = {
	filters: [
		{ fieldname: "pupil", label: __("Pupil"), fieldtype: "Link", options: "Pupil" },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User" },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
		{ fieldname: "outcome", label: __("Outcome"), fieldtype: "Select", options: "\nGranted\nDenied" },
	],
};
