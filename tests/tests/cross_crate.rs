//! Models declared in another crate are registered in this binary, which links that crate but
//! names none of its items (the README's inventory caveat: `use that_crate as _;`).

use permfw::HasPerms;
use permfw_test_models as _;

#[test]
fn models_of_a_linked_crate_are_registered() {
    let registry = permfw::registry();
    let refund = registry.get("shop.refund_order").expect("shop.refund_order is registered");
    assert_eq!(refund.name(), "Can refund order");
    assert_eq!(refund.model_name(), "order");
    let report = registry.get("permfw_test_models.export_report").expect("the crate name is the default app label");
    assert_eq!(report.model().type_name(), "Report");
    assert!(registry.get("permfw_test_models.add_report").is_none(), "default_permissions = []");
    let shop: Vec<_> = registry.permissions().filter(|p| p.app_label() == "shop").map(|p| p.codename()).collect();
    assert_eq!(shop, ["add_order", "change_order", "delete_order", "view_order", "refund_order"]);
}

#[test]
fn guard_sites_of_a_linked_crate_are_checked() {
    assert!(permfw::check().is_empty(), "{:#?}", permfw::check());
}

#[test]
fn permissions_from_the_other_crate_work_by_string_and_const() {
    let refund = permfw::registry().get("shop.refund_order").unwrap();
    let clerk = permfw::User::builder("clerk").permission(refund).build();
    assert!(clerk.has_perm("shop.refund_order"));
    assert!(clerk.has_perm(permfw_test_models::Order::REFUND_ORDER));
    let order = permfw_test_models::Order { id: 7 };
    assert_eq!(permfw_test_models::refund(&clerk, &order), Ok(7));
    let visitor = permfw::User::builder("visitor").build();
    assert!(permfw_test_models::refund(&visitor, &order).unwrap_err().is_forbidden());
}
