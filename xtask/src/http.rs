//! HTTP/1.1 on loopback, through `ureq`: the soak's traffic, readiness checks, and what the
//! end-to-end checks ask the proxy from outside the browser.

use std::time::Duration;

use serde_json::Value;
use ureq::Agent;

use crate::run::Result;

/// One answer, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// `Retry-After` in seconds, when the answer has one.
    pub retry_after: Option<u64>,
    pub body: String,
}

/// A client that hands back every status as an answer (a 429 or a 500 is what a check
/// looks at, not a failure to talk), with timeouts so a stuck server fails the check
/// instead of hanging it.
pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub fn get(
    agent: &Agent,
    url: &str,
    headers: &[(&str, String)],
) -> std::result::Result<Reply, ureq::Error> {
    let mut request = agent.get(url);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    reply(request.call()?)
}

pub fn post(
    agent: &Agent,
    url: &str,
    headers: &[(&str, String)],
    body: &str,
) -> std::result::Result<Reply, ureq::Error> {
    let mut request = agent.post(url);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    reply(request.send(body)?)
}

fn reply(
    mut response: ureq::http::Response<ureq::Body>,
) -> std::result::Result<Reply, ureq::Error> {
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    Ok(Reply {
        status: response.status().as_u16(),
        retry_after,
        body: response.body_mut().read_to_string()?,
    })
}

/// GETs `url` (with a bearer token when given) and parses its JSON; any status but 200 is
/// an error naming the URL.
pub fn get_json(url: &str, bearer: Option<&str>) -> Result<Value> {
    let headers: Vec<(&str, String)> = bearer
        .map(|t| vec![("authorization", format!("Bearer {t}"))])
        .unwrap_or_default();
    let r = get(&agent(), url, &headers).map_err(|e| format!("GET {url}: {e}"))?;
    if r.status != 200 {
        return Err(format!("GET {url}: {} {}", r.status, r.body).into());
    }
    Ok(serde_json::from_str(&r.body)?)
}
