//! The widget's stylesheet as it ships: `style/widget.css` without its comments and with its
//! whitespace collapsed, at compile time. The comments document the sheet for whoever edits
//! it; in the wasm they and the indentation were 0.3 KB of brotli on every first load. The
//! loader's static form takes its rules from this same text.
//!
//! A `const fn` rather than a CSS crate: it costs the wasm no code and the build no build
//! script. It knows only what the sheet needs: no comment, brace, semicolon or comma inside a
//! string.

#[cfg(any(test, feature = "loader-rules"))]
pub mod shared;

/// The minified stylesheet.
pub const STYLESHEET: &str = match core::str::from_utf8(&BYTES) {
    Ok(css) => css,
    Err(_) => panic!("style/widget.css is not UTF-8"),
};

const SOURCE: &[u8] = include_bytes!("../style/widget.css");
const LEN: usize = minify::<0>(SOURCE).1;
const BYTES: [u8; LEN] = minify::<LEN>(SOURCE).0;

/// Where whitespace around a byte says nothing.
const fn is_mark(b: u8) -> bool {
    matches!(b, b'{' | b'}' | b';' | b',')
}

/// `css` with its comments left out, each run of whitespace one space or, beside a brace, a
/// semicolon or a comma and after a declaration's colon, none, and a rule's last semicolon
/// dropped: the first `N` bytes of it, and its length. (The sheet has no at-rules: inside
/// braces are declarations.)
const fn minify<const N: usize>(css: &[u8]) -> ([u8; N], usize) {
    let mut out = [0u8; N];
    let mut len = 0;
    let mut last = 0u8;
    let mut space = false;
    let mut depth = 0;
    let mut i = 0;
    while i < css.len() {
        let b = css[i];
        if b == b'/' && i + 1 < css.len() && css[i + 1] == b'*' {
            i += 2;
            while i + 1 < css.len() && !(css[i] == b'*' && css[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        i += 1;
        if b.is_ascii_whitespace() {
            space = len > 0;
            continue;
        }
        // Nothing is lost without a space beside a mark or after a declaration's colon.
        let needless = is_mark(last) || is_mark(b) || (depth > 0 && last == b':');
        if space && !needless {
            if len < N {
                out[len] = b' ';
            }
            len += 1;
        }
        space = false;
        if b == b'}' && last == b';' {
            len -= 1;
        }
        match b {
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            _ => {}
        }
        if len < N {
            out[len] = b;
        }
        len += 1;
        last = b;
    }
    (out, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same, written plainly with strings.
    fn plainly(css: &str) -> String {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            let end = rest[start + 2..].find("*/").expect("a closed comment");
            rest = &rest[start + 2 + end + 2..];
        }
        text.push_str(rest);
        let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for mark in ["{", "}", ";", ","] {
            out = out
                .replace(&format!(" {mark}"), mark)
                .replace(&format!("{mark} "), mark);
        }
        let out = out.replace(";}", "}");
        // A declaration's colon, inside braces, needs no space after it.
        let mut depth = 0;
        let mut plain = String::new();
        let mut chars = out.chars().peekable();
        while let Some(c) = chars.next() {
            plain.push(c);
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ':' if depth > 0 && chars.peek() == Some(&' ') => {
                    chars.next();
                }
                _ => {}
            }
        }
        plain
    }

    fn minified(css: &str) -> String {
        let (bytes, len) = minify::<4096>(css.as_bytes());
        String::from_utf8(bytes[..len].to_vec()).unwrap()
    }

    #[test]
    fn keeps_every_rule_and_drops_what_says_nothing() {
        assert_eq!(
            minified("/* x */\n.a , .b {\n  color: red;\n  margin: 0 auto;\n}\n.c:hover { x: y }"),
            ".a,.b{color:red;margin:0 auto}.c:hover{x:y}"
        );
        assert_eq!(minified("a/* x */b"), "ab");
        assert_eq!(minified("a /**/ b"), "a b");
        assert_eq!(minified("a { b: c; /* } */ }"), "a{b:c}");
        assert_eq!(minified("a :hover { b: c d }"), "a :hover{b:c d}");
        assert_eq!(minified("a/*/ b */c"), "ac");
        assert_eq!(minified("  "), "");
    }

    #[test]
    fn the_shipped_sheet_is_the_plain_minifying_of_the_source() {
        let source = include_str!("../style/widget.css");
        assert_eq!(STYLESHEET, plainly(source));
        assert!(!STYLESHEET.contains("/*") && !STYLESHEET.contains('\n'));
        assert!(
            STYLESHEET.len() < source.len() * 95 / 100,
            "{}",
            STYLESHEET.len()
        );
        for text in [
            ":host",
            ".moov-root",
            "--moov-color-primary",
            "@media",
            ".moov-launcher",
        ] {
            assert_eq!(
                STYLESHEET.matches(text).count(),
                source.matches(text).count() - plainly_in_comments(source, text),
                "{text}"
            );
        }
    }

    /// How often `text` occurs inside the comments of `css`.
    fn plainly_in_comments(css: &str, text: &str) -> usize {
        css.split("/*")
            .skip(1)
            .map(|c| c.split("*/").next().unwrap_or("").matches(text).count())
            .sum()
    }
}
