//! PL-K8S-011 `container-runtime-socket`: pods do not mount the container runtime's socket.

use super::common::host_paths;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// The sockets of Docker, containerd, CRI-O and cri-dockerd (as path suffixes).
const SOCKET_NAMES: &[&str] = &["/docker.sock", "/containerd.sock", "/crio.sock", "/cri-dockerd.sock"];

/// The directories holding those sockets, and the runtimes' state.
const SOCKET_DIRECTORIES: &[&str] = &[
    "/var/run",
    "/run",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/docker",
    "/var/lib/containerd",
];

/// Pods must not mount a container runtime socket through a `hostPath`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-011",
        name: "container-runtime-socket",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Pods do not mount the Docker, containerd or CRI-O socket",
        doc: r#"No `hostPath` volume mounts a container runtime's socket (`docker.sock`,
`containerd.sock`, `crio.sock`, `cri-dockerd.sock`), the directories that hold them (`/run`,
`/var/run`, `/run/containerd`…) or the runtime's state (`/var/lib/docker`,
`/var/lib/containerd`). Any path ending in one of those socket names counts too.

## Why
Whoever can talk to the runtime can start a privileged container with the host's root
filesystem mounted: the socket is root on the node.

## Fix
Remove the volume. Build images with a daemonless builder (BuildKit rootless, Kaniko) and let
node agents that need the runtime be installed and reviewed separately.
```yaml
volumes:
  - name: workspace
    emptyDir: {}
```

## References
- Kubernetes: Securing a Cluster, "Controlling access to the Kubelet and the runtime"
"#,
        equivalents: &[
            "checkov:CKV_K8S_27",
            "kube-linter:docker-sock",
            "polaris:hostPathSet",
            "trivy:KSV-0006",
            "kubescape:C-0074",
        ],
    },
    check,
};

/// Flags `hostPath` volumes on a runtime socket or its directory.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for host in host_paths(object) {
        let path = host.path.trim_end_matches('/');
        let socket = SOCKET_DIRECTORIES.contains(&path) || SOCKET_NAMES.iter().any(|name| path.ends_with(name));
        if socket {
            hits.push(Hit::new(
                host.pointer,
                format!(
                    "volume \"{}\" of {} mounts the container runtime's socket ({})",
                    host.volume,
                    object.display(),
                    host.path
                ),
            ));
        }
    }
}
