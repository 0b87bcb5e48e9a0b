//! `arb-daemon health`: asks a running daemon's `/health` (at `METRICS_ADDR`) and succeeds only
//! when it answers 200, for container health checks without an HTTP client in the image.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the whole request may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Largest answer read (the health report is a few kilobytes).
const MAX_RESPONSE: u64 = 1 << 20;

/// The address to ask for a listener bound to `addr`: a wildcard (`0.0.0.0`, `::`) is asked on
/// loopback.
#[must_use]
pub fn local(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// `GET /health` on `addr`: the HTTP status code and the body.
///
/// # Errors
/// The daemon cannot be reached, does not answer within [`TIMEOUT`], or answers something that
/// is not HTTP.
pub async fn probe(addr: SocketAddr) -> std::io::Result<(u16, String)> {
    tokio::time::timeout(TIMEOUT, request(addr))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer within 5 s"))?
}

async fn request(addr: SocketAddr) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(
            format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut raw = Vec::new();
    stream.take(MAX_RESPONSE).read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "the answer is not HTTP")
        })?;
    Ok((code, body.to_owned()))
}
