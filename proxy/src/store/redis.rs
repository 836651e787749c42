//! The shared state of several proxy instances, in one Redis, through the `redis` crate.
//!
//! Each operation is one atomic Redis command (or one Lua script, sent by `EVALSHA`), so two
//! instances racing for the same idempotency key cannot both win its claim. One multiplexed
//! connection carries every command; when Redis closes it (a restart, a failover, an idle
//! timeout) the connection manager opens another and the next command uses it.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, FromRedisValue, RedisError, RedisResult, Script, TlsCertificates};
use reqwest::Url;

use super::{Hits, Store, StoreError, StoreFuture};

/// Bounds connecting and every command, so a stuck Redis cannot hang a request.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts to reconnect after the first fails, before the waiting commands get the error;
/// the next command starts over. Few and short, so a request meeting a Redis that is down
/// fails well within its own timeout rather than waiting for Redis to come back.
const RECONNECT_RETRIES: usize = 2;
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(100);
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// Deletes a claim only while it still holds the releaser's value.
const RELEASE_SCRIPT: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/// Counts a hit, starting the window's expiry with its first hit.
const HIT_SCRIPT: &str = "local n = redis.call('INCR', KEYS[1]) \
     if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
     local ttl = redis.call('PTTL', KEYS[1]) \
     if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end \
     return {n, ttl}";

const URL_FORM: &str = "expected redis://[user:password@]host[:port][/db], or rediss:// for TLS";

/// A Redis server from a `redis://` URL, or `rediss://` for TLS verified against the web's
/// root certificates.
pub struct RedisStore {
    /// `host:port`, for messages: the URL itself may hold a password.
    addr: String,
    client: Client,
    /// Made on first use: making it needs the Tokio runtime, reading the URL does not.
    connection: OnceLock<ConnectionManager>,
    release: Script,
    hit: Script,
}

impl RedisStore {
    /// Reads the URL; connects on first use.
    pub fn new(url: &str) -> Result<RedisStore, StoreError> {
        let (addr, _tls) = checked_addr(url)?;
        let client = Client::open(url).map_err(|e| invalid(&e))?;
        Ok(RedisStore::with_client(addr, client))
    }

    /// Like [`RedisStore::new`] for a `rediss://` URL, trusting only the certificate
    /// authorities in `root_certificates_pem`: for a Redis whose certificate a private
    /// authority signed rather than one of the web's.
    pub fn with_root_certificates(
        url: &str,
        root_certificates_pem: &[u8],
    ) -> Result<RedisStore, StoreError> {
        let (addr, tls) = checked_addr(url)?;
        if !tls {
            return Err(StoreError::InvalidUrl(
                "certificate authorities apply to rediss:// URLs only".into(),
            ));
        }
        // The crate skips whatever is not a certificate, which would leave nothing trusted.
        if !String::from_utf8_lossy(root_certificates_pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(StoreError::Certificate(
                "no PEM certificate (-----BEGIN CERTIFICATE-----) found".into(),
            ));
        }
        let client = Client::build_with_tls(
            url,
            TlsCertificates {
                client_tls: None,
                root_cert: Some(root_certificates_pem.to_vec()),
            },
        )
        .map_err(|e| StoreError::Certificate(e.to_string()))?;
        Ok(RedisStore::with_client(addr, client))
    }

    fn with_client(addr: String, client: Client) -> RedisStore {
        RedisStore {
            addr,
            client,
            connection: OnceLock::new(),
            release: Script::new(RELEASE_SCRIPT),
            hit: Script::new(HIT_SCRIPT),
        }
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let reply: String = self.query(redis::cmd("PING")).await?;
        match reply.as_str() {
            "PONG" => Ok(()),
            other => Err(StoreError::Protocol(format!(
                "PING answered `{other}`, not PONG"
            ))),
        }
    }

    /// The shared connection; a clone is a handle to the same one.
    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_min_delay(RECONNECT_MIN_DELAY)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let made = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|e| self.error(e))?;
        // Two first commands at once may both make one; the one kept is used by both.
        Ok(self.connection.get_or_init(|| made).clone())
    }

    async fn query<T: FromRedisValue>(&self, command: Cmd) -> Result<T, StoreError> {
        let mut connection = self.connection()?;
        self.bounded(command.query_async(&mut connection)).await
    }

    /// Waits at most [`COMMAND_TIMEOUT`] in all, reconnecting included.
    async fn bounded<T>(
        &self,
        reply: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(COMMAND_TIMEOUT, reply).await {
            Err(_) => Err(StoreError::Timeout(COMMAND_TIMEOUT)),
            Ok(reply) => reply.map_err(|e| self.error(e)),
        }
    }

    /// The crate's error as ours. Its text names the failure, never the URL or password.
    fn error(&self, e: RedisError) -> StoreError {
        if e.is_timeout() {
            StoreError::Timeout(COMMAND_TIMEOUT)
        } else if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() {
            StoreError::Unreachable {
                addr: self.addr.clone(),
                reason: e.to_string(),
            }
        } else {
            match e.kind() {
                redis::ErrorKind::Parse | redis::ErrorKind::UnexpectedReturnType => {
                    StoreError::Protocol(e.to_string())
                }
                _ => StoreError::Refused(e.to_string()),
            }
        }
    }
}

/// `host:port` of a URL this store accepts, and whether it asks for TLS. The crate reads more
/// forms than these two; the proxy takes only the ones its documentation names, and never
/// `#insecure`, which would turn certificate checks off.
fn checked_addr(url: &str) -> Result<(String, bool), StoreError> {
    let bad = |why: &str| StoreError::InvalidUrl(why.to_owned());
    let parsed = Url::parse(url).map_err(|_| bad(URL_FORM))?;
    if !matches!(parsed.scheme(), "redis" | "rediss") {
        return Err(bad(URL_FORM));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad(
            "the URL may not have a query or #fragment (certificate checks stay on)",
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("the URL names no host"))?;
    let db = parsed.path().trim_start_matches('/');
    if !db.is_empty() && db.parse::<u32>().is_err() {
        return Err(bad("the path must be a database number such as /0"));
    }
    let addr = format!("{host}:{}", parsed.port().unwrap_or(6379));
    Ok((addr, parsed.scheme() == "rediss"))
}

fn invalid(e: &RedisError) -> StoreError {
    StoreError::InvalidUrl(e.to_string())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Store for RedisStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        let mut command = redis::cmd("GET");
        command.arg(key);
        Box::pin(self.query(command))
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command.arg(key).arg(value).arg("PX").arg(millis(ttl));
            self.query(command).await
        })
    }

    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command
                .arg(key)
                .arg(value)
                .arg("NX")
                .arg("PX")
                .arg(millis(ttl));
            // `OK` when set, nil when the key was taken.
            let reply: Option<String> = self.query(command).await?;
            Ok(reply.is_some())
        })
    }

    fn release<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection()?;
            let mut invocation = self.release.key(key);
            invocation.arg(value);
            let _deleted: i64 = self
                .bounded(invocation.invoke_async(&mut connection))
                .await?;
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut command = redis::cmd("DEL");
            command.arg(key);
            let _deleted: i64 = self.query(command).await?;
            Ok(())
        })
    }

    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, Hits> {
        Box::pin(async move {
            let mut connection = self.connection()?;
            let mut invocation = self.hit.key(key);
            invocation.arg(millis(window));
            let (count, ttl): (i64, i64) = self
                .bounded(invocation.invoke_async(&mut connection))
                .await?;
            Ok(Hits {
                count: u64::try_from(count).unwrap_or(0),
                reset_in: Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
            })
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
        assert_eq!(s.addr, "127.0.0.1:6380");
        let info = s.client.get_connection_info().redis_settings();
        assert_eq!((info.db(), info.password()), (2, None));
        let s = RedisStore::new("redis://app:p%40ss@cache.internal").unwrap();
        assert_eq!(s.addr, "cache.internal:6379");
        let info = s.client.get_connection_info().redis_settings();
        assert_eq!(
            (info.username(), info.password()),
            (Some("app"), Some("p@ss"))
        );
        let s = RedisStore::new("redis://:only-pass@h:1").unwrap();
        let info = s.client.get_connection_info().redis_settings();
        assert_eq!(
            (info.username(), info.password()),
            (None, Some("only-pass"))
        );
        let s = RedisStore::new("rediss://default:secret@managed.example:6380").unwrap();
        assert_eq!(s.addr, "managed.example:6380");
        for bad in [
            "http://h",
            "redis://h/x",
            "nope",
            "rediss://h#insecure",
            "redis://h?protocol=resp3",
            "unix:///tmp/redis.sock",
        ] {
            assert!(
                matches!(RedisStore::new(bad), Err(StoreError::InvalidUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bad_url_is_named_without_its_password() {
        for bad in ["redis://u:hunter2@h/x", "ftp://u:hunter2@h"] {
            let err = RedisStore::new(bad).err().unwrap().to_string();
            assert!(err.starts_with("REDIS_URL is invalid: "), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn a_root_certificate_that_is_not_pem_is_refused() {
        let err = RedisStore::with_root_certificates("rediss://h", b"not a certificate")
            .err()
            .unwrap();
        assert!(matches!(err, StoreError::Certificate(_)), "{err}");
        let garbled = b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n";
        let err = RedisStore::with_root_certificates("rediss://h", garbled)
            .err()
            .unwrap();
        assert!(matches!(err, StoreError::Certificate(_)), "{err}");
        let err = RedisStore::with_root_certificates("redis://h", garbled)
            .err()
            .unwrap();
        assert!(err.to_string().contains("rediss://"), "{err}");
    }
}
