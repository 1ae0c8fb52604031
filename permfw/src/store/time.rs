//! Times: microseconds since the Unix epoch in the database, RFC 3339 UTC strings for people and
//! JSON, without a date crate.

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
