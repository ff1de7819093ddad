frappe.query_reports["AP Domain History"] = {
	filters: [{ fieldname: "pupil", label: __("Pupil"), fieldtype: "Link", options: "Pupil", reqd: 1 }],
};
