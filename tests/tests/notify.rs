//! Notifications mailed through a real SMTP server on loopback, on SQLite and on PostgreSQL:
//! the access-request workflow's own outbox rows, rendered (subject, both parts, the admin's
//! link) and delivered by the worker; credentials from the URL; STARTTLS required, never skipped;
//! a server that comes up late; the log transport; and configurations refused at startup.

mod notify_support;
mod support;

use std::time::{Duration, Instant};

use notify_support::smtp::{ReceivedMail, SmtpServer};
use notify_support::{enqueue, eventually, nothing_undelivered, now_micros, outbox_row, outbox_rows};
use permfw::notify::{NotifierConfig, NotifyError};
use permfw::store::{Actor, RequestPolicy, Store};
use support::TestStore;

on_every_backend!(
    requests_are_mailed_to_the_approvers_then_the_decision_to_the_requester,
    this_processs_commits_wake_the_worker_at_once,
    smtp_logs_in_with_the_urls_credentials,
    starttls_is_required_not_hoped_for,
    a_server_that_comes_up_late_gets_each_mail_once,
    the_log_transport_prints_and_delivers,
    a_mail_without_an_address_is_given_up_with_its_error,
);

const SYSTEM: &Actor = &Actor::System;

fn user(name: &str) -> Actor {
    Actor::User(name.to_owned())
}

/// Writers (alice), Editors (grace, heidi), Senior Writers, and the policy: Writers may ask to
/// become Senior Writers, Editors approve.
async fn newsroom(store: &Store) {
    for group in ["Writers", "Editors", "Senior Writers"] {
        store.create_group(SYSTEM, group).await.unwrap();
    }
    for (name, group) in [("alice", "Writers"), ("grace", "Editors"), ("heidi", "Editors")] {
        store.create_user(SYSTEM, name, &format!("{name}@example.com"), None).await.unwrap();
        store.add_to_group(SYSTEM, name, group).await.unwrap();
    }
    let policy = RequestPolicy::group("promotion", "Senior Writers")
        .requested_by_members_of("Writers")
        .approved_by_members_of("Editors");
    store.create_policy(SYSTEM, &policy).await.unwrap();
}

fn smtp_to(server: &SmtpServer) -> String {
    format!("smtp://{}?tls=none", server.addr)
}

/// The envelope's recipients, without angle brackets.
fn envelope_to(mail: &ReceivedMail) -> Vec<String> {
    mail.to.iter().map(|to| to.trim_matches(['<', '>']).to_owned()).collect()
}

async fn requests_are_mailed_to_the_approvers_then_the_decision_to_the_requester(store: TestStore) {
    let smtp = SmtpServer::start().await;
    newsroom(&store).await;
    let notifier = NotifierConfig::new(smtp_to(&smtp))
        .from("The Blog <noreply@blog.test>")
        .admin_url("http://blog.test/admin/")
        .build()
        .unwrap();
    let worker = notifier.spawn(store.store.clone());

    let justification = "I edit the <weekly> column & \"more\"";
    let four_hours = Some(Duration::from_secs(4 * 3600));
    let request = store.request_access(&user("alice"), "promotion", justification, four_hours).await.unwrap();
    let committed = Instant::now();
    let mut mails = smtp.wait_for(2).await;
    eprintln!("both approvers' mails arrived {:?} after the commit", committed.elapsed());
    mails.sort_by_key(envelope_to);
    let link = format!("http://blog.test/admin/requests/{}", request.id);
    for (mail, approver) in mails.iter().zip(["grace", "heidi"]) {
        assert_eq!(envelope_to(mail), [format!("{approver}@example.com")]);
        assert_eq!(mail.from.trim_matches(['<', '>']), "noreply@blog.test");
        assert_eq!(mail.header("To").unwrap(), format!("{approver} <{approver}@example.com>"));
        assert_eq!(mail.header("From").unwrap(), "\"The Blog\" <noreply@blog.test>");
        assert_eq!(
            mail.header("Subject").unwrap(),
            format!("Access request #{}: alice asks for group Senior Writers", request.id)
        );
        assert!(mail.header("Message-ID").unwrap().starts_with("<permfw.notification."));
        let text = mail.part("text/plain").expect("a plain-text part");
        assert!(text.starts_with(&format!("Hello {approver},\n")), "{text}");
        assert!(text.contains("alice asks for group Senior Writers for 4 hours, under the policy \"promotion\"."));
        assert!(text.contains(&format!("> {justification}\n")), "{text}");
        assert!(text.contains(&format!("Approve or deny it: {link}\n")), "{text}");
        let html = mail.part("text/html").expect("an HTML part");
        assert!(html.contains(&format!("<a href=\"{link}\">Approve or deny it</a>")), "{html}");
        assert!(html.contains("I edit the &lt;weekly&gt; column &amp; &quot;more&quot;"), "{html}");
        assert!(!html.contains("<weekly>"), "{html}");
    }
    eventually("the outbox to record both mails delivered", || nothing_undelivered(&store)).await;

    store.approve_request(&user("grace"), request.id, "welcome aboard").await.unwrap();
    let mails = smtp.wait_for(3).await;
    let decision = &mails[2];
    assert_eq!(envelope_to(decision), ["alice@example.com"]);
    assert_eq!(
        decision.header("Subject").unwrap(),
        format!("Access request #{} approved: group Senior Writers", request.id)
    );
    let text = decision.part("text/plain").unwrap();
    assert!(text.contains("grace approved your request for group Senior Writers") && text.contains("> welcome aboard"));
    assert!(decision.part("text/html").unwrap().contains(&format!("href=\"{link}\"")));
    eventually("the decision's mail recorded delivered", || nothing_undelivered(&store)).await;
    worker.abort();
    assert_eq!(smtp.mails().len(), 3, "each mail once");
}

async fn this_processs_commits_wake_the_worker_at_once(store: TestStore) {
    let smtp = SmtpServer::start().await;
    newsroom(&store).await;
    // Polling once an hour: only the commit's wake-up can deliver in time.
    let notifier = NotifierConfig::new(smtp_to(&smtp)).poll_interval(Duration::from_secs(3600)).build().unwrap();
    enqueue(&store.db, "request_expired", "alice", "alice@example.com", serde_json::json!({"request_id": 1})).await;
    let worker = notifier.spawn(store.store.clone());
    eventually("the first round", || nothing_undelivered(&store)).await;
    // The worker now waits.
    store.request_access(&user("alice"), "promotion", "I edit the weekly column", None).await.unwrap();
    let committed = Instant::now();
    smtp.wait_for(3).await;
    eprintln!("the approvers' mails arrived {:?} after the commit", committed.elapsed());
    worker.abort();
}

async fn smtp_logs_in_with_the_urls_credentials(store: TestStore) {
    let smtp = SmtpServer::start_on("127.0.0.1:0".parse().unwrap(), true).await;
    let transport = format!("smtp://mailer%40blog.test:p%40ss%3Aw%2Frd@{}?tls=none", smtp.addr);
    let notifier = NotifierConfig::new(transport).build().unwrap();
    let url = "https://blog.test/set-password?token=abc&user=carol";
    enqueue(
        &store.db,
        "invitation",
        "carol",
        "carol@example.com",
        serde_json::json!({"username": "carol", "set_password_url": url}),
    )
    .await;
    let round = notifier.deliver_due(&store).await.unwrap();
    assert_eq!((round.claimed, round.delivered), (1, 1));
    assert_eq!(smtp.logins(), [("mailer@blog.test".to_owned(), "p@ss:w/rd".to_owned())]);
    let mail = &smtp.mails()[0];
    assert_eq!(mail.header("Subject").unwrap(), "Your account carol: choose a password");
    assert!(mail.part("text/plain").unwrap().contains(&format!("Choose your password: {url}")));
    assert!(
        mail.part("text/html").unwrap().contains("href=\"https://blog.test/set-password?token=abc&amp;user=carol\"")
    );
}

async fn starttls_is_required_not_hoped_for(store: TestStore) {
    // The server offers no STARTTLS; `smtp://` without `?tls=none` must not fall back to plain.
    let smtp = SmtpServer::start().await;
    let notifier = NotifierConfig::new(format!("smtp://{}", smtp.addr)).build().unwrap();
    let id =
        enqueue(&store.db, "request_expired", "alice", "alice@example.com", serde_json::json!({"request_id": 1})).await;
    let round = notifier.deliver_due(&store).await.unwrap();
    assert_eq!((round.claimed, round.delivered, round.retried), (1, 0, 1));
    assert!(smtp.mails().is_empty(), "nothing was sent in the clear");
    let row = outbox_row(&store.db, id).await;
    let error = row.last_error.unwrap();
    assert!(error.to_ascii_lowercase().contains("tls"), "{error}");
    assert!(row.delivered_at.is_none() && row.next_attempt_at > now_micros(), "due again later: {error}");
}

async fn a_server_that_comes_up_late_gets_each_mail_once(store: TestStore) {
    // A port nobody listens on yet.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let notifier = NotifierConfig::new(format!("smtp://{addr}?tls=none")).build().unwrap();
    let id =
        enqueue(&store.db, "request_expired", "alice", "alice@example.com", serde_json::json!({"request_id": 9})).await;
    let worker = notifier.spawn(store.store.clone());
    eventually("two failed tries", || async {
        let rows = outbox_rows(&store.db).await;
        rows[0].attempts >= 2 && rows[0].last_error.is_some()
    })
    .await;
    let row = outbox_row(&store.db, id).await;
    assert!(row.delivered_at.is_none(), "{row:?}");

    let smtp = SmtpServer::start_on(addr, false).await;
    smtp.wait_for(1).await;
    eventually("the mail recorded delivered", || nothing_undelivered(&store)).await;
    let row = outbox_row(&store.db, id).await;
    assert!(row.delivered_at.is_some() && row.last_error.is_none(), "{row:?}");
    // Another few rounds of the worker change nothing.
    tokio::time::sleep(Duration::from_secs(1)).await;
    worker.abort();
    assert_eq!(smtp.mails().len(), 1, "delivered once");
    assert_eq!(smtp.mails()[0].header("Subject").unwrap(), "Access request #9 expired:");
}

async fn the_log_transport_prints_and_delivers(store: TestStore) {
    let notifier = NotifierConfig::new("log").build().unwrap();
    assert_eq!(notifier.transport().to_string(), "log");
    enqueue(
        &store.db,
        "grant_expired",
        "alice",
        "",
        serde_json::json!({"target": "group Senior Writers", "expired_at": 0}),
    )
    .await;
    let round = notifier.deliver_due(&store).await.unwrap();
    assert_eq!((round.claimed, round.delivered), (1, 1));
    assert!(nothing_undelivered(&store).await);
}

async fn a_mail_without_an_address_is_given_up_with_its_error(store: TestStore) {
    let smtp = SmtpServer::start().await;
    let notifier = NotifierConfig::new(smtp_to(&smtp)).build().unwrap();
    let id = enqueue(&store.db, "request_denied", "mallory", "", serde_json::json!({"request_id": 2})).await;
    let round = notifier.deliver_due(&store).await.unwrap();
    assert_eq!((round.claimed, round.given_up), (1, 1));
    let row = outbox_row(&store.db, id).await;
    assert!(row.last_error.unwrap().contains("user `mallory` has no email address"));
    assert_eq!(store.undelivered_notifications().await.unwrap(), 1, "kept, for an operator to read");
    assert_eq!(notifier.deliver_due(&store).await.unwrap().claimed, 0, "and never tried again");
    assert!(smtp.mails().is_empty());
}

#[test]
fn a_transport_that_cannot_work_is_an_error_at_startup() {
    let cases = [
        ("smtp//mail.example.com", "not a URL"),
        ("smtp://mailer:hunter2@mail.example.com:99999", "not a URL"),
        ("smtp://mailer@mail.example.com", "has no password"),
        ("smtp://mailer:hunter2@mail.example.com?tls=sometimes", "unknown `tls=sometimes`"),
        ("smtps://mail.example.com?tls=none", "always TLS"),
        ("imap://mail.example.com", "unknown scheme `imap`"),
        ("https://", "not a URL"),
    ];
    for (transport, says) in cases {
        let err = NotifierConfig::new(transport).build().unwrap_err();
        assert!(matches!(err, NotifyError::Transport { .. }), "{transport}: {err:?}");
        let message = err.to_string();
        assert!(message.contains(says), "{transport}: {message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    let err = NotifierConfig::new("https://hooks.example/permfw").build().unwrap_err();
    assert!(matches!(err, NotifyError::WebhookSecret { .. }), "{err}");
    let err = NotifierConfig::new("log").from("noreply").build().unwrap_err();
    assert!(matches!(err, NotifyError::From { .. }), "{err}");
    let err = NotifierConfig::new("log").admin_url("/admin").build().unwrap_err();
    assert!(matches!(err, NotifyError::AdminUrl { .. }), "{err}");
    // Building does no I/O: a server that does not exist is found at the first send.
    NotifierConfig::new("smtps://mailer:pw@mail.invalid").build().unwrap();
}
