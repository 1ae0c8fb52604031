//! Each event as a mail: a subject, a plain-text part and an HTML part made from one list of
//! blocks, so the two always say the same thing and every value is escaped in one place.

use serde_json::Value;

use crate::store::OutboxMessage;
use crate::store::time::rfc3339;

/// A notification rendered as a mail, as every transport shows it (the webhook sends it beside
/// the event's facts).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mail {
    /// The recipient's username.
    pub recipient: String,
    /// The recipient's email address (may be empty).
    pub email: String,
    /// One line, without control characters.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part: every value from the event is escaped.
    pub html: String,
    /// Where to act on it: the request in the admin, or the invitation's link.
    pub link: Option<String>,
}

/// A piece of a mail's body.
enum Block {
    /// A paragraph.
    Para(String),
    /// Text someone wrote (a justification, a comment), kept as written, under a label.
    Quote { label: &'static str, body: String },
    /// A link to act on.
    Link { label: &'static str, url: String },
    /// Small print: why the recipient gets this mail.
    Note(&'static str),
}

/// Renders a notification; `admin_url` has no trailing slash.
pub(crate) fn render(message: &OutboxMessage, admin_url: &str) -> Mail {
    let payload = &message.payload;
    let field = |key: &str| text_of(payload.get(key));
    let request_id = field("request_id");
    let request_link = || format!("{admin_url}/requests/{}", encode_segment(&request_id));
    let (subject, blocks, link) = match message.event.as_str() {
        "request_created" => {
            let requester = field("requester");
            let target = field("target");
            let duration = payload.get("duration_secs").and_then(Value::as_u64).map(duration).unwrap_or_default();
            let link = request_link();
            let mut blocks = vec![Block::Para(format!(
                "{requester} asks for {target}{duration}, under the policy \"{}\".",
                field("policy")
            ))];
            blocks.push(Block::Quote { label: "Why", body: field("justification") });
            blocks.push(Block::Link { label: "Approve or deny it", url: link.clone() });
            blocks.push(Block::Note("You receive this because you may approve requests under this policy."));
            (format!("Access request #{request_id}: {requester} asks for {target}"), blocks, Some(link))
        }
        event @ ("request_approved" | "request_denied") => {
            let verdict = if event == "request_approved" { "approved" } else { "denied" };
            let target = field("target");
            let link = request_link();
            let mut blocks = vec![Block::Para(format!(
                "{} {verdict} your request for {target} (policy \"{}\").",
                field("decided_by"),
                field("policy")
            ))];
            let comment = field("comment");
            if !comment.trim().is_empty() {
                blocks.push(Block::Quote { label: "Comment", body: comment });
            }
            blocks.push(Block::Link { label: "See the request", url: link.clone() });
            (format!("Access request #{request_id} {verdict}: {target}"), blocks, Some(link))
        }
        "request_expired" => {
            let target = field("target");
            let link = request_link();
            let blocks = vec![
                Block::Para(format!(
                    "Nobody decided on your request for {target} (policy \"{}\") in time, so it expired. \
                     You may ask again.",
                    field("policy")
                )),
                Block::Link { label: "See the request", url: link.clone() },
            ];
            (format!("Access request #{request_id} expired: {target}"), blocks, Some(link))
        }
        "grant_expired" => {
            let target = field("target");
            let expired_at = match payload.get("expired_at") {
                Some(Value::Number(n)) => n.as_i64().map(rfc3339).unwrap_or_else(|| n.to_string()),
                other => text_of(other),
            };
            let link = format!("{admin_url}/requests");
            let blocks = vec![
                Block::Para(format!("Your {target} expired at {expired_at}; you no longer hold it.")),
                Block::Link { label: "Request it again", url: link.clone() },
            ];
            (format!("Your {target} expired"), blocks, Some(link))
        }
        "invitation" => {
            let username = field("username");
            // The store's invitations carry their one-time token, made a link into the admin
            // at `admin_url` (the configured public address, never the Host of a request);
            // `set_password_url` is a whole link made by an application itself.
            let token = field("token");
            let url = match field("set_password_url") {
                url if url.is_empty() && !token.is_empty() => {
                    format!("{admin_url}/invitation/{}", encode_segment(&token))
                }
                url => url,
            };
            let mut blocks = vec![
                Block::Para(format!("An account was made for you: your username is {username}.")),
                Block::Link { label: "Choose your password", url: url.clone() },
            ];
            if let Some(until) = payload.get("expires_at").and_then(Value::as_i64) {
                blocks.push(Block::Para(format!("The link works once, until {}.", rfc3339(until))));
            }
            blocks.push(Block::Note(
                "If you did not expect this, ignore this mail: nothing happens until a password is set.",
            ));
            let link = (!url.is_empty()).then_some(url);
            (format!("Your account {username}: choose a password"), blocks, link)
        }
        other => {
            let facts = serde_json::to_string_pretty(payload).unwrap_or_default();
            (format!("Notification: {other}"), vec![Block::Quote { label: "Details", body: facts }], None)
        }
    };
    let greeting = format!("Hello {},", message.recipient);
    Mail {
        recipient: message.recipient.clone(),
        email: message.email.clone(),
        subject: one_line(&subject),
        text: text(&greeting, &blocks),
        html: html(&greeting, &blocks),
        link,
    }
}

/// A payload value as text: strings as they are, numbers and booleans written out, anything
/// missing or null as nothing.
fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// `" for 4 hours"`, `" for 2 days"`, `" for 90 minutes"`: a requested duration, in the largest
/// whole unit.
fn duration(secs: u64) -> String {
    let (n, unit) = match secs {
        0 => return String::new(),
        s if s.is_multiple_of(86_400) => (s / 86_400, "day"),
        s if s.is_multiple_of(3_600) => (s / 3_600, "hour"),
        s if s.is_multiple_of(60) => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!(" for {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A subject on one line: control characters (a newline in a username or target) become spaces.
fn one_line(subject: &str) -> String {
    let cleaned: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A path segment, percent-encoded (a request id is a number; anything else stays in its segment).
fn encode_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Only `http(s)` links are made clickable; anything else is shown as text.
fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn text(greeting: &str, blocks: &[Block]) -> String {
    let mut out = format!("{greeting}\n");
    for block in blocks {
        out.push('\n');
        match block {
            Block::Para(para) => out.push_str(para),
            Block::Quote { label, body } => {
                out.push_str(label);
                out.push(':');
                for line in body.lines() {
                    out.push_str("\n> ");
                    out.push_str(line);
                }
            }
            Block::Link { label, url } => out.push_str(&format!("{label}: {url}")),
            Block::Note(note) => out.push_str(&format!("-- \n{note}")),
        }
        out.push('\n');
    }
    out
}

fn html(greeting: &str, blocks: &[Block]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: sans-serif; line-height: 1.4\">\n",
    );
    out.push_str(&format!("<p>{}</p>\n", escape(greeting)));
    for block in blocks {
        match block {
            Block::Para(para) => out.push_str(&format!("<p>{}</p>\n", escape(para))),
            Block::Quote { label, body } => out.push_str(&format!(
                "<p>{}:</p>\n<blockquote style=\"white-space: pre-wrap; border-left: 3px solid #ccc; \
                 margin-left: 0; padding-left: 1em\">{}</blockquote>\n",
                escape(label),
                escape(body)
            )),
            Block::Link { label, url } if is_web_link(url) => {
                out.push_str(&format!("<p><a href=\"{}\">{}</a></p>\n", escape(url), escape(label)));
            }
            Block::Link { label, url } => out.push_str(&format!("<p>{}: {}</p>\n", escape(label), escape(url))),
            Block::Note(note) => {
                out.push_str(&format!("<p style=\"color: #666; font-size: smaller\">{}</p>\n", escape(note)));
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(event: &str, payload: Value) -> OutboxMessage {
        OutboxMessage {
            id: 7,
            created_at: 1_790_000_000_000_000,
            event: event.into(),
            recipient: "grace".into(),
            email: "grace@example.com".into(),
            payload,
            attempts: 1,
        }
    }

    const ADMIN: &str = "https://example.com/admin";

    #[test]
    fn a_new_request_reaches_its_approvers() {
        let mail = render(
            &message(
                "request_created",
                json!({"request_id": 12, "policy": "Promotions", "requester": "alice",
                       "target": "group Senior Writers", "justification": "I edit the weekly column.\nSince May.",
                       "duration_secs": 14_400}),
            ),
            ADMIN,
        );
        assert_eq!(mail.subject, "Access request #12: alice asks for group Senior Writers");
        assert_eq!(mail.link.as_deref(), Some("https://example.com/admin/requests/12"));
        assert!(mail.text.starts_with("Hello grace,\n"));
        assert!(
            mail.text.contains("alice asks for group Senior Writers for 4 hours, under the policy \"Promotions\".")
        );
        assert!(mail.text.contains("Why:\n> I edit the weekly column.\n> Since May.\n"));
        assert!(mail.text.contains("Approve or deny it: https://example.com/admin/requests/12\n"));
        assert!(mail.html.contains("<a href=\"https://example.com/admin/requests/12\">Approve or deny it</a>"));
        assert!(
            mail.html
                .contains("alice asks for group Senior Writers for 4 hours, under the policy &quot;Promotions&quot;.")
        );
    }

    #[test]
    fn decisions_expiries_and_invitations() {
        let approved = render(
            &message(
                "request_approved",
                json!({"request_id": 3, "policy": "P", "target": "group Senior Writers", "decided_by": "grace",
                       "comment": "welcome"}),
            ),
            ADMIN,
        );
        assert_eq!(approved.subject, "Access request #3 approved: group Senior Writers");
        assert!(approved.text.contains("grace approved your request for group Senior Writers"));
        assert!(approved.text.contains("Comment:\n> welcome"));
        let denied = render(
            &message("request_denied", json!({"request_id": 3, "target": "t", "decided_by": "g", "comment": ""})),
            ADMIN,
        );
        assert_eq!(denied.subject, "Access request #3 denied: t");
        assert!(!denied.text.contains("Comment"));
        let expired = render(&message("request_expired", json!({"request_id": 4, "target": "t"})), ADMIN);
        assert!(expired.subject.contains("expired") && expired.link.unwrap().ends_with("/requests/4"));
        let grant = render(
            &message("grant_expired", json!({"target": "permission blog.publish_post", "expired_at": 0})),
            ADMIN,
        );
        assert_eq!(grant.subject, "Your permission blog.publish_post expired");
        assert!(grant.text.contains("expired at 1970-01-01T00:00:00Z"));
        let invitation = render(
            &message("invitation", json!({"username": "carol", "set_password_url": "https://example.com/set?t=a&b"})),
            ADMIN,
        );
        assert_eq!(invitation.link.as_deref(), Some("https://example.com/set?t=a&b"));
        assert!(invitation.html.contains("href=\"https://example.com/set?t=a&amp;b\""));
        let invited =
            render(&message("invitation", json!({"username": "carol", "token": "ab12", "expires_at": 0})), ADMIN);
        assert_eq!(invited.link.as_deref(), Some("https://example.com/admin/invitation/ab12"));
        assert!(invited.text.contains("The link works once, until 1970-01-01T00:00:00Z."), "{}", invited.text);
        let unknown = render(&message("something_new", json!({"k": "<v>"})), ADMIN);
        assert_eq!(unknown.subject, "Notification: something_new");
        assert!(unknown.html.contains("&lt;v&gt;") && unknown.link.is_none());
    }

    #[test]
    fn what_users_wrote_is_escaped_and_kept_off_the_subject_line() {
        let evil = "<script>alert('x')</script> & \"friends\"";
        let mail = render(
            &message(
                "request_created",
                json!({"request_id": "1/../../x\"><b", "requester": "eve\r\nBcc: all@example.com", "target": evil,
                       "justification": evil, "policy": evil}),
            ),
            ADMIN,
        );
        assert!(!mail.html.contains("<script>") && !mail.html.contains("\"friends\""), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;"));
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        assert_eq!(mail.link.as_deref(), Some("https://example.com/admin/requests/1%2F%2E%2E%2F%2E%2E%2Fx%22%3E%3Cb"));
        let invitation =
            render(&message("invitation", json!({"username": "x", "set_password_url": "javascript:alert(1)"})), ADMIN);
        assert!(!invitation.html.contains("href=\"javascript"), "{}", invitation.html);
    }

    #[test]
    fn durations_in_their_largest_whole_unit() {
        assert_eq!(duration(0), "");
        assert_eq!(duration(86_400), " for 1 day");
        assert_eq!(duration(3 * 86_400), " for 3 days");
        assert_eq!(duration(4 * 3_600), " for 4 hours");
        assert_eq!(duration(90 * 60), " for 90 minutes");
        assert_eq!(duration(61), " for 61 seconds");
    }
}
