//! Models declared in a crate of their own. The cross-crate test links this crate without
//! naming any of its items, to prove that registration does not depend on the binary naming them.

use permfw::{Model, PermissionDenied, User, permission_required};

/// A shop order, with the permission to refund one.
#[derive(Model)]
#[model(app_label = "shop")]
#[permissions(refund_order = "Can refund order")]
pub struct Order {
    /// The order's id.
    pub id: i64,
}

/// A model of this crate's default app label (`permfw_test_models`), with no default permissions.
#[derive(Model)]
#[model(default_permissions = [])]
#[permissions(("export_report", "Can export report"))]
pub struct Report;

/// A guarded function declared in this crate.
#[permission_required("shop.refund_order")]
pub fn refund(user: &User, order: &Order) -> Result<i64, PermissionDenied> {
    Ok(order.id)
}
