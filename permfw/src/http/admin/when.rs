//! Times and durations for people: how long ago ("3 hours ago"), how long ("4 hours"), and a
//! duration typed in a form ("4h", "30m", "7d").

use std::time::Duration;

/// `n unit` or `n units`.
fn count(n: i64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

/// How long ago something happened, `seconds` before now: `just now`, `5 minutes ago`,
/// `3 hours ago`, `2 days ago`.
pub(super) fn ago(seconds: i64) -> String {
    match seconds {
        ..60 => "just now".to_owned(),
        60..3_600 => format!("{} ago", count(seconds / 60, "minute")),
        3_600..86_400 => format!("{} ago", count(seconds / 3_600, "hour")),
        _ => format!("{} ago", count(seconds / 86_400, "day")),
    }
}

/// A moment for people: `2026-11-30 14:02 UTC, 3 days ago`, for microseconds since the Unix
/// epoch, `now` being the same.
pub(super) fn moment(micros: i64, now: i64) -> String {
    let text = crate::store::time::rfc3339(micros);
    format!("{} {} UTC, {}", &text[..10], &text[11..16], ago((now - micros).div_euclid(1_000_000)))
}

/// A length of time in its largest whole unit: `4 hours`, `2 weeks`, `90 seconds`.
pub(super) fn length(seconds: i64) -> String {
    const UNITS: [(i64, &str); 4] = [(604_800, "week"), (86_400, "day"), (3_600, "hour"), (60, "minute")];
    UNITS
        .iter()
        .find(|(size, _)| seconds >= *size && seconds % size == 0)
        .map_or_else(|| count(seconds, "second"), |(size, unit)| count(seconds / size, unit))
}

/// A duration as a form gives it: a whole number and a unit (`30m`, `4h`, `7d`, `2w`, or the
/// words: `4 hours`); empty for none.
pub(super) fn parse_duration(text: &str) -> Result<Option<Duration>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let wrong = || format!("`{text}` is not a duration; write a number and a unit, such as 30m, 4h, 7d or 2w");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(wrong)?;
    let number: u64 = text[..split].parse().map_err(|_| wrong())?;
    let unit = match text[split..].trim().to_ascii_lowercase().as_str() {
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return Err(wrong()),
    };
    match number.checked_mul(unit) {
        Some(0) => Err("a duration must be longer than nothing".to_owned()),
        Some(seconds) => Ok(Some(Duration::from_secs(seconds))),
        None => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_long_ago() {
        let cases = [
            (0, "just now"),
            (59, "just now"),
            (60, "1 minute ago"),
            (3_599, "59 minutes ago"),
            (3 * 3_600 + 59, "3 hours ago"),
            (86_400, "1 day ago"),
            (20 * 86_400, "20 days ago"),
            (-5, "just now"),
        ];
        for (seconds, text) in cases {
            assert_eq!(ago(seconds), text, "{seconds}");
        }
    }

    #[test]
    fn moments_for_people() {
        let at = 1_796_047_320_000_000; // 2026-11-30T14:02:00Z
        assert_eq!(moment(at, at + 3 * 60_000_000), "2026-11-30 14:02 UTC, 3 minutes ago");
        assert_eq!(moment(at, at + 3 * 86_400_000_000), "2026-11-30 14:02 UTC, 3 days ago");
    }

    #[test]
    fn how_long() {
        let cases =
            [(90, "90 seconds"), (14_400, "4 hours"), (86_400, "1 day"), (1_209_600, "2 weeks"), (120, "2 minutes")];
        for (seconds, text) in cases {
            assert_eq!(length(seconds), text);
        }
    }

    #[test]
    fn durations_typed_in_a_form() {
        let secs = |text| parse_duration(text).map(|d| d.map(|d| d.as_secs()));
        assert_eq!(secs(""), Ok(None));
        assert_eq!(secs(" 4h "), Ok(Some(14_400)));
        assert_eq!(secs("30m"), Ok(Some(1_800)));
        assert_eq!(secs("7 days"), Ok(Some(604_800)));
        assert_eq!(secs("1 Week"), Ok(Some(604_800)));
        assert_eq!(secs("2 hours"), Ok(Some(7_200)));
        for wrong in ["h", "4", "4x", "5ms", "-4h", "4.5h", "99999999999999999999h", "4 hours ago"] {
            assert!(secs(wrong).unwrap_err().contains("not a duration"), "{wrong}");
        }
        assert!(secs("0h").unwrap_err().contains("longer than nothing"));
    }
}
