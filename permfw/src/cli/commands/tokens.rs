//! `manage tokens ...`: list a user's API tokens, revoke one.

use std::collections::BTreeMap;

use super::super::Result;
use super::super::args::TokensCommand;
use super::super::output::{Out, Row};
use crate::store::time::rfc3339;
use crate::store::{Actor, Store, TokenRecord};

/// A time for people, or `-` for none.
fn when(micros: Option<i64>) -> String {
    micros.map_or_else(|| "-".to_owned(), rfc3339)
}

impl Row for TokenRecord {
    const COLUMNS: &'static [&'static str] = &["id", "name", "created", "last used", "expires", "revoked"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            rfc3339(self.created_at),
            when(self.last_used_at),
            when(self.expires_at),
            when(self.revoked_at),
        ]
    }
}

pub(super) async fn run(out: &Out, store: &Store, actor: &Actor, command: &TokensCommand) -> Result<u8> {
    match command {
        TokensCommand::List { username } => {
            out.rows(&store.list_tokens(actor, username).await?)?;
            Ok(0)
        }
        TokensCommand::Revoke { id } => {
            store.revoke_token(actor, *id).await?;
            out.either(&BTreeMap::from([("revoked", id)]), |out| out.line(format!("Revoked token #{id}.")))?;
            Ok(0)
        }
    }
}
