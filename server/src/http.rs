//! The accept loop: axum's router on hyper connections, with what `axum::serve` cannot set.
//!
//! - `IDV_HEADER_READ_TIMEOUT`: a connection must deliver a complete request head within it.
//!   hyper starts the clock whenever it waits for a head, so it also closes a kept-alive
//!   connection that stays idle that long between requests.
//! - The client's socket address in every request (`ConnectInfo`), for per-IP limits.
//! - HTTP/1.1 only (no h2c: see `serve`).
//! - Graceful shutdown: on `stop`, no new connections; open ones finish their requests.
//!
//! Request bodies have their own minimum rate (`app::server::guard::min_body_rate`).

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt;

/// Serves `router` on `listener` until `stop` resolves, then waits for open connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    // closed when we stop: every connection task watches it to shut down gracefully
    let (stop_tx, stop_rx) = watch::channel(());
    // every connection task holds a clone: when all are gone, the connections are done
    let (done_tx, done_rx) = watch::channel(());
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: back off, keep serving
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req.map(axum::body::Body::new)
            });
        let mut stop_rx = stop_rx.clone();
        let done_rx = done_rx.clone();
        tokio::spawn(async move {
            // HTTP/1.1 only: an h2c connection's head and idle time cannot be bounded like
            // HTTP/1's (it lives while PINGs are answered), and no client needs it (browsers
            // speak HTTP/2 over TLS only, which a reverse proxy terminates; nginx speaks
            // HTTP/1.1 to the nodes). hyper ends a connection that opens with the HTTP/2
            // preface at once.
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let conn = builder
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .with_upgrades();
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop_rx.changed() => {
                    // finish the request in flight, take no new one
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(done_rx);
        });
    }
    drop(listener);
    drop(stop_tx);
    drop(done_rx);
    // wait until every connection task has dropped its receiver
    done_tx.closed().await;
}
