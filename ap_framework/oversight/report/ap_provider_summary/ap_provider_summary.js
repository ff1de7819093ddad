frappe.query_reports["AP Provider Summary"] = {
	filters: [
		{ fieldname: "as_at", label: __("As at"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
		{ fieldname: "trust", label: __("Trust"), fieldtype: "Data" },
	],
};
