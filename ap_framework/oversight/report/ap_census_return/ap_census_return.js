frappe.query_reports["AP Census Return"] = {
	filters: [
		{ fieldname: "census_date", label: __("Census date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
	],
};
