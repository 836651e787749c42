//! The stylesheet less the rules the loader already carries. The loader (`moov-support.js`)
//! holds, word for word, the rules its static form needs; the npm package's entry hands the
//! widget the same text. The widget's own bundle, which one of the two always starts, leaves
//! them out ([`OWN`] marks where each goes) and puts the sheet back together when it starts
//! ([`complete`]): 0.7 KB of brotli fewer before the form is ready, on every first load.
//!
//! Worked out at compile time from the loader's text, so the two cannot disagree: a build
//! with the `loader-rules` feature fails when the loader's rules are not the sheet's.

use super::STYLESHEET;

/// Where one of the loader's rules goes in [`OWN`].
pub const HOLE: char = '\u{1}';

/// The stylesheet with each rule the loader carries replaced by [`HOLE`].
pub const OWN: &str = match core::str::from_utf8(&OWN_BYTES) {
    Ok(css) => css,
    Err(_) => panic!("the stylesheet is not UTF-8"),
};

/// Whether every rule the loader carries is one of the sheet's, in the sheet's order.
pub const COMPLETE: bool = MEASURED.2;

#[cfg(feature = "loader-rules")]
const _: () = assert!(
    COMPLETE,
    "moov-support.js carries style rules that are not style/widget.css's, in its order: run \
     `cargo xtask shell`"
);

const LOADER: &[u8] = include_bytes!("../../moov-support.js");
/// What precedes the loader's rules: they are the first member of its static form's JSON, as
/// a JSON string.
const START: &[u8] = b"const SHELL = {\"css\":\"";
/// A first pass that only measures: the length and whether every rule was found.
const MEASURED: ([u8; 0], usize, bool) = split::<0>();
const OWN_LEN: usize = MEASURED.1;
const OWN_BYTES: [u8; OWN_LEN] = split::<OWN_LEN>().0;

/// Where `needle` starts in `hay`, or `hay.len()`.
const fn find(hay: &[u8], needle: &[u8]) -> usize {
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let mut k = 0;
        while k < needle.len() && hay[at + k] == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            return at;
        }
        at += 1;
    }
    hay.len()
}

/// Where the loader's rules start and end, still JSON-escaped.
const fn loader_rules() -> (usize, usize) {
    let start = find(LOADER, START) + START.len();
    let mut end = start;
    while end < LOADER.len() && LOADER[end] != b'"' {
        end += if LOADER[end] == b'\\' { 2 } else { 1 };
    }
    if end > LOADER.len() {
        end = LOADER.len();
    }
    (if start < end { start } else { end }, end)
}

/// Where the loader's next rule ends, when it is `rule`: its text is JSON-escaped (`\"` and
/// `\\`; the sheet has no other character JSON escapes).
const fn next_is(rule: &[u8], mut at: usize, end: usize) -> Option<usize> {
    let mut k = 0;
    while k < rule.len() {
        if at >= end {
            return None;
        }
        let mut b = LOADER[at];
        if b == b'\\' && at + 1 < end && matches!(LOADER[at + 1], b'"' | b'\\') {
            at += 1;
            b = LOADER[at];
        }
        if b != rule[k] {
            return None;
        }
        at += 1;
        k += 1;
    }
    Some(at)
}

/// The sheet with the loader's rules replaced by [`HOLE`]: its first `N` bytes, its length,
/// and whether every rule of the loader's was found in order.
const fn split<const N: usize>() -> ([u8; N], usize, bool) {
    let sheet = STYLESHEET.as_bytes();
    let (mut next, end) = loader_rules();
    let mut out = [0u8; N];
    let mut len = 0;
    let mut start = 0;
    while start < sheet.len() {
        // A rule runs to its closing brace: the sheet has no at-rules and no nesting.
        let mut stop = start;
        while stop < sheet.len() && sheet[stop] != b'}' {
            stop += 1;
        }
        stop = if stop < sheet.len() { stop + 1 } else { stop };
        let (rule, _) = sheet.split_at(stop);
        let (_, rule) = rule.split_at(start);
        match next_is(rule, next, end) {
            Some(after) => {
                next = after;
                if len < N {
                    out[len] = HOLE as u8;
                }
                len += 1;
            }
            None => {
                let mut k = 0;
                while k < rule.len() {
                    if len + k < N {
                        out[len + k] = rule[k];
                    }
                    k += 1;
                }
                len += rule.len();
            }
        }
        start = stop;
    }
    (out, len, next == end)
}

/// The whole stylesheet from [`OWN`] and `rules`, the loader's text of the rules it leaves
/// out; `None` when `rules` does not hold one rule per [`HOLE`].
pub fn complete(rules: &str) -> Option<String> {
    let mut given = rules.split_inclusive('}');
    let mut sheet = String::with_capacity(OWN.len() + rules.len());
    for (i, own) in OWN.split(HOLE).enumerate() {
        if i > 0 {
            sheet.push_str(given.next()?);
        }
        sheet.push_str(own);
    }
    given.next().is_none().then_some(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader's rules as its script reads them.
    fn loader_css() -> String {
        let loader = std::str::from_utf8(LOADER).unwrap();
        let json = loader
            .split("const SHELL = ")
            .nth(1)
            .and_then(|rest| rest.split(";\n").next())
            .expect("the loader's static form");
        let shell: serde_json::Value = serde_json::from_str(json).unwrap();
        shell["css"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_sheet_comes_back_whole_from_the_loaders_rules() {
        assert!(
            split::<0>().2,
            "every rule of the loader's is the sheet's, in order"
        );
        let rules = loader_css();
        assert_eq!(complete(&rules).as_deref(), Some(STYLESHEET));
        let holes = OWN.matches(HOLE).count();
        assert_eq!(holes, rules.matches('}').count());
        assert!(holes > 20, "{holes} rules");
        // What the widget carries is what the loader does not.
        assert_eq!(OWN.len() - holes, STYLESHEET.len() - rules.len());
    }

    #[test]
    fn rules_of_another_count_are_refused() {
        let rules = loader_css();
        let fewer = &rules[..rules.rfind(".moov").unwrap()];
        assert_eq!(complete(fewer), None);
        assert_eq!(complete(&format!("{rules}a{{b:c}}")), None);
        assert_eq!(complete(""), None);
    }

    #[test]
    fn an_escaped_rule_matches_its_text() {
        let (start, end) = loader_rules();
        let escaped = &LOADER[start..end];
        assert!(
            escaped.windows(2).any(|w| w == b"\\\""),
            "the loader escapes quotes"
        );
        assert_eq!(next_is(b"", start, end), Some(start));
        assert_eq!(next_is(b"nothing{like:this}", start, end), None);
    }
}
