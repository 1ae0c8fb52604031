//! The transport's URL-like configuration, parsed whole at startup: `log`, `smtp://`, `smtps://`,
//! `http://` and `https://`. Pure parsing, no I/O; [`super::smtp`] and [`super::webhook`] turn the
//! result into a sender.

use std::fmt;

use percent_encoding::percent_decode_str;
use url::Url;

use super::error::NotifyError;

/// Where notifications go, parsed from a URL-like string:
///
/// | string | transport |
/// |---|---|
/// | `log` | development: each mail is printed on standard output, as Django's console backend does |
/// | `smtp://user:password@host:587` | SMTP with STARTTLS, required (no plain-text fallback); port 587 by default |
/// | `smtp://host:2525?tls=none` | SMTP without TLS, for a mail server on the same machine |
/// | `smtps://user:password@host:465` | SMTP over TLS from the first byte; port 465 by default |
/// | `https://hooks.example/permfw` | a webhook: each notification POSTed as signed JSON (`http://` too) |
///
/// The user name and password are percent-decoded (`p%40ss` is `p@ss`). The password never
/// shows in [`Display`](fmt::Display) or in an error.
///
/// ```
/// use permfw::notify::Transport;
///
/// let smtp = Transport::parse("smtp://mailer:s3cret@mail.example.com")?;
/// assert_eq!(smtp.to_string(), "smtp://mailer:***@mail.example.com:587");
/// assert!(Transport::parse("smtp://mail.example.com?tls=maybe").is_err());
/// # Ok::<(), permfw::notify::NotifyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Transport {
    pub(crate) kind: Kind,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Log,
    Smtp(SmtpUrl),
    Webhook(Url),
}

/// An SMTP server, as the URL named it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SmtpUrl {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: Encryption,
    /// User name and password.
    pub(crate) credentials: Option<(String, String)>,
}

/// How the connection to the SMTP server is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encryption {
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://...?tls=none`: none.
    None,
}

const FORMS: &str = "write `log`, `smtp://user:password@host:587`, `smtps://user:password@host:465` or \
                     `https://host/path`";

impl Transport {
    /// Parses a transport's configuration (see the table above).
    ///
    /// # Errors
    ///
    /// [`NotifyError::Transport`], saying what is wrong and what to write instead.
    pub fn parse(transport: &str) -> Result<Self, NotifyError> {
        let text = transport.trim();
        let wrong = |reason: String| NotifyError::Transport { transport: redact(text), reason };
        if text == "log" {
            return Ok(Transport { kind: Kind::Log });
        }
        let url = Url::parse(text).map_err(|err| wrong(format!("not a URL ({err}); {FORMS}")))?;
        let kind = match url.scheme() {
            "smtp" | "smtps" => Kind::Smtp(smtp(&url).map_err(wrong)?),
            "http" | "https" => {
                if url.host_str().is_none_or(str::is_empty) {
                    return Err(wrong("a webhook URL needs a host, as in `https://hooks.example/permfw`".into()));
                }
                if url.fragment().is_some() {
                    return Err(wrong("a webhook URL has no `#fragment`".into()));
                }
                Kind::Webhook(url)
            }
            other => return Err(wrong(format!("unknown scheme `{other}`; {FORMS}"))),
        };
        Ok(Transport { kind })
    }

    /// The log transport, the development default.
    pub fn log() -> Self {
        Transport { kind: Kind::Log }
    }

    /// Whether this is a webhook (which needs a secret to sign with).
    pub fn is_webhook(&self) -> bool {
        matches!(self.kind, Kind::Webhook(_))
    }
}

impl std::str::FromStr for Transport {
    type Err = NotifyError;

    fn from_str(transport: &str) -> Result<Self, NotifyError> {
        Transport::parse(transport)
    }
}

/// The SMTP server of an `smtp://` or `smtps://` URL.
fn smtp(url: &Url) -> Result<SmtpUrl, String> {
    let implicit = url.scheme() == "smtps";
    let host = match url.host() {
        Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err("an SMTP URL needs a host, as in `smtp://mail.example.com:587`".into()),
    };
    if !matches!(url.path(), "" | "/") {
        return Err(format!("an SMTP URL has no path (`{}`); remove it", url.path()));
    }
    if url.fragment().is_some() {
        return Err("an SMTP URL has no `#fragment`; remove it".into());
    }
    let mut tls = if implicit { Encryption::Implicit } else { Encryption::StartTls };
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref(), implicit) {
            ("tls", "none", false) => tls = Encryption::None,
            ("tls", "starttls", false) => tls = Encryption::StartTls,
            ("tls", _, true) => {
                return Err("`smtps://` is always TLS; for STARTTLS write `smtp://`, for none \
                            `smtp://...?tls=none`"
                    .into());
            }
            ("tls", other, false) => {
                return Err(format!("unknown `tls={other}`; write `tls=starttls` (the default) or `tls=none`"));
            }
            (other, _, _) => return Err(format!("unknown setting `{other}`; the only one is `tls=none`")),
        }
    }
    let decode = |part: &str| percent_decode_str(part).decode_utf8().map(|s| s.into_owned());
    let user = decode(url.username()).map_err(|_| "the user name is not UTF-8 once percent-decoded")?;
    let password =
        url.password().map(decode).transpose().map_err(|_| "the password is not UTF-8 once percent-decoded")?;
    let credentials = match (user.is_empty(), password) {
        (true, None) => None,
        (false, Some(password)) => Some((user, password)),
        (false, None) => {
            return Err(format!(
                "user `{user}` has no password; write `{}://{user}:PASSWORD@...`, percent-encoding \
                 `@`, `:` and `/` in it",
                url.scheme()
            ));
        }
        (true, Some(_)) => return Err("a password without a user name; write `smtp://USER:PASSWORD@...`".into()),
    };
    let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
    Ok(SmtpUrl { host, port, tls, credentials })
}

/// `text` with any password replaced by `***` and any query by `?…`, for errors and logs.
pub(crate) fn redact(text: &str) -> String {
    if let Ok(mut url) = Url::parse(text) {
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        let keep_query = url.scheme().starts_with("smtp");
        if !keep_query && url.query().is_some() {
            url.set_query(None);
            return format!("{url}?…");
        }
        return url.to_string();
    }
    // Not a URL: hide whatever follows a `:` in what looks like user information.
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => text.to_owned(),
        },
        None => text.to_owned(),
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Log => f.write_str("log"),
            Kind::Smtp(smtp) => {
                let scheme = if smtp.tls == Encryption::Implicit { "smtps" } else { "smtp" };
                let user = smtp.credentials.as_ref().map(|(user, _)| format!("{user}:***@")).unwrap_or_default();
                let host = if smtp.host.contains(':') { format!("[{}]", smtp.host) } else { smtp.host.clone() };
                let tls = if smtp.tls == Encryption::None { "?tls=none" } else { "" };
                write!(f, "{scheme}://{user}{host}:{}{tls}", smtp.port)
            }
            Kind::Webhook(url) => f.write_str(&redact(url.as_str())),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Transport").field(&self.to_string()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp_of(text: &str) -> SmtpUrl {
        match Transport::parse(text).unwrap().kind {
            Kind::Smtp(smtp) => smtp,
            _ => panic!("not smtp"),
        }
    }

    fn reason(text: &str) -> String {
        match Transport::parse(text) {
            Err(NotifyError::Transport { reason, .. }) => reason,
            other => panic!("expected an error for {text}, got {other:?}"),
        }
    }

    #[test]
    fn log_and_webhooks() {
        assert!(Transport::parse("log").unwrap().kind == Kind::Log);
        assert!(Transport::parse(" log ").unwrap().kind == Kind::Log);
        assert!(Transport::parse("https://hooks.example/permfw").unwrap().is_webhook());
        assert!(Transport::parse("http://127.0.0.1:9000/hook?x=1").unwrap().is_webhook());
        assert_eq!(
            Transport::parse("https://hooks.example/p?token=abc").unwrap().to_string(),
            "https://hooks.example/p?…"
        );
    }

    #[test]
    fn smtp_urls() {
        let plain = smtp_of("smtp://mail.example.com");
        assert_eq!((plain.port, plain.tls, plain.credentials), (587, Encryption::StartTls, None));
        let implicit = smtp_of("smtps://u:p@mail.example.com");
        assert_eq!((implicit.port, implicit.tls), (465, Encryption::Implicit));
        assert_eq!(implicit.credentials, Some(("u".into(), "p".into())));
        let local = smtp_of("smtp://127.0.0.1:2525?tls=none");
        assert_eq!((local.host.as_str(), local.port, local.tls), ("127.0.0.1", 2525, Encryption::None));
        let encoded = smtp_of("smtp://me%40example.com:p%40ss%3Aw%2Frd@mail.example.com:25");
        assert_eq!(encoded.credentials, Some(("me@example.com".into(), "p@ss:w/rd".into())));
        assert_eq!(smtp_of("smtp://[::1]:25?tls=none").host, "::1");
    }

    #[test]
    fn wrong_urls_say_what_to_write() {
        assert!(reason("").contains("not a URL"));
        assert!(reason("mail.example.com").contains("not a URL"));
        assert!(reason("smtp:/mail").contains("needs a host"));
        assert!(reason("smtp://mail.example.com:99999").contains("not a URL"));
        assert!(reason("ftp://x").contains("unknown scheme `ftp`"));
        assert!(reason("smtp://user@mail.example.com").contains("has no password"));
        assert!(reason("smtp://:pw@mail.example.com").contains("without a user"));
        assert!(reason("smtp://mail.example.com?tls=maybe").contains("tls=none"));
        assert!(reason("smtp://mail.example.com?verify=no").contains("unknown setting `verify`"));
        assert!(reason("smtps://mail.example.com?tls=none").contains("always TLS"));
        assert!(reason("smtp://mail.example.com/inbox").contains("no path"));
    }

    #[test]
    fn passwords_never_show() {
        let transport = Transport::parse("smtps://mailer:hunter2@mail.example.com").unwrap();
        assert_eq!(transport.to_string(), "smtps://mailer:***@mail.example.com:465");
        assert!(!format!("{transport:?}").contains("hunter2"));
        let err = Transport::parse("smtp://mailer:hunter2@mail.example.com?tls=bogus").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = Transport::parse("smtp://mailer:hunter2@mail.example.com:99999").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert_eq!(redact("smtp://a:b@host/x"), "smtp://a:***@host/x");
        assert_eq!(redact("bogus://a:b@[bad"), "bogus://a:***@[bad");
    }
}
