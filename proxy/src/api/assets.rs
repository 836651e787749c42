//! The built widget and demo served from `STATIC_DIR`.
//!
//! `cargo xtask dev --release` lays a build out with the widget's files under
//! `v/<hash>/` (content-addressed) and `.br`/`.gz` siblings beside each text or wasm file.
//! Clients get the smallest variant they accept (with `Vary: Accept-Encoding` and the
//! original file's content type); hashed files are cached for a year, since a new build gets
//! a new folder, and everything else (pages, the `moov-support.js` loader partners include
//! by name) is revalidated on every use so a deploy reaches users at once.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use moov_support::locale::Locale;
use tower_http::services::ServeDir;

/// For files whose URL changes whenever their content does.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For files served under a stable name: cacheable, but checked (ETag/Last-Modified) each time.
const REVALIDATE: &str = "no-cache";
/// Written by the release build beside the loader: the `Link` header value that names this
/// build's wasm, so a page's own response starts its download.
const LINKS_FILE: &str = "moov-support.links";

/// Marks an answer as one of the files in `STATIC_DIR`, whose caching [`cache_policy`] has
/// set; every other JSON answer is per user and never stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct StaticFile;

/// The service answering every path no route claims, from `dir`.
pub(super) fn static_files(dir: &Path) -> Router {
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .not_found_service(super::not_found.into_service());
    let links: Arc<Path> = dir.join(LINKS_FILE).into();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(links, cache_policy))
}

/// Sets `Cache-Control` on files found: [`IMMUTABLE`] under `/v/<hex>/`, [`REVALIDATE`]
/// elsewhere. Errors keep their own (JSON errors are `no-store`). Pages also get the build's
/// `Link` preloads, when it has them, read as each page is served so a build copied over a
/// running proxy preloads its own files.
async fn cache_policy(State(links): State<Arc<Path>>, request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let language = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(browser_language);
    let mut response = next.run(request).await;
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if found {
        response.extensions_mut().insert(StaticFile);
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE }),
        );
        let page = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        if let (true, Some(links)) = (page, read_links(&links).await) {
            let links = with_language(&links, language.as_deref());
            if let Ok(links) = HeaderValue::from_str(&links) {
                response.headers_mut().insert(header::LINK, links);
            }
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("Accept-Language"));
        }
    }
    response
}

/// The build's `Link` value; `None` when it wrote none (a debug build).
async fn read_links(file: &Path) -> Option<String> {
    let links = tokio::fs::read_to_string(file).await.ok()?;
    Some(links.trim().to_owned())
}

/// The widget's language for a browser asking in `accept_language` order, as the loader
/// chooses it from `navigator.languages`; `None` for English, which the loader carries.
fn browser_language(accept_language: &str) -> Option<String> {
    accept_language
        .split(',')
        .filter(|entry| !refused(entry))
        .filter_map(|entry| entry.split(';').next())
        .find_map(|tag| Locale::from_tag(tag.trim()))
        .and_then(Locale::file)
        .map(str::to_owned)
}

/// An entry with `q=0`: a language the browser does not want.
fn refused(entry: &str) -> bool {
    entry.split(';').skip(1).any(|param| {
        param
            .trim()
            .strip_prefix("q=")
            .and_then(|q| q.trim().parse::<f32>().ok())
            .is_some_and(|q| q <= 0.0)
    })
}

/// `links` plus, for a browser in another language, that language's file from the same build
/// folder: the loader waits for it to draw the form, so it starts with the page, not a round
/// trip after the loader. A page whose form asks for another `locale` loses nothing.
fn with_language(links: &str, language: Option<&str>) -> String {
    let folder = links
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(url, _)| url.rsplit_once('/'))
        .map(|(folder, _)| folder);
    match (language, folder) {
        (Some(language), Some(folder)) => format!(
            "{links}, <{folder}/locales/{language}.json>; rel=preload; as=fetch; crossorigin"
        ),
        _ => links.to_owned(),
    }
}

/// `/v/<hex digits>/<something>`: a file of a content-addressed build folder.
fn is_hashed(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/v/") else {
        return false;
    };
    match rest.split_once('/') {
        Some((hash, file)) => {
            !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) && !file.is_empty()
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{browser_language, is_hashed, with_language};

    #[test]
    fn the_language_is_the_first_one_the_widget_speaks() {
        assert_eq!(
            browser_language("es-ES,es;q=0.9,en;q=0.8").as_deref(),
            Some("es")
        );
        assert_eq!(browser_language("xx, pt-BR;q=0.8").as_deref(), Some("pt"));
        assert_eq!(browser_language("en-US,es;q=0.5"), None);
        assert_eq!(browser_language("xx, *"), None);
        assert_eq!(browser_language("es;q=0, fr;q=0.5").as_deref(), Some("fr"));
        assert_eq!(browser_language(""), None);
    }

    #[test]
    fn another_language_is_preloaded_from_the_builds_folder() {
        let links =
            "</v/0123abcdef45/moov-support-widget_bg.wasm>; rel=preload; as=fetch; crossorigin";
        assert_eq!(with_language(links, None), links);
        assert_eq!(
            with_language(links, Some("ja")),
            format!(
                "{links}, </v/0123abcdef45/locales/ja.json>; rel=preload; as=fetch; crossorigin"
            )
        );
        assert_eq!(with_language("", Some("ja")), "");
    }

    #[test]
    fn only_files_inside_a_hex_folder_are_hashed() {
        assert!(is_hashed("/v/0123abcdef45/moov-support-widget.js"));
        assert!(is_hashed("/v/0123abcdef45/snippets/x/src/web/element.js"));
        assert!(!is_hashed("/v/0123abcdef45/"));
        assert!(!is_hashed("/v/0123abcdef45"));
        assert!(!is_hashed("/v/latest/moov-support-widget.js"));
        assert!(!is_hashed("/v//moov-support-widget.js"));
        assert!(!is_hashed("/moov-support.js"));
        assert!(!is_hashed("/index.html"));
    }
}
