//! Protocol upgrades over HTTP/1.1 (WebSocket and others, `Connection: upgrade`): the request goes
//! to the replica with its `Upgrade` header; on `101 Switching Protocols` both connections are
//! handed over and bytes are copied both ways until either side closes or the gateway stops.

use std::sync::Mutex;

use http::header::{self, HeaderMap, HeaderValue};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::task::JoinSet;

use crate::headers::connection_tokens;

/// The `Upgrade` value of a request that asks for one (its `Connection` names `upgrade`).
pub(crate) fn requested(headers: &HeaderMap) -> Option<HeaderValue> {
    let asks = connection_tokens(headers).any(|token| token.eq_ignore_ascii_case("upgrade"));
    if asks { headers.get(header::UPGRADE).cloned() } else { None }
}

/// Puts back the upgrade headers that hop-by-hop stripping removed from the forwarded request.
pub(crate) fn restore(headers: &mut HeaderMap, protocol: HeaderValue) {
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, protocol);
}

/// The open tunnels, closed when the gateway stops (after its drain).
#[derive(Debug, Default)]
pub(crate) struct Tunnels(Mutex<JoinSet<()>>);

impl Tunnels {
    /// Joins the client's and the replica's upgraded connections in a task of their own.
    pub(crate) fn open(&self, client: OnUpgrade, upstream: OnUpgrade) {
        let mut tunnels = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Forget the tunnels that ended since.
        while tunnels.try_join_next().is_some() {}
        tunnels.spawn(async move {
            let (Ok(client), Ok(upstream)) = tokio::join!(client, upstream) else { return };
            let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(client), &mut TokioIo::new(upstream)).await;
        });
    }

    /// Closes every tunnel.
    pub(crate) fn close_all(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgrade_needs_both_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        assert_eq!(requested(&headers), None, "Upgrade without Connection: upgrade");
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        assert_eq!(requested(&headers), Some(HeaderValue::from_static("websocket")));
        headers.remove(header::UPGRADE);
        assert_eq!(requested(&headers), None);
    }
}
