//! Talking to the live side like Moov and the widget do: signed webhook deliveries, and
//! Server-Sent Event streams read chunk by chunk.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha512;
use uuid::Uuid;

use crate::common::{client, Env, Reply};
use crate::redis::Redis;

pub const WEBHOOK_SECRET: &str = "whsec-integration-test";

/// Two proxies that take Moov's webhooks and share one Redis: the Redis (alive as long as
/// the caller keeps it), the first proxy with its sandbox, and the second proxy.
pub async fn two_instances_on_one_redis() -> (Redis, Env, moov_support_proxy::RunningProxy) {
    let redis = Redis::start().await;
    let shared = [
        ("REDIS_URL", redis.url.as_str()),
        ("MOOV_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ];
    let env = Env::start(&shared).await;
    let second = env.another_proxy(&shared).await;
    (redis, env, second)
}
pub const WEBHOOK_PATH: &str = "/api/support/webhooks/moov";

/// A delivery as Moov sends it; each field can be spoiled before sending.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub timestamp: String,
    pub nonce: String,
    pub webhook_id: String,
    pub signature: Option<String>,
    pub body: Value,
}

/// Lowercase hex HMAC-SHA512 of `{timestamp}|{nonce}|{webhookID}`, as Moov documents it.
pub fn moov_signature(secret: &str, timestamp: &str, nonce: &str, webhook_id: &str) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}|{nonce}|{webhook_id}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl Delivery {
    /// Signed with `secret`, timestamped now (Unix seconds), with a fresh nonce.
    pub fn signed(secret: &str, body: Value) -> Delivery {
        Delivery::at(
            secret,
            body,
            moov_support_proxy::session::unix_now().to_string(),
        )
    }

    pub fn at(secret: &str, body: Value, timestamp: String) -> Delivery {
        let nonce = Uuid::new_v4().to_string();
        let webhook_id = "b8f1c2d3-0000-4000-8000-00000000a11e".to_owned();
        let signature = Some(moov_signature(secret, &timestamp, &nonce, &webhook_id));
        Delivery {
            timestamp,
            nonce,
            webhook_id,
            signature,
            body,
        }
    }

    pub async fn send(&self, base: &str) -> Reply {
        let mut request = client()
            .post(format!("{base}{WEBHOOK_PATH}"))
            .header("x-timestamp", &self.timestamp)
            .header("x-nonce", &self.nonce)
            .header("x-webhook-id", &self.webhook_id)
            .json(&self.body);
        if let Some(s) = &self.signature {
            request = request.header("x-signature", s);
        }
        Reply::read(request.send().await.unwrap()).await
    }
}

/// A ticket event naming `ticket` on `account`.
pub fn ticket_event(kind: &str, account: Uuid, ticket: &str) -> Value {
    json!({
        "eventID": Uuid::new_v4().to_string(),
        "type": kind,
        "data": {"accountID": account.to_string(), "ticketID": ticket, "status": "closed"},
        "createdOn": "2026-11-29T12:00:00Z",
    })
}

/// One thing read from an event stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Sse {
    Event { name: String, data: Value },
    Comment(String),
}

/// An open `GET /api/support/events`.
pub struct Stream {
    pub response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// Opens a stream as `token`; answers the refusal instead when it is not 200.
    pub async fn open(base: &str, token: &str) -> Result<Stream, Reply> {
        let response = reqwest::Client::new()
            .get(format!("{base}/api/support/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if response.status() != 200 {
            return Err(Reply::read(response).await);
        }
        Ok(Stream::from_response(response))
    }

    /// Reads a stream already opened.
    pub fn from_response(response: reqwest::Response) -> Stream {
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event or comment, `None` when the stream ended. Fails the test after 20 s.
    pub async fn next(&mut self) -> Option<Sse> {
        tokio::time::timeout(Duration::from_secs(20), self.read())
            .await
            .expect("no event within 20 s")
    }

    /// The next named event, skipping comments.
    pub async fn next_event(&mut self) -> Option<(String, Value)> {
        loop {
            match self.next().await? {
                Sse::Event { name, data } => return Some((name, data)),
                Sse::Comment(_) => continue,
            }
        }
    }

    async fn read(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&block));
            }
            let chunk = self.response.chunk().await.ok()??;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

fn parse(block: &str) -> Sse {
    let (mut name, mut data) = (String::from("message"), String::new());
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            return Sse::Comment(comment.trim().to_owned());
        }
        if let Some(v) = line.strip_prefix("event:") {
            name = v.trim().to_owned();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim());
        }
    }
    Sse::Event {
        name,
        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
    }
}
