//! Times on the command line: UTC dates in and out, without a date crate.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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

/// `2026-11-25T18:04:05Z` for microseconds since the Unix epoch.
pub(crate) fn format(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `--since`: a date (`2026-11-01`, midnight UTC) or an age (`90s`, `30m`, `12h`, `2d`), as
/// microseconds since the Unix epoch.
pub(crate) fn parse_since(text: &str, now_micros: i64) -> Option<i64> {
    let text = text.trim();
    if let Some((number, unit)) = text.char_indices().last().map(|(i, c)| (&text[..i], c))
        && let (Ok(n), Some(unit_secs)) = (number.parse::<i64>(), unit_seconds(unit))
    {
        return Some(now_micros - n.checked_mul(unit_secs)?.checked_mul(1_000_000)?);
    }
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 * 1_000_000)
}

fn unit_seconds(unit: char) -> Option<i64> {
    match unit {
        's' => Some(1),
        'm' => Some(60),
        'h' => Some(3600),
        'd' => Some(86_400),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        let micros = parse_since("2026-11-25", 0).unwrap();
        assert_eq!(format(micros), "2026-11-25T00:00:00Z");
        assert_eq!(format(micros + 3_723_000_000), "2026-11-25T01:02:03Z");
        assert_eq!(format(parse_since("2000-02-29", 0).unwrap()), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ages_count_back_from_now() {
        assert_eq!(parse_since("90s", 100_000_000), Some(10_000_000));
        assert_eq!(parse_since("2d", 0), Some(-172_800_000_000));
        assert_eq!(parse_since("yesterday", 0), None);
        assert_eq!(parse_since("2026-13-01", 0), None);
    }
}
