//! One probe check against a replica: an HTTP GET answered 200–399, a TCP connection, or a
//! command that exits 0 (and prints what is expected), each bounded by the probe's timeout.

use std::net::Ipv4Addr;
use std::process::Stdio;
use std::time::Duration;

use rustix::process::Signal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;

use super::spawner::{Spawner, signal_group};
use super::spec::Check;

/// The most of an HTTP response read to find the status line.
const STATUS_LINE_MAX: usize = 1024;

/// Whether `check` passes against `port` within `timeout`.
pub(crate) async fn passes(check: &Check, port: Option<u16>, timeout: Duration, spawner: &Spawner) -> bool {
    match check {
        Check::Http { path } => {
            let Some(port) = port else { return false };
            tokio::time::timeout(timeout, http_get(port, path)).await.unwrap_or(false)
        }
        Check::Tcp => {
            let Some(port) = port else { return false };
            matches!(tokio::time::timeout(timeout, TcpStream::connect((Ipv4Addr::LOCALHOST, port))).await, Ok(Ok(_)))
        }
        Check::Exec { argv, env, expect } => exec(argv, env, expect.as_deref(), port, timeout, spawner).await,
    }
}

/// `GET path` over HTTP/1.0: a status of 200–399.
async fn http_get(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await else { return false };
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: plinth-probe\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = Vec::with_capacity(64);
    let mut chunk = [0u8; 256];
    while !head.contains(&b'\n') && head.len() < STATUS_LINE_MAX {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    status_ok(&head)
}

/// Whether a response starting with `head` has a 2xx or 3xx status (`HTTP/1.1 204 No Content`).
fn status_ok(head: &[u8]) -> bool {
    let line = String::from_utf8_lossy(head);
    let mut words = line.split_whitespace();
    let protocol_ok = words.next().is_some_and(|p| p.starts_with("HTTP/"));
    let status = words.next().and_then(|s| s.parse::<u16>().ok());
    protocol_ok && status.is_some_and(|s| (200..400).contains(&s))
}

async fn exec(
    argv: &[String],
    env: &std::collections::BTreeMap<String, String>,
    expect: Option<&str>,
    port: Option<u16>,
    timeout: Duration,
    spawner: &Spawner,
) -> bool {
    let Some((program, args)) = argv.split_first() else { return false };
    let mut command = Command::new(program);
    command.args(args).envs(env).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true);
    if let Some(port) = port {
        command.env("PORT", port.to_string());
    }
    let Ok(child) = spawner.spawn(command, program).await else { return false };
    let pid = child.id();
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(output)) => {
            output.status.success() && expect.is_none_or(|text| String::from_utf8_lossy(&output.stdout).contains(text))
        }
        Ok(Err(_)) => false,
        Err(_) => {
            if let Some(pid) = pid {
                signal_group(pid, Signal::KILL);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_200_to_399_pass() {
        assert!(status_ok(b"HTTP/1.1 200 OK\r\n"));
        assert!(status_ok(b"HTTP/1.0 302 Found\r\n"));
        assert!(!status_ok(b"HTTP/1.1 404 Not Found\r\n"));
        assert!(!status_ok(b"HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(!status_ok(b"garbage"));
        assert!(!status_ok(b""));
    }
}
