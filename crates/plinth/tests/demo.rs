//! `plinth demo` through the built binary: configured by the environment and flags, it names its
//! bound address on the first stdout line, answers, logs each request as JSON, and exits 0 on
//! SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The variables `plinth demo` reads, removed so the caller's environment cannot leak in.
const VARIABLES: [&str; 9] =
    ["HOST", "PORT", "SERVICE_NAME", "VERSION", "COLOR", "DATABASE_URL", "REDIS_URL", "ERROR_RATE", "LATENCY"];

fn demo(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plinth"));
    command.arg("demo").args(args);
    for name in VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command
}

/// A child killed when dropped (the test failed before it stopped it).
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over a plain socket; the raw response.
fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: cli-test\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn demo_names_its_address_answers_logs_and_exits_0_on_sigterm() {
    let env = [("PORT", "0"), ("SERVICE_NAME", "api"), ("VERSION", "v9"), ("COLOR", "red")];
    let mut guard = Guard(demo(&["--color", "green"], &env).stdout(Stdio::piped()).spawn().unwrap());
    let stdout = BufReader::new(guard.0.stdout.take().unwrap());
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines() {
            let _ = lines.send(line.unwrap());
        }
    });
    let next = || -> Value {
        let line = received.recv_timeout(Duration::from_secs(20)).expect("a log line in time");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };

    let listening = next();
    assert_eq!(listening["msg"], "listening");
    let address = listening["address"].as_str().unwrap().to_owned();
    assert!(address.starts_with("127.0.0.1:") && !address.ends_with(":0"), "{address}");

    let response = get(&address, "/");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let info: Value = serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!((&info["service"], &info["version"]), (&"api".into(), &"v9".into()));
    assert_eq!(info["color"], "green", "flags override the environment");

    let logged = next();
    assert_eq!((&logged["method"], &logged["path"], &logged["status"]), (&"GET".into(), &"/".into(), &200.into()));
    assert_eq!(logged["request_id"], "cli-test");
    assert!(logged["duration_ms"].is_f64() && logged["time"].is_string(), "{logged}");

    let kill = Command::new("kill").arg("-TERM").arg(guard.0.id().to_string()).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn demo_refuses_bad_settings_with_exit_2() {
    let output = demo(&["--port", "0"], &[("ERROR_RATE", "2")]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error_rate must be between 0 and 1"));
    let output = demo(&["--port", "0", "--latency", "soon"], &[]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
}

#[test]
fn demo_help_lists_variables_and_examples() {
    let output = demo(&["--help"], &[("DATABASE_URL", "postgres://user:secret@db/app")]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in ["[env: PORT=]", "[env: DATABASE_URL]", "/chaos", "Examples:", "plinth demo --port 8080"] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
    assert!(!help.contains("secret"), "URLs with passwords are not echoed");
}
