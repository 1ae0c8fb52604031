//! Times on the command line: UTC dates in, as `--since` takes them.

use crate::store::time::days_from_civil;

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
    use crate::store::time::rfc3339 as format;

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
