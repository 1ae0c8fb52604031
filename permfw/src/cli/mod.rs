//! `manage`: the command line an application embeds, as Django's `manage.py` runs inside the
//! project with every model loaded. A binary of the application's own is all it takes, and
//! every model the application links is known to it:
//!
//! ```no_run
//! // src/bin/manage.rs of the application (`use my_models_crate as _;` if it names no model)
//! permfw::cli::main_with_default_database("sqlite://blog.db")
//! ```
//!
//! An application with its own clap command can embed [`Command`] as a subcommand and call
//! [`run`]. Exit codes: 0 done, 1 refused or not found, 2 bad usage. Output is aligned tables
//! for people (colour only on a terminal, never with `NO_COLOR`) and `--json` for scripts.

mod args;
mod commands;
mod output;
mod time;

use std::process::ExitCode;

pub use self::args::{
    Cli, Command, Global, GrantArgs, GroupsCommand, PermsCommand, PoliciesCommand, RequestsCommand, TokensCommand,
    UsersCommand,
};
use crate::store::StoreError;

/// Parses the process's arguments and runs them against `sqlite://db.sqlite3` unless
/// `--database` or `PERMFW_DATABASE_URL` says otherwise. Exits the process.
pub fn main() -> ! {
    main_with_default_database("sqlite://db.sqlite3")
}

/// Like [`main`], with the application's own default database.
pub fn main_with_default_database(default_database: &str) -> ! {
    let cli = <Cli as clap::Parser>::parse();
    std::process::exit(i32::from(run_code(&cli.global, &cli.command, default_database)));
}

/// Runs one command and returns its exit code (0 done, 1 refused or not found, 2 bad usage),
/// printing errors to standard error.
#[must_use]
pub fn run(global: &Global, command: &Command, default_database: &str) -> ExitCode {
    ExitCode::from(run_code(global, command, default_database))
}

fn run_code(global: &Global, command: &Command, default_database: &str) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return 1;
        }
    };
    let url = global.database.clone().unwrap_or_else(|| default_database.to_owned());
    match runtime.block_on(commands::execute(global, command, &url)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            err.exit_code()
        }
    }
}

type Result<T> = std::result::Result<T, CliError>;

/// A command's failure: what went wrong, and the exit code it gives.
#[derive(Debug)]
pub(crate) enum CliError {
    /// From the store.
    Store(StoreError),
    /// The command was used wrongly (exit 2).
    Usage(String),
    /// Something was refused or not found (exit 1).
    Failed(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Store(err) => err.fmt(f),
            CliError::Usage(msg) | CliError::Failed(msg) => f.write_str(msg),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(err: StoreError) -> Self {
        CliError::Store(err)
    }
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_)
            | CliError::Store(
                StoreError::MalformedPermission(_) | StoreError::InvalidName { .. } | StoreError::Password(_),
            ) => 2,
            _ => 1,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            CliError::Store(StoreError::Refused(_)) => {
                Some("nothing was changed; act as a user who may, or as a superuser")
            }
            CliError::Store(StoreError::UnknownPermission(_)) => Some("`manage perms list` shows every permission"),
            CliError::Store(StoreError::GroupNotFound(_)) => Some("`manage groups list` shows every group"),
            _ => None,
        }
    }
}
