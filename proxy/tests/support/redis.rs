//! A throwaway `redis-server` for the tests that need a real Redis (the `http` suite, the
//! restart test and the Redis tests include this file; each uses part of it).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moov_support_proxy::store::RedisStore;

/// A throwaway `redis-server` on a free loopback port.
pub struct Redis {
    pub child: Child,
    pub url: String,
    /// What it was started with, to start it again the same way.
    args: Vec<String>,
    /// Trusted by the client that checks it answers, when it speaks TLS.
    root_pem: Option<Vec<u8>>,
}

impl Redis {
    /// Without persistence: a restart loses everything.
    pub async fn start() -> Redis {
        let port = free_port();
        Redis::spawn(
            plain(port, &["--save", "", "--appendonly", "no"]),
            port,
            None,
        )
        .await
    }

    /// Writing every change to an append-only file in `dir` before answering, as a managed
    /// Redis does, so a restart (even a SIGKILL) keeps what it acknowledged.
    pub async fn start_persistent(dir: &Path) -> Redis {
        let port = free_port();
        let dir = dir.to_str().unwrap();
        let persistence = [
            "--save",
            "",
            "--dir",
            dir,
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ];
        Redis::spawn(plain(port, &persistence), port, None).await
    }

    /// Speaking only TLS, with `cert`/`key` (PEM files) as its identity; the client that
    /// checks it started trusts `root_pem`. `url` is then `rediss://127.0.0.1:PORT`.
    pub async fn start_tls(cert: &Path, key: &Path, root_pem: &[u8]) -> Redis {
        let port = free_port();
        let args = [
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            cert.to_str().unwrap(),
            "--tls-key-file",
            key.to_str().unwrap(),
            "--tls-auth-clients",
            "no",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        let args = args.iter().map(|a| a.to_string()).collect();
        Redis::spawn(args, port, Some(root_pem.to_vec())).await
    }

    /// Kills it (SIGKILL) and starts it again on the same port with the same settings;
    /// returns once it answers.
    pub async fn restart(&mut self) {
        self.stop();
        self.start_again().await;
    }

    /// Starts it after [`Redis::stop`], on the same port with the same settings; returns
    /// once it answers.
    pub async fn start_again(&mut self) {
        self.child = Redis::launch(&self.args);
        self.wait_until_it_answers().await;
    }

    /// Kills it (SIGKILL).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn spawn(args: Vec<String>, port: u16, root_pem: Option<Vec<u8>>) -> Redis {
        let scheme = if root_pem.is_some() {
            "rediss://127.0.0.1"
        } else {
            "redis://127.0.0.1"
        };
        let redis = Redis {
            child: Redis::launch(&args),
            url: format!("{scheme}:{port}"),
            args,
            root_pem,
        };
        redis.wait_until_it_answers().await;
        redis
    }

    fn launch(args: &[String]) -> Child {
        Command::new("redis-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start redis-server ({e}): the Redis tests need it on PATH; \
                     `cargo xtask setup` installs it (Debian package redis-server)"
                )
            })
    }

    async fn wait_until_it_answers(&self) {
        let store = match &self.root_pem {
            Some(pem) => RedisStore::with_root_certificates(&self.url, pem).unwrap(),
            None => RedisStore::new(&self.url).unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Err(e) = store.ping().await {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer: {e}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn plain(port: u16, more: &[&str]) -> Vec<String> {
    let base = ["--port", &port.to_string(), "--bind", "127.0.0.1"]
        .map(str::to_owned)
        .to_vec();
    let protected = ["--protected-mode", "yes"].map(str::to_owned);
    base.into_iter()
        .chain(more.iter().map(|a| a.to_string()))
        .chain(protected)
        .collect()
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}
