//! Times: microseconds since the Unix epoch in the database, RFC 3339 strings for people and
//! JSON (written in UTC, read with any offset), without a date crate.

/// The civil date of a day count (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `2026-11-25T18:04:05Z` (RFC 3339, UTC, whole seconds) for microseconds since the Unix epoch.
pub(crate) fn rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An RFC 3339 date and time, with its offset (`Z`, `+02:00`), as microseconds since the Unix
/// epoch; `None` for anything else, a date alone included.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let number = |from: usize, to: usize| {
        let digits = text.get(from..to)?;
        digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse::<i64>().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || separators.iter().any(|(at, byte)| bytes[*at] != *byte)
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut micros = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let kept = &fraction[..digits.min(6)];
        micros = kept.parse::<i64>().ok()? * 10_i64.pow(6 - u32::try_from(kept.len()).ok()?);
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(text.len() - 5, text.len() - 3)?, number(text.len() - 2, text.len())?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    seconds.checked_mul(1_000_000)?.checked_add(micros)
}

/// A duration as people write one: a number and a unit, `90s`, `30m`, `4h`, `2d`; `None` for
/// anything else (a bare number, zero, an unknown unit).
pub(crate) fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    let number: u64 = number.parse().ok().filter(|n| *n > 0)?;
    Some(std::time::Duration::from_secs(number.checked_mul(seconds)?))
}

/// Serializes microseconds since the Unix epoch as an RFC 3339 UTC string.
#[cfg(feature = "serde")]
pub(crate) fn serialize<S: serde::Serializer>(micros: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(*micros))
}

/// Serializes an optional time as an RFC 3339 UTC string, or null.
#[cfg(feature = "serde")]
#[allow(clippy::ref_option)]
pub(crate) fn serialize_opt<S: serde::Serializer>(micros: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match micros {
        Some(micros) => serializer.serialize_str(&rfc3339(*micros)),
        None => serializer.serialize_none(),
    }
}

/// Reads an optional RFC 3339 time (`null` or left out: `None`); anything else is an error that
/// shows the form to write.
#[cfg(feature = "serde")]
pub(crate) fn deserialize_opt<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let Some(text) = <Option<String> as serde::Deserialize>::deserialize(deserializer)? else { return Ok(None) };
    parse_rfc3339(&text).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{text}` is not an RFC 3339 time: write a date, a time and an offset, such as 2026-12-01T00:00:00Z"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_rfc3339 as parse, rfc3339 as format};

    #[test]
    fn times_round_trip_with_what_responses_write() {
        for micros in [0, 1_764_547_200_000_000, 951_782_400_000_000, -86_400_000_000] {
            assert_eq!(parse(&format(micros)), Some(micros), "{}", format(micros));
        }
        assert_eq!(parse("2026-12-01T00:00:00Z").map(format).as_deref(), Some("2026-12-01T00:00:00Z"));
        assert_eq!(parse("2000-02-29t12:00:00z").map(format).as_deref(), Some("2000-02-29T12:00:00Z"));
    }

    #[test]
    fn offsets_and_fractions() {
        let utc = parse("2026-12-01T07:30:00Z").unwrap();
        assert_eq!(parse("2026-12-01T09:30:00+02:00"), Some(utc));
        assert_eq!(parse("2026-12-01T02:00:00-05:30"), Some(utc));
        assert_eq!(parse("2026-12-01T07:30:00.5Z"), Some(utc + 500_000));
        assert_eq!(parse("2026-12-01T07:30:00.1234567Z"), Some(utc + 123_456));
    }

    #[test]
    fn durations_as_people_write_them() {
        use super::parse_duration;
        use std::time::Duration;
        assert_eq!(parse_duration("4h"), Some(Duration::from_secs(4 * 3_600)));
        assert_eq!(parse_duration(" 90s "), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(2 * 86_400)));
        for text in ["", "4", "h", "0h", "4 hours", "-4h", "4.5h", "99999999999999999999d"] {
            assert_eq!(parse_duration(text), None, "{text:?}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "2026-12-01",
            "2026-12-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T00:00:00.Z",
            "2026-12-01T00:00:00+2:00",
            "2026-12-01T00:00:00+02:60",
            "+026-12-01T00:00:00Z",
            "2026-12-01T00:00:00Z trailing",
            "１２３４-12-01T00:00:00Z",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
