//! Cross-origin policy of the RPC port (`--rpc-cors`), for HTTP and WebSocket alike.
//!
//! Browsers send an `Origin` header; a request from an origin that is not allowed is refused
//! with 403 before it reaches a method (as Substrate does), so a web page cannot drive a node's
//! RPC without the operator's consent. Allowed origins get the CORS headers browsers need,
//! and preflight (`OPTIONS`) requests are answered here. Requests without `Origin` (curl,
//! py-substrate-interface, node.js clients) are not affected.
//!
//! Patterns: an exact origin (`https://polkadot.js.org`), or one ending in `:*`, which matches
//! that scheme and host with any port or none (`http://localhost:*`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN, VARY,
};
use http::{HeaderValue, Method, StatusCode};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use tower::{Layer, Service};

/// The error type jsonrpsee's HTTP services use.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether `origin` matches one of `allowed` (see the module documentation).
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|pattern| {
        let pattern = pattern.trim();
        if pattern == "*" || pattern.eq_ignore_ascii_case("all") {
            return true;
        }
        match pattern.strip_suffix(":*") {
            Some(base) => {
                if origin.eq_ignore_ascii_case(base) {
                    return true;
                }
                let Some(head) = origin.get(..base.len()) else {
                    return false;
                };
                head.eq_ignore_ascii_case(base)
                    && origin[base.len()..].strip_prefix(':').is_some_and(|port| {
                        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                    })
            }
            None => origin.eq_ignore_ascii_case(pattern),
        }
    })
}

/// Applies the policy; `None` allows every origin.
#[derive(Clone, Debug)]
pub struct CorsLayer {
    allowed: Option<Arc<Vec<String>>>,
}

impl CorsLayer {
    /// The policy for `--rpc-cors`: `None` allows all origins.
    pub fn new(allowed: Option<Vec<String>>) -> Self {
        CorsLayer {
            allowed: allowed.map(Arc::new),
        }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            allowed: self.allowed.clone(),
        }
    }
}

/// The service [`CorsLayer`] makes.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    allowed: Option<Arc<Vec<String>>>,
}

fn plain(status: StatusCode, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(HttpBody::from(body));
    *response.status_mut() = status;
    response
}

impl<S, B> Service<HttpRequest<B>> for Cors<S>
where
    S: Service<HttpRequest<B>, Response = HttpResponse, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest<B>) -> Self::Future {
        let origin = request.headers().get(ORIGIN).cloned();
        if let Some(origin) = &origin {
            let text = origin.to_str().unwrap_or("");
            let ok = match &self.allowed {
                None => true,
                Some(list) => origin_allowed(list, text),
            };
            if !ok {
                tracing::debug!(target: "rpc", origin = text, "refused request from an origin not allowed by --rpc-cors");
                return Box::pin(std::future::ready(Ok(plain(
                    StatusCode::FORBIDDEN,
                    "Origin of the request is not whitelisted. CORS headers would not allow it.",
                ))));
            }
        }
        let Some(origin) = origin else {
            return Box::pin(self.inner.call(request));
        };
        if request.method() == Method::OPTIONS {
            let mut response = plain(StatusCode::OK, "");
            let requested = request
                .headers()
                .get(ACCESS_CONTROL_REQUEST_HEADERS)
                .cloned()
                .unwrap_or(HeaderValue::from_static("content-type"));
            let headers = response.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, GET, OPTIONS"),
            );
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested);
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
            headers.insert(VARY, HeaderValue::from_static("Origin"));
            return Box::pin(std::future::ready(Ok(response)));
        }
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            let headers = response.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(VARY, HeaderValue::from_static("Origin"));
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn patterns() {
        let allowed = list(&["http://localhost:*", "https://polkadot.js.org"]);
        assert!(origin_allowed(&allowed, "http://localhost:3000"));
        assert!(origin_allowed(&allowed, "http://localhost"));
        assert!(origin_allowed(&allowed, "https://polkadot.js.org"));
        assert!(!origin_allowed(&allowed, "http://localhost:"));
        assert!(!origin_allowed(&allowed, "http://localhost:3000x"));
        assert!(!origin_allowed(&allowed, "http://localhost.evil.com"));
        assert!(!origin_allowed(&allowed, "https://localhost:3000"));
        assert!(!origin_allowed(&allowed, "https://polkadot.js.org.evil"));
        assert!(!origin_allowed(&allowed, ""));
        assert!(origin_allowed(&list(&["all"]), "https://anything"));
        assert!(!origin_allowed(&[], "http://localhost"));
    }
}
