//! `manage users ...`: list, show, create, deactivate, activate.

use super::super::Result;
use super::super::args::UsersCommand;
use super::super::output::{Out, Row, yes_no};
use crate::store::UserDetail;
use crate::store::{Actor, EffectivePermission, Store, UserPage, UserRecord};

impl Row for UserRecord {
    const COLUMNS: &'static [&'static str] = &["id", "username", "email", "active", "staff", "superuser"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.username.clone(),
            self.email.clone(),
            yes_no(self.is_active),
            yes_no(self.is_staff),
            yes_no(self.is_superuser),
        ]
    }
}

impl Row for EffectivePermission {
    const COLUMNS: &'static [&'static str] = &["permission", "via"];

    fn cells(&self) -> Vec<String> {
        vec![self.permission.to_string(), self.sources()]
    }
}

pub(super) async fn run(out: &Out, store: &Store, actor: &Actor, command: &UsersCommand) -> Result<u8> {
    match command {
        UsersCommand::List { search, after, limit } => {
            let mut page = UserPage::first().limit(*limit);
            if let Some(search) = search {
                page = page.search(search.as_str());
            }
            if let Some(after) = after {
                page = page.after(after.as_str());
            }
            out.rows(&store.list_users(page).await?)?;
            Ok(0)
        }
        UsersCommand::Show { username } => {
            let user = store.user_detail(username).await?;
            out.either(&user, |out| show(out, &user))?;
            Ok(0)
        }
        UsersCommand::Create { username, email } => {
            store.create_user(actor, username, email, None).await?;
            super::done(out, "created", username, &format!("Created user '{username}'."))
        }
        UsersCommand::Deactivate { username } => {
            store.set_active(actor, username, false).await?;
            super::done(out, "deactivated", username, &format!("Deactivated user '{username}'."))
        }
        UsersCommand::Activate { username } => {
            store.set_active(actor, username, true).await?;
            super::done(out, "activated", username, &format!("Activated user '{username}'."))
        }
    }
}

/// A user for people: its flags and groups, then its permissions with where each comes from.
fn show(out: &Out, user: &UserDetail) -> Result<()> {
    out.line(format!("username:   {}", user.username))?;
    out.line(format!("email:      {}", user.email))?;
    out.line(format!(
        "flags:      active {}, staff {}, superuser {}",
        yes_no(user.is_active),
        yes_no(user.is_staff),
        yes_no(user.is_superuser)
    ))?;
    out.line(format!("groups:     {}", user.groups.join(", ")))?;
    if user.is_superuser {
        out.line("(an active superuser has every permission)")?;
    }
    out.rows(&user.permissions)
}
