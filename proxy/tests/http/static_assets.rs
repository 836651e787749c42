//! `STATIC_DIR` laid out as a release build: precompressed variants, cache policies by path,
//! content types, and nothing outside the folder.

use std::path::{Path, PathBuf};

use moov_support_proxy::{Config, Proxy, RunningProxy};
use reqwest::header::HeaderMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{client, vars};

const HASH: &str = "0123456789ab";
const WASM: &[u8] = b"\0asm\x01\0\0\0 the widget";
const LINKS: &str =
    "</v/0123456789ab/moov-support-widget_bg.wasm>; rel=preload; as=fetch; crossorigin";
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'";

/// A release-shaped folder inside a parent that also holds a file that must never be served.
/// The fake `.br`/`.gz` contents are told apart by their bytes, not decoded.
fn release_dir() -> (PathBuf, PathBuf) {
    let parent = std::env::temp_dir().join(format!("moov-proxy-assets-{}", uuid::Uuid::new_v4()));
    let dir = parent.join("widget-release");
    let hashed = dir.join("v").join(HASH);
    std::fs::create_dir_all(hashed.join("snippets")).unwrap();
    let write = |path: &Path, bytes: &[u8]| std::fs::write(path, bytes).unwrap();
    write(&parent.join("secret.txt"), b"outside the static folder");
    write(
        &dir.join("index.html"),
        b"<!doctype html><title>demo</title>",
    );
    write(&dir.join("index.html.br"), b"br:index");
    write(
        &dir.join("moov-support.js"),
        b"import init from './v/0123456789ab/w.js';",
    );
    write(&dir.join("moov-support.js.br"), b"br:loader");
    write(&dir.join("moov-support.js.gz"), b"gz:loader");
    write(&hashed.join("moov-support-widget_bg.wasm"), WASM);
    write(&hashed.join("moov-support-widget_bg.wasm.br"), b"br:wasm");
    write(&hashed.join("moov-support-widget_bg.wasm.gz"), b"gz:wasm");
    // No compressed variant: served as is whatever the client accepts.
    write(&hashed.join("snippets/element.js"), b"export {};");
    write(
        &dir.join("moov-support.links"),
        format!("{LINKS}\n").as_bytes(),
    );
    std::fs::create_dir_all(hashed.join("locales")).unwrap();
    write(&hashed.join("locales/es.json"), br#"{"send": "Enviar"}"#);
    (parent, dir)
}

async fn start(dir: &Path) -> RunningProxy {
    let config = Config::from_map(&vars(&[
        ("MOOV_SANDBOX", "1"),
        ("PROXY_ADDR", "127.0.0.1:0"),
        ("STATIC_DIR", dir.to_str().unwrap()),
        ("ALLOWED_ORIGINS", "http://127.0.0.1:9"),
    ]))
    .unwrap();
    Proxy::new(config).start().await.unwrap()
}

struct Got {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `GET path` with the given `Accept-Encoding` (none when empty); the body as sent, not decoded.
async fn get(proxy: &RunningProxy, path: &str, accept: &str) -> Got {
    let mut request = client().get(format!("{}{path}", proxy.url()));
    if !accept.is_empty() {
        request = request.header("accept-encoding", accept);
    }
    let r = request.send().await.unwrap();
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn the_smallest_accepted_variant_with_the_original_content_type() {
    let (parent, dir) = release_dir();
    let proxy = start(&dir).await;
    let wasm = format!("/v/{HASH}/moov-support-widget_bg.wasm");
    for (accept, encoding, body) in [
        ("br", Some("br"), &b"br:wasm"[..]),
        ("gzip, deflate, br", Some("br"), b"br:wasm"),
        ("gzip", Some("gzip"), b"gz:wasm"),
        ("br;q=0, gzip", Some("gzip"), b"gz:wasm"),
        ("identity", None, WASM),
        ("", None, WASM),
    ] {
        let got = get(&proxy, &wasm, accept).await;
        assert_eq!(got.status, 200, "{accept}");
        assert_eq!(got.header("content-encoding"), encoding, "{accept}");
        assert_eq!(got.body, body, "{accept}");
        // Browsers compile wasm only with this type, whichever variant was sent.
        assert_eq!(
            got.header("content-type"),
            Some("application/wasm"),
            "{accept}"
        );
        assert_eq!(got.header("vary"), Some("accept-encoding"), "{accept}");
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    }

    let loader = get(&proxy, "/moov-support.js", "gzip").await;
    assert_eq!(loader.body, b"gz:loader");
    assert_eq!(loader.header("content-type"), Some("text/javascript"));

    let snippet = get(&proxy, &format!("/v/{HASH}/snippets/element.js"), "br").await;
    assert_eq!(snippet.header("content-encoding"), None);
    assert_eq!(snippet.body, b"export {};");

    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(parent).unwrap();
}

#[tokio::test]
async fn hashed_files_are_immutable_and_the_rest_revalidates() {
    let (parent, dir) = release_dir();
    let proxy = start(&dir).await;
    for path in [
        format!("/v/{HASH}/moov-support-widget_bg.wasm"),
        format!("/v/{HASH}/snippets/element.js"),
        // JSON, unlike the API's answers, which are never stored.
        format!("/v/{HASH}/locales/es.json"),
    ] {
        let got = get(&proxy, &path, "br").await;
        assert_eq!(
            got.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
    }
    // The loader keeps its name across releases and pages link to it: always revalidated.
    for path in ["/moov-support.js", "/", "/index.html"] {
        let got = get(&proxy, path, "br").await;
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(got.header("cache-control"), Some("no-cache"), "{path}");
    }

    // A page sent compressed is still a page: its type and its CSP stay.
    let page = get(&proxy, "/", "br").await;
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert_eq!(page.body, b"br:index");
    assert_eq!(page.header("content-type"), Some("text/html"));
    assert_eq!(page.header("content-security-policy"), Some(PAGE_CSP));
    let plain = get(&proxy, "/", "").await;
    assert_eq!(plain.body, b"<!doctype html><title>demo</title>");
    assert_eq!(plain.header("content-security-policy"), Some(PAGE_CSP));
    // Pages start the widget's downloads with their own response; other files do not.
    assert_eq!(page.header("link"), Some(LINKS));
    assert_eq!(plain.header("link"), Some(LINKS));
    let loader = get(&proxy, "/moov-support.js", "").await;
    assert_eq!(loader.header("link"), None);

    // A revalidation keeps the policy of the file it confirms.
    let first = get(&proxy, &format!("/v/{HASH}/snippets/element.js"), "").await;
    let modified = first.header("last-modified").unwrap().to_owned();
    let again = client()
        .get(format!("{}/v/{HASH}/snippets/element.js", proxy.url()))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(
        again.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(parent).unwrap();
}

#[tokio::test]
async fn a_build_copied_over_a_running_proxy_preloads_its_own_files() {
    let (parent, dir) = release_dir();
    let proxy = start(&dir).await;
    assert_eq!(get(&proxy, "/", "").await.header("link"), Some(LINKS));

    let next = "</v/ba9876543210/moov-support-widget_bg.wasm>; rel=preload; as=fetch; crossorigin";
    std::fs::write(dir.join("moov-support.links"), next).unwrap();
    assert_eq!(get(&proxy, "/", "").await.header("link"), Some(next));

    // A browser in another language gets that language's file from the same folder.
    let page = client()
        .get(format!("{}/", proxy.url()))
        .header("accept-language", "es-ES,es;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["link"],
        format!("{next}, </v/ba9876543210/locales/es.json>; rel=preload; as=fetch; crossorigin")
            .as_str()
    );
    let vary: Vec<&str> = page
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(vary.contains(&"accept-encoding"), "{vary:?}");
    assert!(vary.contains(&"Accept-Language"), "{vary:?}");

    // A debug build writes none: pages are served without preloads, not with stale ones.
    std::fs::remove_file(dir.join("moov-support.links")).unwrap();
    let page = get(&proxy, "/", "").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("link"), None);

    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(parent).unwrap();
}

#[tokio::test]
async fn missing_files_are_404_and_never_cached() {
    let (parent, dir) = release_dir();
    let proxy = start(&dir).await;
    for path in [
        format!("/v/{HASH}/nope.js"),
        format!("/v/{HASH}/"),
        "/v/ffffffffffff/moov-support-widget_bg.wasm".to_owned(),
        "/nope.js".to_owned(),
    ] {
        let got = get(&proxy, &path, "br, gzip").await;
        assert_eq!(got.status, 404, "{path}");
        assert_eq!(got.header("cache-control"), Some("no-store"), "{path}");
        let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
        assert_eq!(body["error"], "no such route", "{path}");
    }
    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(parent).unwrap();
}

/// Sends `path` exactly as written: an HTTP client would resolve the dot segments itself.
async fn raw_get(proxy: &RunningProxy, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n",
        proxy.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn nothing_outside_the_folder_is_reachable() {
    let (parent, dir) = release_dir();
    let proxy = start(&dir).await;
    for path in [
        "/../secret.txt",
        "/v/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/v/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "//secret.txt",
    ] {
        let answer = raw_get(&proxy, path).await;
        let status = answer.split(' ').nth(1).unwrap_or_default();
        assert!(
            status == "404" || status == "400",
            "{path}: {}",
            answer.lines().next().unwrap_or_default()
        );
        assert!(!answer.contains("outside the static folder"), "{path}");
    }
    proxy.shutdown().await.unwrap();
    std::fs::remove_dir_all(parent).unwrap();
}
