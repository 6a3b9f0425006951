//! No orphans when plinth is SIGKILLed: this test re-executes itself as a supervisor of a few
//! children (one of which starts a grandchild in its process group), SIGKILLs that process and
//! checks through /proc that every child is gone within two seconds. The grandchild is outside
//! PR_SET_PDEATHSIG's reach (documented in the crate's docs); it is reported and cleaned up here.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{alive, shell};
use plinth_runtime::{PortAllocator, Supervisor, SupervisorOptions};

/// Set in the re-executed process.
const ROLE: &str = "PLINTH_ORPHANS_SUPERVISOR";

fn main() {
    if std::env::var_os(ROLE).is_some() {
        supervise();
    } else {
        check();
    }
}

/// The supervisor: prints `child <pid>` per child and `grandchild <pid>`, then `ready`, then waits.
fn supervise() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let supervisor = Supervisor::new(SupervisorOptions::default(), PortAllocator::default());
        let mut logs = supervisor.subscribe_logs();
        supervisor.add(shell("sleeper", "exec sleep 300")).unwrap();
        supervisor.add(shell("ignores-term", "trap '' TERM; exec sleep 300")).unwrap();
        supervisor.add(shell("parent", "sleep 300 & echo grandchild $!; wait")).unwrap();
        let grandchild = loop {
            let line = logs.recv().await.unwrap();
            if let Some(pid) = line.line.strip_prefix("grandchild ") {
                break pid.to_owned();
            }
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while supervisor.snapshot().iter().filter(|s| s.pid.is_some()).count() < 3 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for status in supervisor.snapshot() {
            println!("child {}", status.pid.unwrap());
        }
        println!("grandchild {grandchild}");
        println!("ready");
        std::future::pending::<()>().await;
    });
}

fn check() {
    let started = Instant::now();
    let mut supervisor = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the test re-executes itself");
    let mut children = Vec::new();
    let mut grandchild = None;
    for line in BufReader::new(supervisor.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        match line.split_once(' ') {
            Some(("child", pid)) => children.push(pid.parse::<u32>().unwrap()),
            Some(("grandchild", pid)) => grandchild = Some(pid.parse::<u32>().unwrap()),
            _ if line == "ready" => break,
            _ => {}
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the supervisor did not get ready");
    }
    assert_eq!(children.len(), 3, "three children: {children:?}");
    assert!(children.iter().all(|pid| alive(*pid)));

    supervisor.kill().unwrap(); // SIGKILL
    supervisor.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while children.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<u32> = children.iter().copied().filter(|pid| alive(*pid)).collect();
    if let Some(pid) = grandchild.filter(|pid| alive(*pid)) {
        println!("grandchild {pid} outlived the SIGKILLed supervisor, as documented; killing it");
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    }
    assert!(left.is_empty(), "children outlived the SIGKILLed supervisor: {left:?}");
    println!("test no_child_outlives_a_sigkilled_supervisor ... ok ({:?})", started.elapsed());
}
