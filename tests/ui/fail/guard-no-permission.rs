use permfw::{permission_required, PermissionDenied, User};

#[permission_required]
fn bare(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required(raise_exception = true)]
fn options_only(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

fn main() {}
