//! Host ports: every port published on the host, across the compose file and its override, is
//! taken once. A wanted port already taken moves to the next free one, in a fixed order, so the
//! same spec always publishes the same ports.

use std::collections::BTreeSet;

/// The host ports handed out so far.
#[derive(Debug, Default)]
pub struct HostPorts {
    taken: BTreeSet<u16>,
}

impl HostPorts {
    /// The first free port from `wanted` up, now taken.
    pub fn take(&mut self, wanted: u16) -> u16 {
        let mut port = wanted;
        while !self.taken.insert(port) {
            port = port.checked_add(1).unwrap_or(1024);
        }
        port
    }
}

/// A publication on the loopback interface only: `127.0.0.1:<host>:<container>`.
pub fn loopback(host: u16, container: u16) -> String {
    format!("127.0.0.1:{host}:{container}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_ports_move_to_the_next_free_one() {
        let mut ports = HostPorts::default();
        assert_eq!(ports.take(3000), 3000);
        assert_eq!(ports.take(3001), 3001);
        assert_eq!(ports.take(3000), 3002);
        assert_eq!(loopback(5432, 5432), "127.0.0.1:5432:5432");
    }
}
