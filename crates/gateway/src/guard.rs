//! Who may use the relay: same-origin browsers (and non-browser clients),
//! and sign-in attempts counted per client address.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use url::Url;

use crate::config::Server;
use crate::refusal::Refusal;

/// Refuses a cross-site request to the relay before its route runs (a
/// `route_layer` on the relay's routes).
pub async fn same_origin_only(
    State(s): State<crate::Shared>,
    request: Request,
    next: Next,
) -> Response {
    match same_origin(request.headers(), &s.config.server) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            let mut response = refusal.into_response();
            response
                .extensions_mut()
                .insert(crate::access_log::RouteName("/relay/{refused}".into()));
            response
        }
    }
}

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
        // Scheme, host and port, as the browser names its origin.
        Some(public) => match (Url::parse(public), Url::parse(origin)) {
            (Ok(p), Ok(o)) => p.origin() == o.origin() && p.origin().is_tuple(),
            _ => false,
        },
        // No configured origin: the authority the browser addressed (Host,
        // which [`Hosts`] has already allowed) must be the Origin's; the
        // scheme a TLS terminator hides cannot be known.
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

/// The Host names this gateway answers for: its listen address, localhost
/// names, `public_origin`'s host and `allowed_hosts`. A page on another
/// name (a DNS-rebinding attack points one at this address) is refused
/// before anything is sent.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// `host` (any port) or `host:port`, lower-case.
    names: Vec<String>,
    listen: IpAddr,
}

impl Hosts {
    pub fn new(listen: SocketAddr, server: &Server) -> Self {
        let mut names: Vec<String> = server
            .allowed_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(public) = server
            .public_origin
            .as_deref()
            .and_then(|p| Url::parse(p).ok())
        {
            if let Some(host) = public.host_str() {
                names.push(match public.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host.to_ascii_lowercase(),
                });
            }
        }
        Self {
            names,
            listen: listen.ip(),
        }
    }

    /// Whether a request's Host header is one of this gateway's names.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = split_host(&host);
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            // An address can't be re-pointed the way a name can.
            if ip.is_loopback() || ip == self.listen || self.listen.is_unspecified() {
                return true;
            }
        }
        self.names.iter().any(|n| {
            let (n_name, n_port) = split_host(n);
            n_name == name && (n_port.is_none() || n_port == port)
        })
    }
}

/// `host[:port]`, with brackets kept on an IPv6 address.
fn split_host(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        return match host.split_once("]:") {
            Some((name, port)) => (&host[..name.len() + 1], Some(port)),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (host, None),
    }
}

/// One hop of `X-Forwarded-For`: an address, perhaps with a port, IPv6 in
/// brackets or not.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the rightmost hop of `X-Forwarded-For` that is not a trusted proxy (the
/// one a trusted proxy wrote; anything left of it the client could have
/// written). A hop that is not an address gives the peer.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.ip();
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        match parse_hop(hop) {
            Some(a) if trusted.contains(&a) => continue,
            Some(a) => return a,
            None => return peer,
        }
    }
    peer
}

/// The client's address ([`client_address`]), as a handler takes it.
pub struct Client(pub IpAddr);

impl axum::extract::FromRequestParts<crate::Shared> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        s: &crate::Shared,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0);
        Ok(Self(client_address(
            peer,
            &parts.headers,
            &s.config.server.trusted_proxies,
        )))
    }
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
        assert!(same_origin(
            &headers(&[("origin", "https://numbers.example.com:8443")]),
            &public
        )
        .is_err());
        assert!(same_origin(
            &headers(&[("origin", "https://NUMBERS.example.com:443")]),
            &public
        )
        .is_ok());
    }

    #[test]
    fn only_the_gateways_own_host_names_are_answered() {
        let listen: SocketAddr = "10.0.0.5:8080".parse().expect("addr");
        let s = Server {
            public_origin: Some("https://numbers.example.com".into()),
            allowed_hosts: vec!["numbers.internal:8080".into(), "gw".into()],
            ..Server::default()
        };
        let h = Hosts::new(listen, &s);
        for ok in [
            "10.0.0.5:8080",
            "127.0.0.1:8080",
            "LOCALHOST:9",
            "[::1]:8080",
            "numbers.example.com",
            "numbers.internal:8080",
            "gw:1234",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example:8080",
            "numbers.example.com.evil.example",
            "numbers.internal:9090",
            "10.0.0.6:8080",
            "",
        ] {
            assert!(!h.allows(refused), "{refused}");
        }
        let any: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        let h = Hosts::new(any, &Server::default());
        assert!(h.allows("192.0.2.7:8080") && h.allows("[2001:db8::1]:8080"));
        assert!(!h.allows("rebind.example:8080"));
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
        // Ports and brackets are stripped; an entry that is no address
        // gives the peer, never an address further left.
        for (xff, client) in [
            ("1.2.3.4, 198.51.100.2:4444", "198.51.100.2"),
            ("1.2.3.4, [2001:db8::7]:4444", "2001:db8::7"),
            ("1.2.3.4, [2001:db8::7]", "2001:db8::7"),
            ("1.2.3.4, 2001:db8::7", "2001:db8::7"),
            ("1.2.3.4, unknown", "10.0.0.1"),
            ("1.2.3.4, garbage:99:x, 10.0.0.1", "10.0.0.1"),
        ] {
            assert_eq!(
                client_address(peer, &headers(&[("x-forwarded-for", xff)]), &[proxy]),
                client.parse::<IpAddr>().expect("ip"),
                "{xff}"
            );
        }
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
