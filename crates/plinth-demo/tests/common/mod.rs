//! Helpers shared by the demo's tests: an instance on a free loopback port, and a minimal HTTP/1.1
//! client with a deadline on every request.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use plinth_demo::DemoConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The longest any one request of a test may take.
const DEADLINE: Duration = Duration::from_secs(20);

/// A configuration on 127.0.0.1, port 0, without log lines.
pub fn config() -> DemoConfig {
    let mut config = DemoConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    config.log = false;
    config
}

/// A running instance; dropping it without [`Running::stop`] leaves it to the test's runtime.
pub struct Running {
    pub address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

/// Starts an instance with `config`.
pub async fn start(config: DemoConfig) -> Running {
    let demo = plinth_demo::bind(config).await.unwrap();
    let address = demo.local_addr();
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(demo.run(async {
        let _ = stopped.await;
    }));
    Running { address, stop, task }
}

impl Running {
    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        self.request("GET", path, "").await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &str) -> Answer {
        self.request("POST", path, body).await
    }

    /// Any request, on a connection of its own.
    pub async fn request(&self, method: &str, path: &str, body: &str) -> Answer {
        send(self.address, &format!("{method} {path} HTTP/1.1\r\n"), body).await
    }

    /// Starts shutdown and waits (bounded) until `run` returns.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(DEADLINE, self.task).await.expect("shut down in time").unwrap().unwrap();
    }
}

/// Sends `request_line`, the headers `Host`, `Connection: close`, `Content-Length` and any in
/// `request_line` after the first line, and `body`.
pub async fn send(address: SocketAddr, request_line: &str, body: &str) -> Answer {
    let exchange = async {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let head = format!(
            "{request_line}Host: {address}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        Answer::parse(&String::from_utf8(raw).unwrap())
    };
    tokio::time::timeout(DEADLINE, exchange).await.expect("the demo answered in time")
}

/// A response.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no header end in {raw:?}"));
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Self { status, headers, body: body.to_owned() }
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}
