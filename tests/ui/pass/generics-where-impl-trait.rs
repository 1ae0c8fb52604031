use std::fmt::Debug;

use permfw::{permission_required, HasPerms, PermissionDenied};

#[permission_required("auth.view_user")]
fn generic<'a, U, T: Debug + 'a, const N: usize>(user: &'a U, items: [T; N]) -> Result<usize, PermissionDenied>
where
    U: HasPerms + ?Sized,
{
    Ok(items.len())
}

#[permission_required("auth.view_user", user = who)]
fn impl_trait(label: impl Into<String>, who: impl HasPerms) -> Result<String, PermissionDenied> {
    Ok(label.into())
}

#[permission_required(permfw::User::VIEW_USER)]
async fn async_generic<U: HasPerms>(user: U) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Ok(())
}

fn main() {
    let user = permfw::User::builder("u").build();
    let _ = generic(&user, [1, 2, 3]);
    let _ = impl_trait("x", &user);
    let _ = async_generic(user);
}
