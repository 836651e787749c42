//! Checks shared by the fuzz targets.

/// The tags the body policy lets through.
pub const ALLOWED_TAGS: [&str; 15] = [
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
];

/// The `rel` every kept link carries.
pub const LINK_REL: &str = "noopener noreferrer nofollow";

/// Reads serialized sanitizer output tag by tag and names the first thing the policy should
/// have removed: a tag outside [`ALLOWED_TAGS`], any attribute but a link's `href` and `rel`,
/// a link without an http, https or mailto scheme (the URL parser, like a browser, reads
/// `http:=/x` as `http://=/x`), a comment or a doctype.
///
/// The serializer escapes `<` in text and quotes every attribute value with `"`, so every
/// `<` starts a tag and a tag ends at the first `>` outside quotes.
pub fn allowed_markup(html: &str) -> Result<(), String> {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let tag = &rest[start + 1..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_len = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        if !ALLOWED_TAGS.contains(&name) {
            let shown: String = tag.chars().take(20).collect();
            return Err(format!(
                "markup <{}{shown}> is not allowed",
                if closing { "/" } else { "" }
            ));
        }
        let mut attrs = &tag[name_len..];
        loop {
            attrs = attrs.trim_start_matches(' ');
            if let Some(after) = attrs.strip_prefix('>') {
                rest = after;
                break;
            }
            if closing {
                return Err(format!("closing tag </{name}> has more than a name"));
            }
            let attr_len = attrs
                .find(['=', ' ', '>'])
                .ok_or_else(|| format!("unterminated <{name}>"))?;
            let attr = &attrs[..attr_len];
            let after = &attrs[attr_len..];
            let value = match after.strip_prefix("=\"") {
                Some(v) => {
                    let end = v
                        .find('"')
                        .ok_or_else(|| format!("unterminated {attr} on <{name}>"))?;
                    attrs = &v[end + 1..];
                    &v[..end]
                }
                None => {
                    attrs = after;
                    ""
                }
            };
            match (name, attr) {
                ("a", "href") => {
                    // Browsers and the URL parser alike skip leading and trailing C0 controls
                    // and spaces: "\u{7}http://x" is an http link to both.
                    let lower = value.trim_matches(|c: char| c <= ' ').to_ascii_lowercase();
                    if !["http:", "https:", "mailto:"]
                        .iter()
                        .any(|s| lower.starts_with(s))
                    {
                        return Err(format!("href {value:?} is not absolute http(s)/mailto"));
                    }
                }
                ("a", "rel") if value == LINK_REL => {}
                _ => return Err(format!("attribute {attr}={value:?} on <{name}>")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_catches_what_it_must() {
        assert_eq!(
            allowed_markup(
                r#"<p>a &lt;b&gt; <a href="https://x/>" rel="noopener noreferrer nofollow">x</a></p>"#
            ),
            Ok(())
        );
        for bad in [
            "<script>x</script>",
            "<p onclick=\"x\">a</p>",
            "<img src=\"x\">",
            "<a href=\"javascript:x\">a</a>",
            "<a href=\"/x\">a</a>",
            "<p class=\"c\">a</p>",
            "<!-- c -->",
            "<a rel=\"opener\">a</a>",
        ] {
            assert!(allowed_markup(bad).is_err(), "{bad} passed");
        }
    }
}
