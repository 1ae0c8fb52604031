//! `manage createsuperuser` and `manage changepassword`, with Django's prompts.

use std::io::{IsTerminal, Write};

use super::super::output::Out;
use super::super::{CliError, Result};
use crate::store::{Actor, Store, StoreError};

pub(super) async fn createsuperuser(
    out: &Out,
    store: &Store,
    actor: &Actor,
    no_input: bool,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<u8> {
    let (username, email, password) = if no_input {
        let username = username.ok_or_else(|| CliError::Usage("You must use --username with --no-input.".into()))?;
        let password = std::env::var("PERMFW_SUPERUSER_PASSWORD")
            .map_err(|_| CliError::Usage("set PERMFW_SUPERUSER_PASSWORD to the password with --no-input".into()))?;
        (username.to_owned(), email.unwrap_or_default().to_owned(), password)
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::Usage(
                "Superuser creation skipped due to not running in a TTY. Run `manage createsuperuser` in a terminal, \
                 or use --no-input with --username, --email and PERMFW_SUPERUSER_PASSWORD."
                    .into(),
            ));
        }
        prompt_superuser(store, username, email).await?
    };
    store.create_superuser(actor, &username, &email, &password).await?;
    super::done(out, "created", &username, "Superuser created successfully.")
}

/// Django's interactive prompts: username (not taken, not blank), email, password twice.
async fn prompt_superuser(
    store: &Store,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<(String, String, String)> {
    let username = match username {
        Some(name) => name.to_owned(),
        None => loop {
            let name = read_line("Username: ")?;
            if name.is_empty() {
                eprintln!("Error: Username cannot be blank.");
            } else if store.get_user(&name).await.is_ok() {
                eprintln!("Error: That username is already taken.");
            } else {
                break name;
            }
        },
    };
    let email = match email {
        Some(email) => email.to_owned(),
        None => read_line("Email address: ")?,
    };
    let password = loop {
        let first = read_password("Password: ")?;
        let second = read_password("Password (again): ")?;
        if first != second {
            eprintln!("Error: Your passwords didn't match.");
        } else if first.is_empty() {
            eprintln!("Error: Blank passwords aren't allowed.");
        } else {
            break first;
        }
    };
    Ok((username, email, password))
}

fn read_line(prompt: &str) -> Result<String> {
    print!("{prompt}");
    std::io::stdout().flush().map_err(|e| CliError::Failed(e.to_string()))?;
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line).map_err(|e| CliError::Failed(e.to_string()))?;
    if read == 0 {
        return Err(CliError::Failed("aborted: standard input closed".into()));
    }
    Ok(line.trim().to_owned())
}

fn read_password(prompt: &str) -> Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))
}

pub(super) async fn changepassword(out: &Out, store: &Store, actor: &Actor, username: &str) -> Result<u8> {
    match store.get_user(username).await {
        Err(StoreError::UserNotFound(_)) => return Err(CliError::Failed(format!("user '{username}' does not exist"))),
        other => other?,
    };
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage("changepassword prompts for the password: run it in a terminal".into()));
    }
    out.line(format!("Changing password for user '{username}'"))?;
    for _ in 0..3 {
        let first = read_password("Password: ")?;
        let second = read_password("Password (again): ")?;
        if first != second {
            eprintln!("Passwords do not match. Please try again.");
            continue;
        }
        if first.is_empty() {
            return Err(CliError::Failed("aborted".into()));
        }
        store.set_password(actor, username, &first).await?;
        out.line(format!("Password changed successfully for user '{username}'"))?;
        return Ok(0);
    }
    Err(CliError::Failed(format!("Aborting password change for user '{username}' after 3 attempts")))
}
