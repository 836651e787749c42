//! A throwaway `redis-server` for the tests that need a real Redis (the `http` suite and the
//! restart test include this file).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moov_support_proxy::store::RedisStore;

/// A throwaway `redis-server` on a free loopback port, without persistence.
pub struct Redis {
    pub child: Child,
    pub url: String,
}

impl Redis {
    pub async fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start redis-server ({e}): the Redis tests need it on PATH; \
                     `cargo xtask setup` installs it (Debian package redis-server)"
                )
            });
        let redis = Redis {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let store = RedisStore::new(&redis.url).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.ping().await.is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        redis
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
