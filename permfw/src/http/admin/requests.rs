//! A user's own pages, open to every active user (a Writer is not staff): "Request access"
//! under the policies that let it ask, its requests with their status and decisions, and
//! cancelling an open one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::error::{Form, Path, Query, refusal};
use super::flash::Flash;
use super::pages::{AskPage, MyRequestsPage, PolicyChoice, render};
use super::request_rows::{groups_of, next_before, rows};
use super::roles::may_request;
use super::session::CsrfForm;
use super::when::{length, parse_duration};
use super::{AdminError, Member};
use crate::HasPerms;
use crate::store::{PolicyRecord, RequestQuery, Store, StoreError};

/// Requests a page of the list holds.
const PAGE: u32 = 20;

/// `GET /requests?before=`: the page of requests older than this id.
#[derive(Debug, Deserialize)]
pub(super) struct PageQuery {
    before: Option<i64>,
}

pub(super) async fn mine(
    member: Member,
    State(store): State<Store>,
    Query(page): Query<PageQuery>,
) -> Result<Response, AdminError> {
    let me = member.user()?;
    let mut query = RequestQuery::new().requester(me.username()).limit(PAGE);
    if let Some(before) = page.before {
        query = query.before_id(before);
    }
    let requests = store.list_requests(query).await?;
    let next = next_before(&requests, PAGE);
    let policies = store.list_policies().await?;
    let rows = rows(&store, me, requests, &policies).await?;
    Ok(render(&MyRequestsPage { frame: member.frame(), groups: groups_of(me), rows, next }))
}

/// The "Request access" form, as posted (and as shown again with what was typed when refused).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    duration: String,
}

pub(super) async fn ask(member: Member, State(store): State<Store>) -> Result<Response, AdminError> {
    ask_page(&member, &store, &AskForm::default(), None).await
}

/// Who approves a policy's requests, and how many must: `a member of Editors`, `2 holders of
/// auth.change_group`.
fn approvers(policy: &PolicyRecord) -> String {
    let (one, many, whom) = match (&policy.approver_group, &policy.approver_permission) {
        (Some(group), _) => ("a member", "members", format!("of {group}")),
        (None, Some(perm)) => ("a holder", "holders", format!("of {perm}")),
        (None, None) => ("a superuser", "superusers", String::new()),
    };
    match policy.approvals_needed {
        1 => format!("{one} {whom}").trim_end().to_owned(),
        n => format!("{n} {many} {whom}").trim_end().to_owned(),
    }
}

/// The form with the policies the caller may ask under, what was typed, and why it was refused.
async fn ask_page(
    member: &Member,
    store: &Store,
    form: &AskForm,
    refused: Option<(StatusCode, String)>,
) -> Result<Response, AdminError> {
    let me = member.user()?;
    let mine: Vec<PolicyRecord> =
        store.list_policies().await?.into_iter().filter(|policy| may_request(me, policy)).collect();
    let only = mine.len() == 1;
    let policies = mine
        .iter()
        .map(|policy| PolicyChoice {
            name: policy.name.clone(),
            target: policy.target(),
            approvers: approvers(policy),
            longest: policy.max_duration_secs.map_or_else(
                || "for good, or for as long as you say".to_owned(),
                |max| format!("for at most {}: say how long", length(max)),
            ),
            checked: only || policy.name == form.policy,
        })
        .collect();
    let (status, error) = refused.map_or((StatusCode::OK, None), |(status, text)| (status, Some(text)));
    let page = AskPage {
        frame: member.frame(),
        groups: groups_of(me),
        policies,
        justification: form.justification.clone(),
        duration: form.duration.clone(),
        error,
    };
    Ok((status, render(&page)).into_response())
}

pub(super) async fn create(
    member: Member,
    State(store): State<Store>,
    Form(form): Form<AskForm>,
) -> Result<Response, AdminError> {
    member.check_csrf(&form.csrf)?;
    if form.policy.is_empty() {
        let why = "Choose what you ask for.".to_owned();
        return ask_page(&member, &store, &form, Some((StatusCode::BAD_REQUEST, why))).await;
    }
    let duration = match parse_duration(&form.duration) {
        Ok(duration) => duration,
        Err(why) => {
            let why = format!("The duration is wrong: {why}.");
            return ask_page(&member, &store, &form, Some((StatusCode::BAD_REQUEST, why))).await;
        }
    };
    let asked = store.request_access(&member.actor()?, &form.policy, &form.justification, duration).await;
    let request = match asked {
        Ok(request) => request,
        Err(err) => return ask_page(&member, &store, &form, Some(refusal(err)?)).await,
    };
    let target = store.list_policies().await?.into_iter().find(|p| p.name == request.policy).map(|p| p.target());
    let flash = Flash::done(format!(
        "Requested {} (request #{}); its approvers are notified.",
        target.unwrap_or(request.policy),
        request.id
    ));
    Ok((flash, Redirect::to(&format!("{}/requests", member.base()))).into_response())
}

pub(super) async fn cancel(
    member: Member,
    State(store): State<Store>,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    member.check_csrf(&form.csrf)?;
    let me = member.user()?;
    // Only its requester (or a superuser) cancels a request: anyone else learns nothing of it.
    let flash = match store.get_request(id).await {
        Ok(request) if request.requester == me.username() || me.is_superuser() => {
            match store.cancel_request(&member.actor()?, id).await {
                Ok(()) => Flash::done(format!("Cancelled request #{id}.")),
                Err(err) => Flash::refusal(err)?,
            }
        }
        Ok(_) | Err(StoreError::RequestNotFound(_)) => {
            Flash::refused(format!("Request #{id} is not one of yours; only whoever asked cancels it."))
        }
        Err(err) => return Err(err.into()),
    };
    Ok((flash, Redirect::to(&format!("{}/requests", member.base()))).into_response())
}
