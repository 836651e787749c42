//! The sandbox's own accept loop.
//!
//! `axum::serve` cannot close one connection on demand; this loop gives each connection a
//! switch that a handler flips to drop it without an answer, the way a crashed gateway does.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// The caller's address, for per-IP rate limits.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// Closes the connection a request came on.
#[derive(Debug, Clone)]
pub struct ConnectionControl(Arc<Notify>);

impl ConnectionControl {
    pub fn close(&self) {
        self.0.notify_one();
    }
}

/// Serves `app` until `stop` changes or its sender is dropped.
pub(super) async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "sandbox accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let app = app.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let control = ConnectionControl(kill.clone());
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(PeerAddr(peer));
                request.extensions_mut().insert(control.clone());
                app.clone().oneshot(request)
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket with nothing written.
                _ = kill.notified() => {}
            }
        });
    }
}
