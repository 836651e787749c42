//! The shared state of several proxy instances, in one Redis.
//!
//! Each operation is one atomic Redis command (or one Lua script), so two instances racing
//! for the same idempotency key cannot both win its claim.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::resp::{self, Reply};
use super::{Hits, Store, StoreError, StoreFuture};
use crate::config::Secret;

/// Bounds connecting and every command, so a stuck Redis cannot hang a request.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// Idle connections kept for reuse.
const POOL_SIZE: usize = 32;

/// Deletes a claim only while it still holds the releaser's value.
const RELEASE_SCRIPT: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/// Counts a hit, starting the window's expiry with its first hit.
const HIT_SCRIPT: &str = "local n = redis.call('INCR', KEYS[1]) \
     if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
     local ttl = redis.call('PTTL', KEYS[1]) \
     if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end \
     return {n, ttl}";

type Connection = BufReader<TcpStream>;

/// A Redis server reached over TCP, from a `redis://[user:password@]host[:port][/db]` URL.
pub struct RedisStore {
    addr: String,
    username: Option<String>,
    password: Option<Secret>,
    db: Option<u32>,
    idle: Mutex<Vec<Connection>>,
}

impl RedisStore {
    /// Parses the URL; connects lazily.
    pub fn new(url: &str) -> Result<RedisStore, StoreError> {
        let invalid = |why: &str| StoreError::InvalidUrl(why.to_owned());
        let parsed = Url::parse(url)
            .map_err(|_| invalid("expected redis://[user:password@]host[:port][/db]"))?;
        if parsed.scheme() != "redis" {
            return Err(invalid(
                "only redis:// is supported (for TLS, run a local TLS tunnel to Redis)",
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| invalid("the URL names no host"))?;
        let addr = format!("{host}:{}", parsed.port().unwrap_or(6379));
        let db = match parsed.path().trim_start_matches('/') {
            "" => None,
            n => Some(
                n.parse()
                    .map_err(|_| invalid("the path must be a database number such as /0"))?,
            ),
        };
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| invalid("the user or password is badly escaped"))
        };
        let username = Some(parsed.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let password = parsed.password().map(decode).transpose()?.map(Secret::new);
        Ok(RedisStore {
            addr,
            username,
            password,
            db,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self.command(&[b"PING"]).await? {
            Reply::Status(s) if s == "PONG" => Ok(()),
            other => Err(unexpected(&other)),
        }
    }

    async fn connect(&self) -> Result<Connection, StoreError> {
        let unreachable = |reason: String| StoreError::Unreachable {
            addr: self.addr.clone(),
            reason,
        };
        let stream = tokio::time::timeout(COMMAND_TIMEOUT, TcpStream::connect(&self.addr))
            .await
            .map_err(|_| unreachable("connecting timed out".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        let mut conn = BufReader::new(stream);
        if let Some(password) = &self.password {
            let reply = match &self.username {
                Some(user) => {
                    exchange(
                        &mut conn,
                        &[b"AUTH", user.as_bytes(), password.expose().as_bytes()],
                    )
                    .await?
                }
                None => exchange(&mut conn, &[b"AUTH", password.expose().as_bytes()]).await?,
            };
            if let Reply::Error(e) = reply {
                return Err(StoreError::Refused(format!("AUTH: {e}")));
            }
        }
        if let Some(db) = self.db {
            if let Reply::Error(e) =
                exchange(&mut conn, &[b"SELECT", db.to_string().as_bytes()]).await?
            {
                return Err(StoreError::Refused(format!("SELECT: {e}")));
            }
        }
        Ok(conn)
    }

    /// Runs one command on a pooled connection. A connection that failed in any way is
    /// dropped, never reused half-read.
    async fn command(&self, args: &[&[u8]]) -> Result<Reply, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => self.connect().await?,
        };
        let reply = tokio::time::timeout(COMMAND_TIMEOUT, exchange(&mut conn, args))
            .await
            .map_err(|_| StoreError::Timeout(COMMAND_TIMEOUT))??;
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < POOL_SIZE {
            idle.push(conn);
        }
        drop(idle);
        match reply {
            Reply::Error(e) => Err(StoreError::Refused(e)),
            other => Ok(other),
        }
    }
}

async fn exchange(conn: &mut Connection, args: &[&[u8]]) -> Result<Reply, StoreError> {
    conn.get_mut()
        .write_all(&resp::encode(args))
        .await
        .map_err(|e| StoreError::Protocol(format!("sending a command failed: {e}")))?;
    resp::read(conn).await
}

fn unexpected(reply: &Reply) -> StoreError {
    StoreError::Protocol(format!("unexpected reply {reply:?}"))
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Store for RedisStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move {
            match self.command(&[b"GET", key.as_bytes()]).await? {
                Reply::Bulk(None) => Ok(None),
                Reply::Bulk(Some(v)) => String::from_utf8(v)
                    .map(Some)
                    .map_err(|_| StoreError::Protocol("a stored value is not UTF-8".into())),
                other => Err(unexpected(&other)),
            }
        })
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let ms = millis(ttl);
            match self
                .command(&[
                    b"SET",
                    key.as_bytes(),
                    value.as_bytes(),
                    b"PX",
                    ms.as_bytes(),
                ])
                .await?
            {
                Reply::Status(_) => Ok(()),
                other => Err(unexpected(&other)),
            }
        })
    }

    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let ms = millis(ttl);
            let args: [&[u8]; 6] = [
                b"SET",
                key.as_bytes(),
                value.as_bytes(),
                b"NX",
                b"PX",
                ms.as_bytes(),
            ];
            match self.command(&args).await? {
                Reply::Status(_) => Ok(true),
                Reply::Bulk(None) => Ok(false),
                other => Err(unexpected(&other)),
            }
        })
    }

    fn release<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.command(&[
                b"EVAL",
                RELEASE_SCRIPT.as_bytes(),
                b"1",
                key.as_bytes(),
                value.as_bytes(),
            ])
            .await
            .map(drop)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.command(&[b"DEL", key.as_bytes()]).await.map(drop) })
    }

    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, Hits> {
        Box::pin(async move {
            let ms = millis(window);
            let reply = self
                .command(&[
                    b"EVAL",
                    HIT_SCRIPT.as_bytes(),
                    b"1",
                    key.as_bytes(),
                    ms.as_bytes(),
                ])
                .await?;
            match &reply {
                Reply::Array(Some(items)) => match items.as_slice() {
                    [Reply::Integer(n), Reply::Integer(ttl)] => Ok(Hits {
                        count: (*n).max(0) as u64,
                        reset_in: Duration::from_millis((*ttl).max(0) as u64),
                    }),
                    _ => Err(unexpected(&reply)),
                },
                _ => Err(unexpected(&reply)),
            }
        })
    }

    /// Redis lives apart from the proxy; its own restarts keep data only with persistence on.
    fn outlives_restarts(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let s = RedisStore::new("redis://127.0.0.1:6380/2").unwrap();
        assert_eq!((s.addr.as_str(), s.db), ("127.0.0.1:6380", Some(2)));
        assert!(s.password.is_none());
        let s = RedisStore::new("redis://app:p%40ss@cache.internal").unwrap();
        assert_eq!(s.addr, "cache.internal:6379");
        assert_eq!(s.username.as_deref(), Some("app"));
        assert_eq!(s.password.unwrap().expose(), "p@ss");
        let s = RedisStore::new("redis://:only-pass@h:1").unwrap();
        assert_eq!(
            (s.username, s.password.unwrap().expose()),
            (None, "only-pass")
        );
        for bad in ["http://h", "redis://h/x", "nope", "rediss://h"] {
            assert!(RedisStore::new(bad).is_err(), "{bad}");
        }
    }
}
