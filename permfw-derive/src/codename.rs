//! Django's naming rules as pure functions over strings: model names, verbose names, default
//! codenames and the character sets permfw accepts.

/// Django's `Permission.name` column: at most 255 characters.
pub const NAME_MAX: usize = 255;
/// Django's `Permission.codename` column: at most 100 characters.
pub const CODENAME_MAX: usize = 100;
/// Django's `ContentType.model` and `ContentType.app_label` columns: at most 100 characters.
pub const LABEL_MAX: usize = 100;
/// Django's `Options.default_permissions`, in its order.
pub const DEFAULT_ACTIONS: [&str; 4] = ["add", "change", "delete", "view"];

/// `BlogPost` -> `blogpost`: Django's `object_name.lower()`, no underscores inserted.
pub fn model_name(type_name: &str) -> String {
    type_name.to_lowercase()
}

/// `BlogPost` -> `blog post`, `HTTPRequest` -> `http request`: Django's
/// `camel_case_to_spaces`, which puts a space before an ASCII capital that follows a lower-case
/// ASCII letter or that starts a new word (is followed by anything but a capital), then trims
/// and lower-cases.
pub fn verbose_name(type_name: &str) -> String {
    let chars: Vec<char> = type_name.chars().collect();
    let mut spaced = String::with_capacity(type_name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let after_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
        let starts_word = chars.get(i + 1).is_some_and(|next| !next.is_ascii_uppercase());
        if c.is_ascii_uppercase() && (after_lower || starts_word) {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    spaced.trim().to_lowercase()
}

/// `add` + `post` -> `add_post`.
pub fn default_codename(action: &str, model_name: &str) -> String {
    format!("{action}_{model_name}")
}

/// `add` + `blog post` -> `Can add blog post`.
pub fn default_name(action: &str, verbose_name: &str) -> String {
    format!("Can {action} {verbose_name}")
}

/// A codename: `[a-z][a-z0-9_]*`.
pub fn is_codename(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(is_tail_char)
}

/// An app label or model name: `[a-z_][a-z0-9_]*`.
pub fn is_label(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_') && chars.all(is_tail_char)
}

fn is_tail_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// The length Django measures: characters, not bytes.
pub fn len(s: &str) -> usize {
    s.chars().count()
}

/// A lower-cased, underscore-only spelling of `s`, offered when `s` is not a valid label.
pub fn suggest_label(s: &str) -> Option<String> {
    let fixed: Option<String> = s
        .chars()
        .map(|c| match c {
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            '-' | ' ' | '.' => Some('_'),
            c if is_tail_char(c) => Some(c),
            _ => None,
        })
        .collect();
    let fixed = fixed?;
    let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) { format!("_{fixed}") } else { fixed };
    (is_label(&fixed) && fixed != s).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_lower_cased_without_underscores() {
        assert_eq!(model_name("Post"), "post");
        assert_eq!(model_name("BlogPost"), "blogpost");
        assert_eq!(model_name("HTMLParser"), "htmlparser");
        assert_eq!(model_name("OAuth2Token"), "oauth2token");
        assert_eq!(model_name("Blog_Post"), "blog_post");
    }

    #[test]
    fn verbose_names_split_as_django_does() {
        // The table of django-reference.md section 1.2, verified against Django 6.1.
        for (class, verbose) in [
            ("Post", "post"),
            ("BlogPost", "blog post"),
            ("HTMLParser", "html parser"),
            ("MyHTTPServer", "my http server"),
            ("OAuth2Token", "o auth2 token"),
            ("Post2Comment", "post2 comment"),
            ("HTTPRequest", "http request"),
            ("URL", "url"),
            ("X", "x"),
            ("ABCDef", "abc def"),
            ("already_lower", "already_lower"),
            ("Blog_Post", "blog_ post"),
        ] {
            assert_eq!(verbose_name(class), verbose, "verbose name of {class}");
        }
    }

    #[test]
    fn default_codenames_and_names() {
        assert_eq!(default_codename("add", "blogpost"), "add_blogpost");
        assert_eq!(default_name("add", "blog post"), "Can add blog post");
        let all: Vec<_> = DEFAULT_ACTIONS.iter().map(|a| default_codename(a, "post")).collect();
        assert_eq!(all, ["add_post", "change_post", "delete_post", "view_post"]);
    }

    #[test]
    fn codename_character_set() {
        for good in ["publish_post", "a", "x1", "view_2fa"] {
            assert!(is_codename(good), "{good}");
        }
        for bad in ["", "_x", "1x", "Publish", "a.b", "a-b", "a b", "é"] {
            assert!(!is_codename(bad), "{bad}");
        }
    }

    #[test]
    fn label_character_set() {
        for good in ["blog", "_private", "my_app2"] {
            assert!(is_label(good), "{good}");
        }
        for bad in ["", "2fa", "Blog", "my-app", "café"] {
            assert!(!is_label(bad), "{bad}");
        }
        assert_eq!(suggest_label("My-App"), Some("my_app".into()));
        assert_eq!(suggest_label("2fa"), Some("_2fa".into()));
        assert_eq!(suggest_label("blog"), None);
        assert_eq!(suggest_label("café"), None, "no suggestion that drops characters");
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(len("café"), 4);
    }
}
