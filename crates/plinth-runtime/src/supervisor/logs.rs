//! Captured output: every line a replica prints goes to a broadcast stream (for `plinth up`'s
//! multiplexed output and `plinth logs -f`) and into a bounded ring buffer per process (for
//! `plinth logs`).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::broadcast;

/// Which output a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// One line of a replica's output.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// The process (service or datastore).
    pub process: String,
    /// The replica index.
    pub replica: u32,
    /// Which output.
    pub stream: Stream,
    /// The line, without its newline (invalid UTF-8 replaced).
    pub line: String,
    /// When it was read.
    pub time: SystemTime,
}

impl LogLine {
    /// The line as one JSON object (`{"time": …, "process": …, "replica": …, "stream": …, "line": …}`),
    /// time in Unix seconds.
    pub fn to_json(&self) -> serde_json::Value {
        let time = self.time.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        json!({
            "time": time,
            "process": self.process,
            "replica": self.replica,
            "stream": self.stream.name(),
            "line": self.line,
        })
    }
}

/// `process.replica | line`.
impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} | {}", self.process, self.replica, self.line)
    }
}

/// The broadcast stream and the ring buffers.
#[derive(Debug)]
pub(crate) struct Logs {
    stream: broadcast::Sender<LogLine>,
    recent: Mutex<BTreeMap<String, VecDeque<LogLine>>>,
    capacity: usize,
}

impl Logs {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { stream: broadcast::channel(1024).0, recent: Mutex::default(), capacity: capacity.max(1) }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<LogLine> {
        self.stream.subscribe()
    }

    /// The last lines of `process`, oldest first.
    pub(crate) fn recent(&self, process: &str) -> Vec<LogLine> {
        let recent = self.recent.lock().expect("log buffer lock");
        recent.get(process).map(|lines| lines.iter().cloned().collect()).unwrap_or_default()
    }

    fn push(&self, line: LogLine) {
        {
            let mut recent = self.recent.lock().expect("log buffer lock");
            let lines = recent.entry(line.process.clone()).or_default();
            if lines.len() == self.capacity {
                lines.pop_front();
            }
            lines.push_back(line.clone());
        }
        // Nobody listening is fine.
        let _ = self.stream.send(line);
    }

    /// Reads `reader` line by line until it closes.
    pub(crate) async fn capture(&self, reader: impl AsyncRead + Unpin, process: &str, replica: u32, stream: Stream) {
        let mut reader = BufReader::new(reader);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&buf);
            let line = text.trim_end_matches(['\n', '\r']).to_owned();
            self.push(LogLine { process: process.to_owned(), replica, stream, line, time: SystemTime::now() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_streamed_and_the_buffer_is_bounded() {
        let logs = Logs::new(2);
        let mut rx = logs.subscribe();
        logs.capture(&b"one\ntwo\r\nthree"[..], "api", 1, Stream::Stdout).await;
        let first = rx.recv().await.unwrap();
        assert_eq!(first.to_string(), "api.1 | one");
        assert_eq!(first.to_json()["stream"], "stdout");
        let recent: Vec<String> = logs.recent("api").into_iter().map(|l| l.line).collect();
        assert_eq!(recent, ["two", "three"]);
        assert!(logs.recent("web").is_empty());
    }
}
