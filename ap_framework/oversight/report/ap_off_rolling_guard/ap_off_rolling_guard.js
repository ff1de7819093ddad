frappe.query_reports["AP Off-rolling Guard"] = {
	filters: [{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school }],
};
