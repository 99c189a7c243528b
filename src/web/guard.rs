//! What keeps hostile pages and hostile content away: the `Host` check against DNS
//! rebinding, the security headers on every response, and the write token.
//!
//! A page on another site can make the browser send requests to `127.0.0.1:5050`; the browser
//! then names that site in `Host` when a DNS name was rebound to 127.0.0.1. So a request is
//! served only when its `Host` is the address served (or `localhost` for a loopback address,
//! or any IP literal for an unspecified bind address): never a DNS name. No CORS header is ever
//! sent, so other origins cannot read answers; writes need the token printed at start and
//! `Content-Type: application/json`, which a cross-site form cannot send without a preflight.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// The Content-Security-Policy of every response: same-origin script and style only, no
/// inline script, no plugins, no framing, nothing loaded from elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Whether `host` (the `Host` header) names the server at `addr`.
pub fn host_allowed(addr: SocketAddr, host: &str) -> bool {
    let host = host.trim();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && !port.contains(']') => (name, port),
        _ => return false,
    };
    if port.parse::<u16>().ok() != Some(addr.port()) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") {
        return addr.ip().is_loopback();
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => addr.ip().is_unspecified() || ip == addr.ip(),
        Err(_) => false,
    }
}

/// Adds the security headers to `response`.
pub fn secure(response: &mut Response) {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CSP);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-resource-policy", "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, "cache-control", "no-store");
    }
}

/// Why a write request is refused, as (status, message); `None` lets it through.
pub fn write_refusal(
    token: Option<&str>,
    headers: &HeaderMap,
) -> Option<(StatusCode, &'static str)> {
    let Some(token) = token else {
        return Some((
            StatusCode::FORBIDDEN,
            "the server is read-only: start it with `git zen serve --allow-write`",
        ));
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Some((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as Content-Type: application/json",
        ));
    }
    if !bears_token(token, headers) {
        return Some((
            StatusCode::UNAUTHORIZED,
            "send the token `git zen serve` printed as Authorization: Bearer <token>",
        ));
    }
    None
}

/// Whether a request bears `token` as `Authorization: Bearer <token>` (an org server bound
/// beyond loopback asks it of every request; a reverse proxy in front adds it for its users).
pub fn bears_token(token: &str, headers: &HeaderMap) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    same(given.trim().as_bytes(), token.as_bytes())
}

/// Compares without stopping at the first difference, so timing does not tell how much of a
/// guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new write token: 128 random bits as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system has no random number source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_the_served_address_is_a_valid_host() {
        let local = "127.0.0.1:5050".parse().unwrap();
        assert!(host_allowed(local, "127.0.0.1:5050"));
        assert!(host_allowed(local, "localhost:5050"));
        assert!(!host_allowed(local, "evil.example:5050"));
        assert!(!host_allowed(local, "127.0.0.1:80"));
        assert!(!host_allowed(local, "127.0.0.1"));
        assert!(!host_allowed(local, "10.0.0.1:5050"));
        let any = "0.0.0.0:8080".parse().unwrap();
        assert!(host_allowed(any, "192.168.1.9:8080"));
        assert!(!host_allowed(any, "rebound.example:8080"));
        let v6 = "[::1]:5050".parse().unwrap();
        assert!(host_allowed(v6, "[::1]:5050"));
    }
}
