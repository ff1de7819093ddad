frappe.query_reports["AP Registration Threshold"] = { filters: [] };
