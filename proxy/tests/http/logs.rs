//! Every log line the proxy writes during these tests, kept to be searched for secrets.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

static LINES: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Sink {
    type Writer = Sink;
    fn make_writer(&'a self) -> Sink {
        self.clone()
    }
}

/// Installs the capturing subscriber once, at the most talkative level of the proxy.
pub fn capture() {
    LINES.get_or_init(|| {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(
                "info,moov_support_proxy=trace,tower_http=trace",
            ))
            .with_writer(Sink(lines.clone()))
            .with_ansi(false)
            .try_init();
        lines
    });
}

/// Everything logged so far.
pub fn text() -> String {
    capture();
    String::from_utf8_lossy(&LINES.get().unwrap().lock().unwrap()).into_owned()
}

/// The first line a handler writes, before any answer exists, carries the request's id; an
/// id the client sent is neither used nor echoed.
#[tokio::test]
async fn a_handlers_own_log_lines_carry_the_request_id() {
    use crate::common::{ticket, token, Env, Reply, ACCOUNT};

    let env = Env::start(&[]).await;
    env.moov().fail_token_requests(Some(503));
    let reply = Reply::read(
        env.http
            .post(env.url("/api/support/tickets"))
            .bearer_auth(token("log-user", ACCOUNT))
            .header("x-request-id", "client-chosen-id-5f2c")
            .json(&ticket())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 502, "{}", reply.text);
    let id = reply.request_id().to_string();
    let logs = text();
    let line = |needle: &str| {
        logs.lines()
            .find(|l| l.contains(&id) && l.contains(needle))
            .map(str::to_owned)
    };
    // Written by the Moov client inside the handler, long before the access line.
    assert!(line("Moov token endpoint refused").is_some(), "{logs}");
    assert!(line("status=502").is_some(), "{logs}");
    assert!(!logs.contains("client-chosen-id-5f2c"), "{logs}");
}
