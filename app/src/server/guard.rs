//! What anyone can make the service do before being authenticated, bounded:
//!
//! - per-IP request rates (`governor`'s keyed GCRA limiters) for submissions, capture-page loads
//!   and dashboard sign-ins, answered with 429 and `Retry-After`;
//! - a minimum upload rate for request bodies: a client that trickles bytes is cut with 408 and
//!   its connection closed;
//! - the client's IP itself: the socket's peer, or, behind a trusted reverse proxy
//!   (`IDV_TRUSTED_PROXIES`), the right-most untrusted address of `X-Forwarded-For`.
//!
//! The multipart framing and the upload spool are bounded in `intake`; the server's head and
//! keep-alive timeouts are set where connections are accepted (`idv`'s `serve`).

use std::{
    future::Future as _,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, OnceLock},
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, Request, State},
    http::HeaderMap,
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::Stream;
use ipnet::IpNet;

use super::{error::AppError, limits::Limited, state::AppState};

/// The client's address: the peer, or what a trusted proxy says the client was.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let canonical = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let mut ip = canonical(peer);
    if !trusted.iter().any(|n| n.contains(&ip)) {
        return ip;
    }
    // hops are appended left to right: walk back from the proxy next to us
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let Ok(addr) = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        else {
            break;
        };
        ip = canonical(addr);
        if !trusted.iter().any(|n| n.contains(&ip)) {
            break;
        }
    }
    ip
}

/// The client address of a request (peer from the connection, proxies as configured).
pub fn request_ip(req: &Request, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    client_ip(peer, req.headers(), trusted)
}

/// Middleware: the per-IP limits of the routes that take them. `GET /verif/` (page loads),
/// `POST /verif/submit` and `GET /verif/live` (submissions), `POST /dashboard/sign-in` (sign-in attempts).
pub async fn limit_by_ip(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let kind = match (req.method().as_str(), req.uri().path()) {
        ("POST", "/verif/submit") | ("GET", "/verif/live") => Some(Limited::Submit),
        ("GET", "/verif/" | "/verif") => Some(Limited::Page),
        ("POST", "/dashboard/sign-in") => Some(Limited::SignIn),
        _ => None,
    };
    if let Some(kind) = kind {
        let guard = &state.config.guard;
        let ip = request_ip(&req, &guard.trusted_proxies);
        let exempt = guard.ip_limits_exempt.iter().any(|n| n.contains(&ip));
        if !exempt && let Err(e) = state.ip_limits.check(kind, ip).await {
            tracing::info!(kind = ?kind, "per-IP limit reached");
            return e.into_response();
        }
    }
    next.run(req).await
}

// --- the minimum body rate -------------------------------------------------------------------

/// A request body that must keep arriving at `min_rate` bytes per second, measured over each
/// `window`: otherwise it ends with an error and `slow` is set.
struct MinRate {
    inner: axum::body::BodyDataStream,
    window: Duration,
    min_bytes: u64,
    window_bytes: u64,
    deadline: Pin<Box<tokio::time::Sleep>>,
    slow: Arc<OnceLock<()>>,
    done: bool,
}

impl MinRate {
    /// Whether the window that just ended carried too little; starts the next one.
    fn window_passed(&mut self) -> bool {
        let slow = self.window_bytes < self.min_bytes;
        self.window_bytes = 0;
        let next = tokio::time::Instant::now() + self.window;
        self.deadline.as_mut().reset(next);
        slow
    }

    fn too_slow(&mut self) -> Poll<Option<Result<Bytes, axum::Error>>> {
        self.done = true;
        let _ = self.slow.set(());
        Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "request body too slow",
        )))))
    }
}

impl Stream for MinRate {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.window_bytes += chunk.len() as u64;
                if this.deadline.is_elapsed() && this.window_passed() {
                    return this.too_slow();
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => loop {
                match this.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        if this.window_passed() {
                            return this.too_slow();
                        }
                    }
                    Poll::Pending => return Poll::Pending,
                }
            },
        }
    }
}

/// Middleware: every request body must arrive at `IDV_BODY_MIN_RATE` bytes per second (over
/// each `IDV_BODY_RATE_WINDOW`). A slower one is answered with 408 and the connection closed,
/// whatever the handler made of the cut body.
pub async fn min_body_rate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cfg = &state.config.guard;
    let has_body = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() != "0")
        && !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if !has_body || cfg.body_min_rate == 0 {
        return next.run(req).await;
    }
    let slow = Arc::new(OnceLock::new());
    let (parts, body) = req.into_parts();
    let guarded = MinRate {
        inner: body.into_data_stream(),
        window: cfg.body_rate_window,
        min_bytes: cfg
            .body_min_rate
            .saturating_mul(cfg.body_rate_window.as_secs().max(1)),
        window_bytes: 0,
        deadline: Box::pin(tokio::time::sleep(cfg.body_rate_window)),
        slow: slow.clone(),
        done: false,
    };
    let resp = next
        .run(Request::from_parts(parts, Body::from_stream(guarded)))
        .await;
    if slow.get().is_some() {
        tracing::info!("request body too slow: cut");
        return AppError::RequestTimeout(format!(
            "The request body arrived too slowly (under {} bytes per second over {} s); the connection is closed",
            cfg.body_min_rate,
            cfg.body_rate_window.as_secs()
        ))
        .into_response();
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_client_ip_comes_from_trusted_proxies_only() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9, 10.1.1.1"),
        );
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        // the right-most address that is not one of our proxies
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // an untrusted peer cannot claim another address
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_ip(peer, &h, &trusted), peer);
        // garbage stops the walk at the last good hop
        let mut g = HeaderMap::new();
        g.insert(
            "x-forwarded-for",
            HeaderValue::from_static("junk, 10.9.9.9"),
        );
        assert_eq!(
            client_ip(proxy, &g, &trusted),
            "10.9.9.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip("::ffff:192.0.2.1".parse().unwrap(), &HeaderMap::new(), &[]),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }
}
