//! `manage audit`: the audit log, newest first.

use super::super::output::{Out, Row};
use super::super::{CliError, Result, time};
use crate::store::time::rfc3339;
use crate::store::{AuditEntry, AuditQuery, Store, now_micros};

impl Row for AuditEntry {
    const COLUMNS: &'static [&'static str] = &["id", "at", "actor", "action", "target", "detail"];

    fn cells(&self) -> Vec<String> {
        let target = [self.target_user.as_deref(), self.target_group.as_deref(), self.permission.as_deref()];
        let target = target.into_iter().flatten().collect::<Vec<_>>().join(" ");
        vec![
            self.id.to_string(),
            rfc3339(self.at),
            self.actor.clone(),
            self.action.clone(),
            target,
            self.detail.clone(),
        ]
    }
}

pub(super) async fn run(out: &Out, store: &Store, user: Option<&str>, since: Option<&str>, limit: u32) -> Result<u8> {
    let mut query = AuditQuery::new().limit(limit);
    if let Some(user) = user {
        query = query.user(user);
    }
    if let Some(since) = since {
        let micros = time::parse_since(since, now_micros()).ok_or_else(|| {
            CliError::Usage(format!("--since {since}: write a date (2026-11-01) or an age (30m, 12h, 2d)"))
        })?;
        query = query.since(micros);
    }
    out.rows(&store.audit(query).await?)?;
    Ok(0)
}
