//! The SSRF guard: webhooks go only to public addresses, unless an operator allow-lists a
//! network (`IDV_WEBHOOK_ALLOWED_CIDRS`). Checked when the connection is made: the HTTP client
//! resolves names through [`GuardedResolver`], which drops refused addresses (so a name that
//! re-resolves to a private address later is caught), and IP-literal URLs are checked before
//! sending. Proxies are not used for webhooks.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use ipnet::IpNet;

use crate::server::config::settings::WEBHOOK_ALLOWED_CIDRS as ALLOW_SETTING;

/// Private, loopback, link-local (cloud metadata included), shared, documentation, multicast
/// or otherwise not a public unicast destination.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 metadata included)
                || (seg[0] & 0xffc0) == 0xfe80 // link-local
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 (well-known and local-use prefixes)
                || seg[0] == 0x2002 // 6to4: an IPv4 address inside, internal ones included
                || (seg[0] == 0x2001 && seg[1] == 0x0000) // Teredo: a tunnelled IPv4 address
                || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some sites)
                || (seg[0] == 0 && seg[1] == 0 && seg[2] == 0 && seg[3] == 0 && seg[4] == 0 && seg[5] == 0) // IPv4-compatible
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240 // reserved
}

/// Whether `s` holds an IPv4 dotted quad anywhere (four numbers up to 255 joined by dots),
/// even glued to other characters.
pub fn has_ipv4_quad(s: &str) -> bool {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|run| {
            let parts: Vec<&str> = run.split('.').collect();
            parts.windows(4).any(|w| {
                w.iter()
                    .all(|p| (1..=3).contains(&p.len()) && p.parse::<u16>().is_ok_and(|n| n <= 255))
            })
        })
}

/// `text` with every IP address (v4 or v6, with or without a port) replaced by `<address>`:
/// attempt errors come from HTTP and DNS libraries and are shown to partners, who must not
/// learn the service's internal addresses from them. A run of address characters that is an
/// address, or holds an IPv4 address anywhere, goes whole.
pub fn redact_addresses(text: &str) -> String {
    fn is_address(token: &str) -> bool {
        // `[v6%zone]:port`, `v4:port`, bare addresses; a zone id is dropped before parsing
        let t = token.trim_end_matches(['.', ':']);
        let (host, port) = match t.rsplit_once("]:") {
            Some((h, p)) => (h.trim_start_matches('['), Some(p)),
            None => match t.rsplit_once(':') {
                Some((h, p)) if h.parse::<std::net::Ipv4Addr>().is_ok() => (h, Some(p)),
                _ => (t.trim_matches(['[', ']']), None),
            },
        };
        let host = host.split('%').next().unwrap_or(host);
        host.parse::<IpAddr>().is_ok() && port.is_none_or(|p| p.parse::<u16>().is_ok())
    }
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if is_address(token) || has_ipv4_quad(token) {
            out.push_str("<address>");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        let in_zone = token.contains('%');
        if c.is_ascii_hexdigit()
            || matches!(c, '.' | ':' | '[' | ']' | '%')
            || (in_zone && c.is_ascii_alphanumeric())
        {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Whether a webhook may connect to `ip`.
pub fn allowed(ip: IpAddr, allow: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    !is_internal(ip) || allow.iter().any(|n| n.contains(&ip))
}

/// reqwest's resolver, with refused addresses removed.
pub struct GuardedResolver {
    pub allow: Vec<IpNet>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ok: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| allowed(a.ip(), &allow))
                .collect();
            if ok.is_empty() {
                // the addresses go to the operator's log, never into the attempt record the
                // partner reads (they would map the service's internal network)
                let seen = addrs
                    .iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                tracing::warn!(host = %host, addresses = %seen, "webhook refused: the host resolves only to non-public addresses");
                return Err(format!(
                    "refused: {host} resolves only to non-public addresses; an operator can allow-list them with {}",
                    ALLOW_SETTING.name
                )
                .into());
            }
            let it: reqwest::dns::Addrs = Box::new(ok.into_iter());
            Ok(it)
        })
    }
}

/// Checks a URL before sending: http(s), and an IP-literal host must be allowed.
pub fn check_url(url: &url::Url, allow: &[IpNet]) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("refused: `{}` URLs are not allowed", url.scheme()));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(_)) => return Ok(()),
        None => return Err("refused: the URL has no host".into()),
    };
    if allowed(ip, allow) {
        Ok(())
    } else {
        Err(format!(
            "refused: {ip} is not a public address; allow-list it with {}",
            ALLOW_SETTING.name
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_destinations_are_refused_unless_allow_listed() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "2002:7f00:1::1",                       // 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::1",                    // 6to4 of 169.254.169.254
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
            "64:ff9b::a9fe:a9fe",                   // NAT64 of 169.254.169.254
            "64:ff9b:1::a00:1",                     // local-use NAT64
            "fec0::1",                              // site-local
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!allowed(ip, &[]), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"] {
            assert!(allowed(ip.parse().unwrap(), &[]), "{ip}");
        }
        let lo: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        assert!(allowed("127.0.0.1".parse().unwrap(), &lo));
        assert!(allowed("::ffff:127.0.0.1".parse().unwrap(), &lo));
        assert!(!allowed("10.0.0.1".parse().unwrap(), &lo));
    }

    #[test]
    fn addresses_are_redacted_from_error_texts() {
        assert_eq!(
            redact_addresses("refused: 10.0.0.7:443 and [fd00::1]:80, os error 111"),
            "refused: <address> and <address>, os error 111"
        );
        assert_eq!(
            redact_addresses("tcp connect error: Connection refused (os error 111)"),
            "tcp connect error: Connection refused (os error 111)"
        );
        assert_eq!(
            redact_addresses("via fe80::1%eth0 at 12:30"),
            "via <address> at 12:30"
        );
        // found by fuzzing: an address glued to other address characters
        assert_eq!(redact_addresses("x 05.0.127.0.0.1:a y"), "x <address> y");
        assert!(!has_ipv4_quad("version 1.2.3 at 12:30"));
    }

    #[test]
    fn urls_are_checked_by_scheme_and_literal_host() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_url(&u("ftp://example.com/x"), &[]).is_err());
        assert!(check_url(&u("http://127.0.0.1:9/x"), &[]).is_err());
        assert!(check_url(&u("http://[::1]:9/x"), &[]).is_err());
        assert!(check_url(&u("https://example.com/x"), &[]).is_ok());
        let lo: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        assert!(check_url(&u("http://127.0.0.1:9/x"), &lo).is_ok());
    }
}
