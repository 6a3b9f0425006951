//! Free loopback ports: bind `127.0.0.1:0`, read the port the kernel picked, release it, and never
//! hand out the same port twice in one run (the kernel may pick a just-released port again).

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener};

use crate::error::{Error, Result};

/// Where a plan gets its ports from: [`PortAllocator`] at run time, a counter in tests.
pub trait Ports {
    /// A port nothing else in this run was given.
    fn next_port(&mut self) -> Result<u16>;
}

/// Hands out free loopback ports, each at most once.
#[derive(Debug, Default)]
pub struct PortAllocator {
    given: BTreeSet<u16>,
}

/// How many times the kernel may offer an already given port before giving up.
const ATTEMPTS: usize = 64;

impl Ports for PortAllocator {
    fn next_port(&mut self) -> Result<u16> {
        for _ in 0..ATTEMPTS {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(Error::Ports)?;
            let port = listener.local_addr().map_err(Error::Ports)?.port();
            if self.given.insert(port) {
                return Ok(port);
            }
        }
        Err(Error::Ports(std::io::Error::other("the kernel kept offering ports already given")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_and_distinct() {
        let mut ports = PortAllocator::default();
        let picked: BTreeSet<u16> = (0..20).map(|_| ports.next_port().unwrap()).collect();
        assert_eq!(picked.len(), 20);
        for port in picked {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
        }
    }
}
