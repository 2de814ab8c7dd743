//! Who may use the relay: same-origin browsers (and non-browser clients),
//! and sign-in attempts counted per client address.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Server;
use crate::refusal::Refusal;

/// Refuses what a browser marks as coming from another site: a
/// `Sec-Fetch-Site` other than same-origin (or none, a typed address), or an
/// `Origin` that is not the gateway's own. Clients that send neither (scripts)
/// pass: they carry no ambient credentials a page could abuse.
pub fn same_origin(headers: &HeaderMap, server: &Server) -> Result<(), Refusal> {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Err(Refusal::CrossSite);
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().map_err(|_| Refusal::CrossSite)?;
    if server.extra_origins.iter().any(|o| o == origin) {
        return Ok(());
    }
    let own = match &server.public_origin {
        Some(public) => public.trim_end_matches('/') == origin,
        // No configured origin: the authority the browser addressed (Host)
        // must be the Origin's, whatever the scheme a TLS terminator hides.
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let authority = origin.split_once("://").map(|(_, a)| a);
            host.is_some() && authority == host
        }
    };
    if own {
        Ok(())
    } else {
        Err(Refusal::CrossSite)
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the
/// last address in `X-Forwarded-For` that is not one of the trusted proxies.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.ip();
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// Password sign-ins per client address per minute.
pub struct SignInLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl SignInLimiter {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            clock: DefaultClock::default(),
        }
    }

    pub fn check(&self, client: IpAddr) -> Result<(), Refusal> {
        self.limiter
            .check_key(&client)
            .map_err(|not_until| Refusal::RateLimited {
                retry_after: not_until.wait_time_from(self.clock.now()),
            })
    }

    /// Forgets addresses whose attempts are long past (bounded memory).
    pub fn forget_old(&self) {
        self.limiter.retain_recent();
    }

    pub const FORGET_EVERY: Duration = Duration::from_secs(60);
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn same_origin_browsers_and_scripts_pass_others_do_not() {
        let s = Server::default();
        assert!(same_origin(&headers(&[]), &s).is_ok());
        assert!(same_origin(
            &headers(&[
                ("host", "g:8080"),
                ("origin", "http://g:8080"),
                ("sec-fetch-site", "same-origin")
            ]),
            &s
        )
        .is_ok());
        assert!(same_origin(
            &headers(&[("host", "g:8080"), ("origin", "https://g:8080")]),
            &s
        )
        .is_ok());
        assert!(same_origin(
            &headers(&[("host", "g:8080"), ("origin", "http://evil.example")]),
            &s
        )
        .is_err());
        assert!(same_origin(
            &headers(&[("host", "g:8080"), ("origin", "http://g:8080.evil.example")]),
            &s
        )
        .is_err());
        assert!(same_origin(&headers(&[("sec-fetch-site", "cross-site")]), &s).is_err());
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-site")]), &s).is_err());
        assert!(same_origin(&headers(&[("origin", "null"), ("host", "g")]), &s).is_err());
        let public = Server {
            public_origin: Some("https://numbers.example.com".into()),
            ..Server::default()
        };
        assert!(same_origin(
            &headers(&[
                ("host", "internal:8080"),
                ("origin", "https://numbers.example.com")
            ]),
            &public
        )
        .is_ok());
        assert!(same_origin(
            &headers(&[
                ("host", "numbers.example.com"),
                ("origin", "http://numbers.example.com")
            ]),
            &public
        )
        .is_err());
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let peer = SocketAddr::new(proxy, 5000);
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        assert_eq!(client_address(peer, &h, &[]), proxy);
        assert_eq!(
            client_address(peer, &h, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().expect("ip")
        );
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.1")]);
        assert_eq!(
            client_address(peer, &spoofed, &[proxy]),
            "1.2.3.4".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(client_address(peer, &headers(&[]), &[proxy]), proxy);
    }

    #[test]
    fn the_limiter_refuses_past_the_quota_and_says_when() {
        let l = SignInLimiter::per_minute(2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        assert!(l.check(a).is_ok());
        assert!(l.check(a).is_ok());
        match l.check(a) {
            Err(Refusal::RateLimited { retry_after }) => {
                assert!(
                    retry_after > Duration::from_secs(20) && retry_after <= Duration::from_secs(30)
                )
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(l.check(b).is_ok());
    }
}
