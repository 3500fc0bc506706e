//! What anyone can make the service do before being authenticated, bounded:
//!
//! - per-IP request rates (`governor`'s keyed GCRA limiters) for submissions, capture-page loads
//!   and dashboard sign-ins, answered with 429 and `Retry-After`;
//! - a minimum upload rate for request bodies: a client that trickles bytes is cut with 408 and
//!   its connection closed;
//! - an absolute deadline for every request body (`IDV_BODY_TIMEOUT`, 408);
//! - uploads at once per client address (429; [`super::uploads`], which also has the process's
//!   two pools of upload slots);
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
/// `POST /verif/submit` and `GET /verif/live` (submissions), `POST /dashboard/sign-in` (sign-in
/// attempts). A submission also holds one of its address's upload places
/// ([`super::uploads::Uploads::for_address`]) while it runs: here for `POST /verif/submit`; the
/// live channel takes the `AddressPermit` from the request's extensions into its socket's task.
pub async fn limit_by_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let kind = match (req.method().as_str(), req.uri().path()) {
        ("POST", "/verif/submit") | ("GET", "/verif/live") => Some(Limited::Submit),
        ("GET", "/verif/" | "/verif") => Some(Limited::Page),
        ("POST", "/dashboard/sign-in") => Some(Limited::SignIn),
        _ => None,
    };
    let Some(kind) = kind else {
        return next.run(req).await;
    };
    let guard = &state.config.guard;
    let ip = request_ip(&req, &guard.trusted_proxies);
    if guard.ip_limits_exempt.iter().any(|n| n.contains(&ip)) {
        return next.run(req).await;
    }
    if let Err(e) = state.ip_limits.check(kind, ip).await {
        tracing::info!(kind = ?kind, "per-IP limit reached");
        return e.into_response();
    }
    if kind != Limited::Submit {
        return next.run(req).await;
    }
    let permit = match state.uploads.for_address(ip) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            tracing::info!("uploads at once per address reached");
            return e.into_response();
        }
    };
    req.extensions_mut().insert(permit.clone());
    let resp = next.run(req).await;
    drop(permit);
    resp
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
    /// The end of the whole body's time (`IDV_BODY_TIMEOUT`).
    overall: Pin<Box<tokio::time::Sleep>>,
    cut: Arc<OnceLock<Cut>>,
    done: bool,
}

/// Why a body was cut.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// Under the minimum rate over a window.
    Slow,
    /// Still arriving at the absolute deadline.
    Late,
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

    fn cut(&mut self, why: Cut) -> Poll<Option<Result<Bytes, axum::Error>>> {
        self.done = true;
        let _ = self.cut.set(why);
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
        if this.overall.as_mut().poll(cx).is_ready() {
            return this.cut(Cut::Late);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.window_bytes += chunk.len() as u64;
                if this.deadline.is_elapsed() && this.window_passed() {
                    return this.cut(Cut::Slow);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => {
                // ended (or failed): no deadline applies any more
                this.done = true;
                Poll::Ready(other)
            }
            Poll::Pending => loop {
                match this.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        if this.window_passed() {
                            return this.cut(Cut::Slow);
                        }
                    }
                    Poll::Pending => return Poll::Pending,
                }
            },
        }
    }
}

/// Middleware: every request body must arrive at `IDV_BODY_MIN_RATE` bytes per second (over
/// each `IDV_BODY_RATE_WINDOW`), and in full within `IDV_BODY_TIMEOUT`. Otherwise it is
/// answered with 408 and the connection closed, whatever the handler made of the cut body.
pub async fn min_body_rate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cfg = &state.config.guard;
    let has_body = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() != "0")
        && !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if !has_body {
        return next.run(req).await;
    }
    let cut = Arc::new(OnceLock::new());
    let (parts, body) = req.into_parts();
    let window = if cfg.body_min_rate == 0 {
        // no minimum rate: a window that never ends
        cfg.body_timeout
    } else {
        cfg.body_rate_window
    };
    let guarded = MinRate {
        inner: body.into_data_stream(),
        window,
        min_bytes: cfg.body_min_rate.saturating_mul(window.as_secs().max(1)),
        window_bytes: 0,
        deadline: Box::pin(tokio::time::sleep(window)),
        overall: Box::pin(tokio::time::sleep(cfg.body_timeout)),
        cut: cut.clone(),
        done: false,
    };
    let resp = next
        .run(Request::from_parts(parts, Body::from_stream(guarded)))
        .await;
    match cut.get() {
        None => resp,
        Some(Cut::Slow) => {
            tracing::info!("request body too slow: cut");
            AppError::RequestTimeout(format!(
                "The request body arrived too slowly (under {} bytes per second over {} s); the connection is closed",
                cfg.body_min_rate,
                cfg.body_rate_window.as_secs()
            ))
            .into_response()
        }
        Some(Cut::Late) => {
            tracing::info!("request body still arriving at its deadline: cut");
            AppError::RequestTimeout(format!(
                "The request body did not arrive in full within {} s; the connection is closed",
                cfg.body_timeout.as_secs()
            ))
            .into_response()
        }
    }
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
