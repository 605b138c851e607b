//! Numbers as a planner reads them in a note or a refusal: counts of
//! events in millions or billions, computing time in seconds, minutes or
//! hours.

/// `2.5e10` -> "25.0 billion"; smaller counts as they are.
pub(super) fn billions(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.1} billion", n / 1e9)
    } else {
        format!("{:.0} million", n / 1e6)
    }
}

/// Seconds as "20 s", "40 min" or "3.2 hours".
pub(super) fn hours(secs: f64) -> String {
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} hours", secs / 3600.0)
    }
}
