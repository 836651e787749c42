//! The one HTML policy for ticket bodies.
//!
//! The browser runs it so the user previews exactly what is sent; the proxy runs it again
//! because it is the trust boundary and the browser may be anyone.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};

/// Sanitized HTML larger than this is refused (bytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Builds the body policy. Every knob is set here, on an empty builder, so no default of
/// ammonia's can widen it by surprise.
pub fn policy() -> Builder<'static> {
    let mut b = Builder::empty();
    // Formatting a support message needs: paragraphs, emphasis, lists, quotes, code, links.
    // No images (tracking pixels, data: URLs), no tables, no headings that could mimic UI.
    b.tags(HashSet::from([
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
    ]));
    // Links keep their target and nothing else: no `target`, `title`, `on*`, `style`.
    b.tag_attributes(std::collections::HashMap::from([(
        "a",
        HashSet::from(["href"]),
    )]));
    // No attribute on any other tag: no style (layout spoofing), class or id (clobbering).
    b.generic_attributes(HashSet::new());
    b.allowed_classes(std::collections::HashMap::new());
    // Only absolute web and mail links: a relative URL would resolve against whatever page
    // an agent reads the ticket in, and `javascript:`/`data:` are script.
    b.url_schemes(HashSet::from(["http", "https", "mailto"]));
    b.url_relative(UrlRelative::Deny);
    // Links open without handing the agent's window to the target, leak no referrer, and pass
    // no ranking.
    b.link_rel(Some("noopener noreferrer nofollow"));
    b.strip_comments(true);
    // Script and style bodies are code, not words: drop them. Text inside any other removed
    // tag (a `<span>`, a `<font>`) is the user's words and is kept.
    b.clean_content_tags(HashSet::from(["script", "style"]));
    b
}

/// Cleaning passes after the first. Each pass can undo one level of such nesting; a body
/// that needs more keeps its words and loses its formatting (see [`clean`]).
const MAX_EXTRA_PASSES: usize = 4;

/// Cleans one HTML fragment with [`policy`].
///
/// The output is a fixed point: cleaning it again changes nothing, so the proxy's pass over
/// the widget's output stores exactly what the user previewed. One pass is not always that:
/// the parser can build a tree no HTML text parses back to (`<a>x<select><a>y` puts a link
/// inside a link; once the `<select>` is removed they serialize nested and reparse as
/// siblings), so the policy runs again until the text stops changing. Crafted nesting can need
/// a pass per level; past four extra passes the body is reduced to its text, which is
/// stable, rather than cleaned without bound.
pub fn clean(html: &str) -> String {
    thread_local! {
        static POLICY: Builder<'static> = policy();
        static TEXT_ONLY: Builder<'static> = text_only();
    }
    POLICY.with(|p| {
        let mut out = p.clean(html).to_string();
        for _ in 0..MAX_EXTRA_PASSES {
            let again = p.clean(&out).to_string();
            if again == out {
                return out;
            }
            out = again;
        }
        TEXT_ONLY.with(|t| t.clean(&out).to_string())
    })
}

/// No tags at all: the words of a body whose markup never settles.
fn text_only() -> Builder<'static> {
    let mut b = Builder::empty();
    b.strip_comments(true);
    b.clean_content_tags(HashSet::from(["script", "style"]));
    b
}

/// True when sanitized HTML shows at least one character a reader can see.
///
/// Whitespace, `&nbsp;` and zero-width characters do not count: a body of
/// `<p>&nbsp;</p>` is empty to the agent reading it.
pub fn has_visible_text(clean_html: &str) -> bool {
    let mut in_tag = false;
    let mut quote: Option<char> = None;
    let mut entity: Option<String> = None;
    for c in clean_html.chars() {
        if in_tag {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => in_tag = false,
                _ => {}
            }
            continue;
        }
        if let Some(e) = entity.as_mut() {
            if c == ';' {
                let name = entity.take().unwrap_or_default();
                if !matches!(name.as_str(), "nbsp" | "#160" | "#xa0" | "#xA0") {
                    return true;
                }
            } else {
                e.push(c);
            }
            continue;
        }
        match c {
            '<' => in_tag = true,
            '&' => entity = Some(String::new()),
            c if c.is_whitespace() || is_invisible(c) => {}
            _ => return true,
        }
    }
    false
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Turns plain text into the HTML the policy allows: blank lines separate paragraphs, single
/// line breaks stay line breaks, and every character is escaped so typed `<script>` is text.
pub fn text_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 16);
    for para in text.split("\n\n") {
        let para = para.trim_matches('\n');
        if para.trim().is_empty() {
            continue;
        }
        out.push_str("<p>");
        for (i, line) in para.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<br>");
            }
            escape_into(line, &mut out);
        }
        out.push_str("</p>");
    }
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_allowed_formatting() {
        let html = "<p><strong>a</strong> <em>b</em> <u>c</u> <s>d</s> <code>e</code></p>\
                    <ul><li>x</li></ul><ol><li>y</li></ol><blockquote>q</blockquote><pre>p</pre>";
        assert_eq!(clean(html), html);
    }

    #[test]
    fn drops_script_and_style_bodies_but_keeps_other_text() {
        assert_eq!(
            clean("<p>hi<script>alert(1)</script><style>p{}</style><span>there</span></p>"),
            "<p>hithere</p>"
        );
        assert_eq!(clean("<h1>Title</h1><!-- c -->"), "Title");
    }

    #[test]
    fn links_are_absolute_web_or_mail_with_rel() {
        assert_eq!(
            clean(r#"<a href="https://moov.io/x" target="_blank" title="t" onclick="x()">m</a>"#),
            r#"<a href="https://moov.io/x" rel="noopener noreferrer nofollow">m</a>"#
        );
        assert_eq!(
            clean(r#"<a href="mailto:a@b.c">m</a>"#),
            r#"<a href="mailto:a@b.c" rel="noopener noreferrer nofollow">m</a>"#
        );
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "data:text/html,x",
            "JaVaScRiPt:x",
        ] {
            let out = clean(&format!(r#"<a href="{bad}">m</a>"#));
            assert!(!out.contains("href"), "{bad} survived: {out}");
        }
    }

    #[test]
    fn link_hosts_are_ascii_or_punycode() {
        // Without IDNA tables a Unicode host cannot be checked, so the link loses its target
        // and keeps its text; the same host written in punycode stays a link.
        assert_eq!(
            clean(r#"<a href="https://bücher.example/x">shop</a>"#),
            "<a rel=\"noopener noreferrer nofollow\">shop</a>"
        );
        // Capitals beside Unicode in a host: refused the same way, in every build profile.
        assert_eq!(
            clean(r#"<a href="http://Bücher.Example/x">shop</a>"#),
            "<a rel=\"noopener noreferrer nofollow\">shop</a>"
        );
        assert_eq!(
            clean(r#"<a href="https://xn--bcher-kva.example/x">shop</a>"#),
            r#"<a href="https://xn--bcher-kva.example/x" rel="noopener noreferrer nofollow">shop</a>"#
        );
    }

    #[test]
    fn cleaning_is_stable_when_the_parser_nests_links() {
        let once = clean("<a>x<select><a>y");
        assert_eq!(
            once,
            r#"<a rel="noopener noreferrer nofollow">x</a><a rel="noopener noreferrer nofollow">y</a>"#
        );
        assert_eq!(clean(&once), once);
    }

    #[test]
    fn cleaning_is_stable_for_deeply_misnested_markup() {
        // Found by fuzzing: needs five passes of the policy to settle.
        let once = clean(MISNESTED);
        assert_eq!(clean(&once), once);
        let deep = format!("<pre>\n{}", "<a>x<select><a>y".repeat(40));
        let once = clean(&deep);
        assert_eq!(clean(&once), once);
    }

    const MISNESTED: &str = "<div id=\u{22}108\u{22}><!-- IE\u{2}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}nd-->\u{a}<<pre f=http://foo.bar/#x=`y></a><img alt=\u{22}`><img src=xx onerror=alert(108)></a>\u{22}>\u{a}<!-- IE 5-9 standards mode -->\u{a}<!a foo=x=`y><img alt=\u{22}`><img src=xx onerror=alert(2)//\u{22}>\u{a}<?ards mode -->\u{a}<a href=thtp://foo.bar/#x=`y></a><img alt=\u{22}`><img src=xx onerror=alert(108)></a>\u{22}>\u{a}<!-- IE 5-9 standards mode --foo5x=`y><img alt=\u{22}`><img src=xx onerror=alert(3)//\u{22}>//[\u{22}'`-->]]>ards mode -->\u{a}<a href=http://foo.bar/#x=`y></a><img alt=\u{22}`><img src=xx onerror=alert(108)></a>\u{22}>\u{a}<!-- IE 5-9 standards mode -->\u{a}<!a foo=x=`y><img alt=\u{22}`><img src=xx onerror=alert(2)//\u{22}>\u{a}<?ards mode --><svg \u{a}<a href=thtp://foo.bar/#x=`y></a><img alt=\u{22}`><img src=xx onerror=alert(108)></a>\u{22}>\u{a}<!-- IE 5-9 standards mode --foo5x=`y><img alt=\u{22}`><img src=xx onerror=alert(3)//\u{22}>//[\u{22}'`-->]]>]</div>";

    #[test]
    fn no_images_styles_classes_or_ids() {
        let out =
            clean(r#"<p style="color:red" class="c" id="i"><img src="https://x/y.png">t</p>"#);
        assert_eq!(out, "<p>t</p>");
    }

    #[test]
    fn visible_text() {
        assert!(!has_visible_text(""));
        assert!(!has_visible_text("<p> &nbsp; </p><p><br></p>\u{200B}"));
        assert!(!has_visible_text(r#"<a href="https://x/>" rel="r"></a>"#));
        assert!(has_visible_text("<p>&amp;</p>"));
        assert!(has_visible_text("<p>ok</p>"));
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        assert_eq!(
            text_to_html("Hello <script>\r\nline 2\n\n\n& 'bye'\n"),
            "<p>Hello &lt;script&gt;<br>line 2</p><p>&amp; &#39;bye&#39;</p>"
        );
        assert_eq!(text_to_html(" \n\n "), "");
        let html = text_to_html("a\n\nb");
        assert_eq!(clean(&html), html);
    }
}
