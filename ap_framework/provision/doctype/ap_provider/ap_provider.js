// AP Provider: invite provider staff to the web portal (tied to this provider only).
frappe.ui.form.on("AP Provider", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role(["AP Administrator", "QA Officer"])) return;
		frm.add_custom_button(__("Invite portal user"), () => {
			const d = new frappe.ui.Dialog({
				title: __("Invite a provider user"),
				fields: [
					{ fieldname: "email", fieldtype: "Data", options: "Email", label: __("Email"), reqd: 1 },
					{ fieldname: "first_name", fieldtype: "Data", label: __("First name"), reqd: 1 },
					{ fieldname: "last_name", fieldtype: "Data", label: __("Last name") },
				],
				primary_action_label: __("Invite"),
				primary_action(values) {
					frappe.call({
						method: "ap_framework.portal.users.invite_provider_user",
						args: { provider: frm.doc.name, ...values },
						callback: () => {
							d.hide();
							frappe.show_alert({ message: __("Invitation sent"), indicator: "green" });
						},
					});
				},
			});
			d.show();
		});
	},
});
