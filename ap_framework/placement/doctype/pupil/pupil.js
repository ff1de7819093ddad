frappe.ui.form.on("Pupil", {
	refresh(frm) {
		if (frm.is_new()) return;
		// Special-category facts live in the pupil's Pupil Welfare record; the server sends them only to
		// those who may read that record (the Safeguarding Lead and the AP Administrator).
		const welfare = frm.doc.__onload && frm.doc.__onload.welfare;
		if (welfare) {
			const facts = welfare.facts.length
				? welfare.facts
						.map((f) => `<div><b>${frappe.utils.escape_html(f.label)}</b>: ${frappe.utils.escape_html(f.value === 1 ? __("Yes") : String(f.value))}</div>`)
						.join("")
				: `<div class="text-muted">${__("Nothing recorded")}</div>`;
			frm.dashboard.add_section(`<div class="ap-welfare">${facts}</div>`, __("Welfare (Safeguarding Lead only)"));
			frm.add_custom_button(__("Welfare record"), () => frappe.set_route("Form", "Pupil Welfare", welfare.name));
			frm.dashboard.show();
		}
		// Development across the domains: baseline against the latest assessment (ap_framework.oversight.progress).
		frappe.call({ method: "ap_framework.oversight.progress.domain_chart", args: { pupil: frm.doc.name } }).then((r) => {
			if (!r.message) return;
			const wrapper = $('<div class="ap-domain-chart"></div>');
			frm.dashboard.add_section(wrapper, __("Development across the domains"));
			new frappe.Chart(wrapper[0], { data: r.message, type: "bar", height: 220, colors: ["#c0c6cc", "#2490ef"] });
			frm.dashboard.show();
		});
	},
});
