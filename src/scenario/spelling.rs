//! Near misses: the name a typo most likely stood for, and the hint that
//! ends a message with it ("...; did you mean \"surge\"?"). Unknown keys
//! (`lenient`), distribution names (`dist`) and the other names a scenario
//! picks from a list (`validate`) all suggest the same way.

/// How a message writes the name it suggests, as it names such things
/// elsewhere: a key in backticks (`people`), a value in double quotes.
#[derive(Clone, Copy, Debug)]
pub enum Spelled {
    Key,
    Value,
}

/// The candidate closest to `found`, if it is close enough to be a typo:
/// within two edits, or a third of the word for long words. Case does not
/// count against it (`Surge` is `surge`).
pub fn suggest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = 2.max(found.chars().count() / 3);
    let found = found.to_lowercase();
    candidates.iter().map(|c| (strsim::levenshtein(&found, c), *c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

/// "; did you mean `people`?": the end of a message that suggests `name`.
pub fn did_you_mean(name: &str, spelled: Spelled) -> String {
    match spelled {
        Spelled::Key => format!("; did you mean `{name}`?"),
        Spelled::Value => format!("; did you mean \"{name}\"?"),
    }
}

/// The hint for `found` among `candidates`, or "" when none is near.
pub fn hint(found: &str, candidates: &[&str], spelled: Spelled) -> String {
    suggest(found, candidates).map_or(String::new(), |name| did_you_mean(name, spelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(suggest("pepole", &["name", "people"]), Some("people"));
        assert_eq!(suggest("Surge", &["constant", "surge"]), Some("surge"));
        assert_eq!(suggest("banana", &["name", "people"]), None);
        // Two edits for short words, a third of the word for long ones.
        assert_eq!(suggest("ab", &["abcd"]), Some("abcd"));
        assert_eq!(suggest("ab", &["abcde"]), None);
        assert_eq!(suggest("prequeueshuffle", &["prequeue_shuffle"]), Some("prequeue_shuffle"));
    }

    #[test]
    fn edits_count_characters_not_bytes() {
        // "é" is two bytes: one substitution all the same.
        assert_eq!(suggest("sürge", &["surge"]), Some("surge"));
        assert_eq!(suggest("한국어", &["한국"]), Some("한국"));
    }

    #[test]
    fn keys_and_values_are_written_as_messages_write_them() {
        assert_eq!(hint("pepole", &["people"], Spelled::Key), "; did you mean `people`?");
        assert_eq!(hint("surg", &["surge"], Spelled::Value), "; did you mean \"surge\"?");
        assert_eq!(hint("banana", &["surge"], Spelled::Value), "");
    }
}
