//! `manage requests ...`, `manage policies ...` and `manage sweep`: the promotion workflow.

use std::time::{Duration, SystemTime};

use super::super::args::{PoliciesCommand, RequestsCommand};
use super::super::output::{Out, Row};
use super::super::{CliError, Result};
use crate::store::time::{parse_duration, parse_rfc3339, rfc3339};
use crate::store::{AccessRequest, Actor, PolicyRecord, RequestPolicy, RequestQuery, RequestStatus, Store};

impl Row for AccessRequest {
    const COLUMNS: &'static [&'static str] = &["id", "policy", "requester", "status", "approvals", "created", "why"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.policy.clone(),
            self.requester.clone(),
            self.status.as_str().to_owned(),
            self.approvals.to_string(),
            rfc3339(self.created_at),
            self.justification.clone(),
        ]
    }
}

impl Row for PolicyRecord {
    const COLUMNS: &'static [&'static str] = &["name", "grants", "requested by", "approved by", "approvals", "longest"];

    fn cells(&self) -> Vec<String> {
        let approvers = match (&self.approver_group, &self.approver_permission) {
            (Some(group), _) => format!("group {group}"),
            (None, Some(perm)) => format!("holders of {perm}"),
            (None, None) => "-".to_owned(),
        };
        vec![
            self.name.clone(),
            self.target(),
            self.requester_group.clone().map_or_else(|| "any active user".to_owned(), |g| format!("group {g}")),
            approvers,
            self.approvals_needed.to_string(),
            self.max_duration_secs.map_or_else(|| "-".to_owned(), |secs| format!("{secs}s")),
        ]
    }
}

/// A duration option (`4h`), or a usage error that names it.
pub(super) fn duration(option: &str, text: Option<&str>) -> Result<Option<Duration>> {
    text.map(|text| {
        parse_duration(text).ok_or_else(|| {
            CliError::Usage(format!(
                "{option}: `{text}` is not a duration; write a number and a unit: 90s, 30m, 4h, 2d"
            ))
        })
    })
    .transpose()
}

/// `--until`: an RFC 3339 time, or a duration from now.
pub(super) fn until(text: Option<&str>) -> Result<Option<SystemTime>> {
    let Some(text) = text else { return Ok(None) };
    if let Some(after) = parse_duration(text) {
        return Ok(Some(SystemTime::now() + after));
    }
    let micros = parse_rfc3339(text).ok_or_else(|| {
        CliError::Usage(format!(
            "--until: `{text}` is neither a time (2026-12-24T18:00:00Z) nor a duration from now (4h, 2d)"
        ))
    })?;
    let micros = u64::try_from(micros).map_err(|_| CliError::Usage(format!("--until: `{text}` is before 1970")))?;
    Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_micros(micros)))
}

fn status(text: &str) -> Result<RequestStatus> {
    Ok(match text {
        "open" => RequestStatus::Open,
        "approved" => RequestStatus::Approved,
        "denied" => RequestStatus::Denied,
        "cancelled" => RequestStatus::Cancelled,
        "expired" => RequestStatus::Expired,
        other => {
            return Err(CliError::Usage(format!(
                "--status: `{other}` is not a status; write open, approved, denied, cancelled or expired"
            )));
        }
    })
}

/// One request, as a table of its fields and decisions, or as JSON.
fn show(out: &Out, request: &AccessRequest) -> Result<()> {
    out.either(request, |out| {
        out.line(format!("request #{} under policy {}: {}", request.id, request.policy, request.status.as_str()))?;
        out.line(format!("requester:  {}", request.requester))?;
        out.line(format!("why:        {}", request.justification))?;
        out.line(format!("created:    {}", rfc3339(request.created_at)))?;
        for decision in &request.decisions {
            let verdict = if decision.approve { "approved" } else { "denied" };
            let when = rfc3339(decision.decided_at);
            out.line(format!("{verdict} by {} at {when}: {}", decision.approver, decision.comment))?;
        }
        Ok(())
    })
}

pub(super) async fn requests(out: &Out, store: &Store, actor: &Actor, command: &RequestsCommand) -> Result<u8> {
    match command {
        RequestsCommand::List { status: wanted, requester, limit } => {
            let mut query = RequestQuery::new().limit(*limit);
            if let Some(wanted) = wanted {
                query = query.status(status(wanted)?);
            }
            if let Some(requester) = requester {
                query = query.requester(requester);
            }
            out.rows(&store.list_requests(query).await?)?;
        }
        RequestsCommand::Show { id } => show(out, &store.get_request(*id).await?)?,
        RequestsCommand::Create { policy, justification, duration: asked } => {
            let asked = duration("--duration", asked.as_deref())?;
            show(out, &store.request_access(actor, policy, justification, asked).await?)?;
        }
        RequestsCommand::Approve { id, comment } => show(out, &store.approve_request(actor, *id, comment).await?)?,
        RequestsCommand::Deny { id, comment } => show(out, &store.deny_request(actor, *id, comment).await?)?,
        RequestsCommand::Cancel { id } => {
            store.cancel_request(actor, *id).await?;
            return super::done(out, "cancelled", &id.to_string(), &format!("Cancelled request #{id}."));
        }
    }
    Ok(0)
}

pub(super) async fn policies(out: &Out, store: &Store, actor: &Actor, command: &PoliciesCommand) -> Result<u8> {
    match command {
        PoliciesCommand::List => out.rows(&store.list_policies().await?)?,
        PoliciesCommand::Create {
            name,
            group,
            permission,
            requested_by,
            approved_by,
            approver_permission,
            approvals,
            max_duration,
            expire_after_days,
        } => {
            let mut policy = match group {
                Some(group) => RequestPolicy::group(name, group),
                None => RequestPolicy::permissions(name, permission.iter().cloned()),
            };
            policy = match (approved_by, approver_permission) {
                (Some(group), _) => policy.approved_by_members_of(group),
                (None, Some(perm)) => policy.approved_by_holders_of(perm),
                (None, None) => {
                    return Err(CliError::Usage("give --approved-by GROUP or --approver-permission".into()));
                }
            };
            if let Some(group) = requested_by {
                policy = policy.requested_by_members_of(group);
            }
            if let Some(max) = duration("--max-duration", max_duration.as_deref())? {
                policy = policy.max_duration(max);
            }
            store.create_policy(actor, &policy.approvals(*approvals).expire_after_days(*expire_after_days)).await?;
            return super::done(out, "created", name, &format!("Created request policy '{name}'."));
        }
        PoliciesCommand::Delete { name } => {
            store.delete_policy(actor, name).await?;
            return super::done(out, "deleted", name, &format!("Deleted request policy '{name}'."));
        }
    }
    Ok(0)
}

pub(super) async fn sweep(out: &Out, store: &Store) -> Result<u8> {
    let report = store.sweep_expired().await?;
    out.either(&report, |out| {
        out.line(format!(
            "Removed {} expired grant(s) and {} membership(s); closed {} unanswered request(s).",
            report.grants, report.memberships, report.requests
        ))
    })?;
    Ok(0)
}
