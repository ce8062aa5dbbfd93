//! Who is asking, by network address: the TCP peer, or, when the peer is a configured trusted
//! proxy (`TRUSTED_PROXIES`), the client it names in `X-Forwarded-For`. A header from anyone
//! else is ignored: a client cannot choose the address it is limited by.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed: addresses or CIDR blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list such as `10.0.0.0/8, 127.0.0.1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address: the peer unless it is a trusted proxy; then the right-most address of
/// `X-Forwarded-For` that is not a trusted proxy itself (proxies append, so what is left of
/// that was written by the client and proves nothing). `None` without a peer (in-process tests).
pub fn client_ip(req: &HttpRequest, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(ip) => client = ip,
            Ok(ip) => return Some(ip),
            // A malformed hop: the last proxy-vouched address stands.
            Err(_) => return Some(client),
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn ip(req: TestRequest, trusted: &str) -> Option<IpAddr> {
        client_ip(
            &req.to_http_request(),
            &TrustedProxies::parse(trusted).unwrap(),
        )
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let from = |peer: &str| TestRequest::default().peer_addr(peer.parse().unwrap());
        let spoofed = from("203.0.113.9:5000").insert_header(("X-Forwarded-For", "1.2.3.4"));
        assert_eq!(
            ip(spoofed, "10.0.0.0/8"),
            Some("203.0.113.9".parse().unwrap())
        );
        let proxied = from("10.1.2.3:5000")
            .insert_header(("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.9.9.9"));
        assert_eq!(
            ip(proxied, "10.0.0.0/8"),
            Some("198.51.100.7".parse().unwrap())
        );
        let bare = from("10.1.2.3:5000");
        assert_eq!(ip(bare, "10.0.0.0/8"), Some("10.1.2.3".parse().unwrap()));
        let garbled = from("10.1.2.3:5000").insert_header(("X-Forwarded-For", "nonsense"));
        assert_eq!(
            ip(garbled, "10.0.0.0/8, ::1"),
            Some("10.1.2.3".parse().unwrap())
        );
        assert_eq!(ip(TestRequest::default(), ""), None);
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
    }
}
