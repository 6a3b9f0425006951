//! Capacity: how many worker nodes an environment needs, and which instance class a datastore's
//! `size` means. Shared by `plinth cost` and the Terraform backend, so both size the same cluster.
//!
//! # Node sizing ([`plan`])
//!
//! 1. **Pods.** Every service contributes `replicas` pods requesting its CPU and memory *requests*
//!    (`cpu.low`, `memory.low`): [`Service::min_replicas`] of them at the HPA minimum and
//!    `autoscale.max` (or `replicas` without autoscaling) at the maximum. Every in-cluster datastore
//!    (`hosting: cluster`) adds one pod (its StatefulSet has one replica) with its own requests. The
//!    cluster's own [`SYSTEM_PODS`] (CoreDNS) are added once. Not counted: the extra pods of a
//!    rollout in progress (rolling surge, the blue-green preview that doubles a service, canary
//!    pods), which are transient and are what the headroom of `nodes.max` is for, and add-on
//!    controllers (load balancer controller, External Secrets, Argo Rollouts, cert-manager, Velero,
//!    Prometheus), whose requests depend on how they are installed.
//! 2. **Per-node overhead.** A node offers its *allocatable* resources, computed as EKS's AMI does
//!    (awslabs/amazon-eks-ami `nodeadm/internal/kubelet/config.go` @ 81fec2e, 2026-07-23):
//!    kube-reserved CPU is 6 % of the first core, 1 % of the second, 0.5 % of cores 3–4 and 0.25 %
//!    above; kube-reserved memory is `11 MiB × max pods + 255 MiB`; the hard eviction threshold keeps
//!    another 100 MiB. Max pods is the VPC CNI's `ENIs × (IPv4 per ENI − 1) + 2` (same repository,
//!    `instance-info.jsonl`). Every node also runs the [`DAEMONSETS`] (aws-node, kube-proxy), which
//!    take their requests and two pod slots.
//! 3. **Packing.** Pods are bin-packed *first-fit decreasing* onto identical nodes of the
//!    environment's `nodes.instance_type`: sorted by their largest share of a node (CPU or memory),
//!    each goes to the first node with room for its CPU, memory and a pod slot, else to a new node.
//! 4. **Bounds.** The on-demand group runs at least `nodes.min` nodes, and at least one per zone
//!    when the environment is multi-AZ; the autoscaler never goes above `nodes.max`, so a workload
//!    needing more is reported in [`NodePlan::notes`] (its pods would stay pending).
//! 5. **Spot.** With `nodes.spot`, the services marked `interruptible` are packed separately onto a
//!    spot group of the same instance type, sized by their own need (`nodes.min`/`max` bound the
//!    on-demand group).
//!
//! Instance types outside [`INSTANCE_TYPES`] are not sized from the workload: the plan keeps the
//! spec's bounds and says so.

use serde::Serialize;

use crate::model::{Datastore, Engine, Hosting, Platform, RedisMode, Service};

/// Mebibyte.
const MIB: u64 = 1 << 20;

/// CPU (millicores), memory (bytes) and pod slots: a node's capacity or a set of pods' requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    /// CPU in millicores.
    pub cpu_millis: u64,
    /// Memory in bytes.
    pub memory_bytes: u64,
    /// Pods.
    pub pods: u32,
}

impl Resources {
    fn add(&mut self, cpu_millis: u64, memory_bytes: u64, pods: u32) {
        self.cpu_millis += cpu_millis;
        self.memory_bytes += memory_bytes;
        self.pods += pods;
    }

    fn fits(&self, pod: &Pod) -> bool {
        self.pods >= 1 && self.cpu_millis >= pod.cpu_millis && self.memory_bytes >= pod.memory_bytes
    }

    fn take(&mut self, pod: &Pod) {
        self.cpu_millis -= pod.cpu_millis;
        self.memory_bytes -= pod.memory_bytes;
        self.pods -= 1;
    }
}

/// What plinth knows of an EC2 instance type: its size and how many pods the VPC CNI gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceType {
    /// Name (`m5.large`).
    pub name: &'static str,
    /// vCPUs.
    pub vcpus: u32,
    /// Memory in MiB (the nominal size; the kernel keeps a little more than the kubelet reserves).
    pub memory_mib: u64,
    /// Pods per node: `ENIs × (IPv4 addresses per ENI − 1) + 2`.
    pub max_pods: u32,
}

/// The instance types plinth sizes nodes for: the examples' types and their neighbours.
/// vCPUs and memory are AWS's published sizes; ENIs and addresses per ENI come from
/// awslabs/amazon-eks-ami `nodeadm/internal/kubelet/instance-info.jsonl` @ 81fec2e.
pub const INSTANCE_TYPES: [InstanceType; 8] = [
    InstanceType { name: "t3.medium", vcpus: 2, memory_mib: 4 * 1024, max_pods: 17 }, // 3 ENIs × 6 IPs
    InstanceType { name: "t3.large", vcpus: 2, memory_mib: 8 * 1024, max_pods: 35 },  // 3 × 12
    InstanceType { name: "t3.xlarge", vcpus: 4, memory_mib: 16 * 1024, max_pods: 58 }, // 4 × 15
    InstanceType { name: "m5.large", vcpus: 2, memory_mib: 8 * 1024, max_pods: 29 },  // 3 × 10
    InstanceType { name: "m5.xlarge", vcpus: 4, memory_mib: 16 * 1024, max_pods: 58 }, // 4 × 15
    InstanceType { name: "m5.2xlarge", vcpus: 8, memory_mib: 32 * 1024, max_pods: 58 }, // 4 × 15
    InstanceType { name: "m6i.large", vcpus: 2, memory_mib: 8 * 1024, max_pods: 29 }, // 3 × 10
    InstanceType { name: "m6i.xlarge", vcpus: 4, memory_mib: 16 * 1024, max_pods: 58 }, // 4 × 15
];

/// The instance type called `name`, if plinth knows it.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// The hard eviction threshold EKS's kubelet configuration sets (`memory.available`).
pub const EVICTION_HARD_MIB: u64 = 100;

impl InstanceType {
    /// kube-reserved CPU in millicores: 6 % of the first core, 1 % of the second, 0.5 % of the
    /// third and fourth, 0.25 % of every further core.
    pub fn reserved_cpu_millis(&self) -> u64 {
        let total = u64::from(self.vcpus) * 1000;
        // (range start, range end, hundredths of a percent)
        let ranges = [(0, 1000, 600), (1000, 2000, 100), (2000, 4000, 50), (4000, u64::MAX, 25)];
        ranges
            .iter()
            .filter(|(start, _, _)| total > *start)
            .map(|(start, end, pct)| (total.min(*end) - start) * pct / 10_000)
            .sum()
    }

    /// kube-reserved memory in MiB: `11 × max pods + 255`.
    pub fn reserved_memory_mib(&self) -> u64 {
        11 * u64::from(self.max_pods) + 255
    }

    /// What the kubelet reports as allocatable: capacity − kube-reserved − the eviction threshold.
    pub fn allocatable(&self) -> Resources {
        Resources {
            cpu_millis: u64::from(self.vcpus) * 1000 - self.reserved_cpu_millis(),
            memory_bytes: (self.memory_mib - self.reserved_memory_mib() - EVICTION_HARD_MIB) * MIB,
            pods: self.max_pods,
        }
    }
}

/// A pod to place: a name for the notes and its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    /// What it belongs to (service, datastore or add-on).
    pub name: String,
    /// CPU request in millicores.
    pub cpu_millis: u64,
    /// Memory request in bytes.
    pub memory_bytes: u64,
}

/// DaemonSets on every EKS node: `(name, CPU request in millicores, memory request in bytes)`.
/// aws-node: `resources.requests.cpu: 25m` (aws/amazon-vpc-cni-k8s `charts/aws-vpc-cni/values.yaml`);
/// kube-proxy: the EKS add-on requests `cpu: 100m`. Neither requests memory.
pub const DAEMONSETS: [(&str, u64, u64); 2] = [("aws-node", 25, 0), ("kube-proxy", 100, 0)];

/// Cluster add-on pods placed once per cluster: `(name, count, CPU millicores, memory bytes)`.
/// CoreDNS: two replicas requesting `cpu: 100m, memory: 70Mi` (its upstream and EKS manifests).
pub const SYSTEM_PODS: [(&str, u32, u64, u64); 1] = [("coredns", 2, 100, 70 * MIB)];

/// One group of identical nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeGroup {
    /// Nodes at the HPA minimum, within the bounds.
    pub min_nodes: u32,
    /// Nodes at the HPA maximum, within the bounds.
    pub max_nodes: u32,
    /// Nodes the pods need at the HPA minimum (`None`: instance type unknown).
    pub needed_at_min: Option<u32>,
    /// Nodes the pods need at the HPA maximum (`None`: instance type unknown).
    pub needed_at_max: Option<u32>,
    /// Total requests of the pods placed here at the HPA minimum.
    pub requested_at_min: Resources,
    /// Total requests of the pods placed here at the HPA maximum.
    pub requested_at_max: Resources,
}

/// The worker nodes of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodePlan {
    /// Instance type of every node.
    pub instance_type: String,
    /// Per node: what the kubelet offers (`None`: the instance type is not in [`INSTANCE_TYPES`]).
    pub allocatable: Option<Resources>,
    /// Per node: what the [`DAEMONSETS`] take of it.
    pub daemonsets: Resources,
    /// The on-demand group: everything not on spot.
    pub on_demand: NodeGroup,
    /// The spot group for interruptible services, when the environment allows spot and has some.
    pub spot: Option<NodeGroup>,
    /// What the plan could not satisfy or did not know.
    pub notes: Vec<String>,
}

impl NodePlan {
    /// Nodes of both groups at the HPA minimum.
    pub fn min_nodes(&self) -> u32 {
        self.on_demand.min_nodes + self.spot.as_ref().map_or(0, |g| g.min_nodes)
    }

    /// Nodes of both groups at the HPA maximum.
    pub fn max_nodes(&self) -> u32 {
        self.on_demand.max_nodes + self.spot.as_ref().map_or(0, |g| g.max_nodes)
    }
}

/// The replica count of `service` at the HPA maximum: `autoscale.max`, or `replicas`.
pub fn max_replicas(service: &Service) -> u32 {
    service.autoscale.as_ref().map_or(service.replicas, |a| a.max.max(service.min_replicas()))
}

/// The node plan of `platform` (see the module documentation for the algorithm).
pub fn plan(platform: &Platform) -> NodePlan {
    let nodes = &platform.environment.nodes;
    let known = instance_type(&nodes.instance_type);
    let mut daemonsets = Resources::default();
    for (_, cpu, memory) in DAEMONSETS {
        daemonsets.add(cpu, memory, 1);
    }
    let mut notes = Vec::new();
    let on_spot = |s: &Service| nodes.spot && s.interruptible;

    // The pods of each group at the HPA minimum and maximum.
    let mut regular = (Vec::new(), Vec::new());
    let mut spot = (Vec::new(), Vec::new());
    for service in &platform.services {
        let (at_min, at_max) = if on_spot(service) { &mut spot } else { &mut regular };
        let pod = Pod { name: service.name.clone(), cpu_millis: service.cpu.low.0, memory_bytes: service.memory.low.0 };
        at_min.extend(std::iter::repeat_n(pod.clone(), service.min_replicas() as usize));
        at_max.extend(std::iter::repeat_n(pod, max_replicas(service) as usize));
    }
    for ds in platform.datastores.iter().filter(|d| d.hosting == Hosting::Cluster && d.engine != Engine::Bucket) {
        let pod = Pod { name: ds.name.clone(), cpu_millis: ds.cpu.low.0, memory_bytes: ds.memory.low.0 };
        regular.0.push(pod.clone());
        regular.1.push(pod);
    }
    for (name, count, cpu, memory) in SYSTEM_PODS {
        let pod = Pod { name: name.to_owned(), cpu_millis: cpu, memory_bytes: memory };
        for _ in 0..count {
            regular.0.push(pod.clone());
            regular.1.push(pod.clone());
        }
    }

    let room = known.map(|t| {
        let allocatable = t.allocatable();
        Resources {
            cpu_millis: allocatable.cpu_millis.saturating_sub(daemonsets.cpu_millis),
            memory_bytes: allocatable.memory_bytes.saturating_sub(daemonsets.memory_bytes),
            pods: allocatable.pods.saturating_sub(daemonsets.pods),
        }
    });
    let mut need = |pods: &[Pod]| {
        let room = room?;
        let packed = pack(pods, room);
        for name in packed.oversized {
            let note = format!(
                "a `{name}` pod requests more than one {} node offers: it cannot be scheduled",
                nodes.instance_type
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        Some(packed.nodes)
    };
    let (regular_min, regular_max) = (need(&regular.0), need(&regular.1));
    let spot_need = (!spot.1.is_empty()).then(|| (need(&spot.0), need(&spot.1)));

    let zones =
        if platform.environment.multi_az { u32::try_from(platform.cloud.zones.len()).unwrap_or(u32::MAX) } else { 1 };
    let floor = nodes.min.max(zones).min(nodes.max.max(zones));
    let ceiling = nodes.max.max(floor);
    let min_nodes = regular_min.map_or(floor, |n| n.clamp(floor, ceiling));
    let max_nodes = regular_max.map_or(ceiling, |n| n.clamp(min_nodes, ceiling));
    if let Some(needed) = regular_max.filter(|n| *n > ceiling) {
        notes.push(format!(
            "at the HPA maximum the pods need {needed} {} nodes but `nodes.max` is {ceiling}: some would stay pending",
            nodes.instance_type
        ));
    }
    if known.is_none() {
        notes.push(format!(
            "instance type {} is not in plinth's table of allocatable resources: nodes are not sized from the \
             workload; the group keeps `nodes.min`..`nodes.max`",
            nodes.instance_type
        ));
    }
    let on_demand = NodeGroup {
        min_nodes,
        max_nodes,
        needed_at_min: regular_min,
        needed_at_max: regular_max,
        requested_at_min: total(&regular.0),
        requested_at_max: total(&regular.1),
    };
    let spot = spot_need.map(|(at_min, at_max)| {
        let min_nodes = at_min.unwrap_or(1).max(1);
        NodeGroup {
            min_nodes,
            max_nodes: at_max.unwrap_or(min_nodes).max(min_nodes),
            needed_at_min: at_min,
            needed_at_max: at_max,
            requested_at_min: total(&spot.0),
            requested_at_max: total(&spot.1),
        }
    });
    NodePlan {
        instance_type: nodes.instance_type.clone(),
        allocatable: known.map(InstanceType::allocatable),
        daemonsets,
        on_demand,
        spot,
        notes,
    }
}

fn total(pods: &[Pod]) -> Resources {
    let mut sum = Resources::default();
    for pod in pods {
        sum.add(pod.cpu_millis, pod.memory_bytes, 1);
    }
    sum
}

/// The result of [`pack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packing {
    /// Nodes used.
    pub nodes: u32,
    /// Names of pods larger than an empty node (each was given a node of its own and counted).
    pub oversized: Vec<String>,
}

/// First-fit decreasing: sorts `pods` by their largest share of `room` (a node's CPU or memory,
/// ties by CPU, memory and name), then puts each on the first node with room for it, opening a new
/// node when none has. A pod larger than an empty node gets a node of its own and is reported.
pub fn pack(pods: &[Pod], room: Resources) -> Packing {
    // Compare shares exactly: cpu/room.cpu against memory/room.memory, over the common denominator.
    let share = |pod: &Pod| {
        let cpu = u128::from(pod.cpu_millis) * u128::from(room.memory_bytes);
        let memory = u128::from(pod.memory_bytes) * u128::from(room.cpu_millis);
        cpu.max(memory)
    };
    let mut sorted: Vec<&Pod> = pods.iter().collect();
    sorted.sort_by(|a, b| {
        share(b)
            .cmp(&share(a))
            .then(b.cpu_millis.cmp(&a.cpu_millis))
            .then(b.memory_bytes.cmp(&a.memory_bytes))
            .then(a.name.cmp(&b.name))
    });
    let mut free: Vec<Resources> = Vec::new();
    let mut oversized = Vec::new();
    for pod in sorted {
        if let Some(node) = free.iter_mut().find(|node| node.fits(pod)) {
            node.take(pod);
        } else if room.fits(pod) {
            let mut node = room;
            node.take(pod);
            free.push(node);
        } else {
            free.push(Resources::default());
            oversized.push(pod.name.clone());
        }
    }
    Packing { nodes: u32::try_from(free.len()).unwrap_or(u32::MAX), oversized }
}

/// The instance class a managed datastore runs on: its `size` when that is a class
/// (`db.r6g.large`, `cache.t3.micro`), else the size word mapped per engine:
///
/// | size | postgres (RDS) | redis (ElastiCache) |
/// | --- | --- | --- |
/// | `small` | `db.t3.medium` | `cache.t3.small` |
/// | `medium` | `db.t3.large` | `cache.t3.medium` |
/// | `large` | `db.r6g.large` | `cache.r6g.large` |
/// | `xlarge` | `db.r6g.xlarge` | `cache.r6g.xlarge` |
///
/// Burstable classes for the two smaller words (development and staging), memory-optimised
/// Graviton classes for the larger (seed 002 runs production PostgreSQL on `db.r6g.large`).
/// Buckets have no class (`None`).
pub fn datastore_class(ds: &Datastore) -> Option<String> {
    let table: [(&str, &str); 4] = match ds.engine {
        Engine::Postgres => [
            ("small", "db.t3.medium"),
            ("medium", "db.t3.large"),
            ("large", "db.r6g.large"),
            ("xlarge", "db.r6g.xlarge"),
        ],
        Engine::Redis => [
            ("small", "cache.t3.small"),
            ("medium", "cache.t3.medium"),
            ("large", "cache.r6g.large"),
            ("xlarge", "cache.r6g.xlarge"),
        ],
        Engine::Bucket => return None,
    };
    Some(
        table
            .iter()
            .find(|(word, _)| *word == ds.size)
            .map_or_else(|| ds.size.clone(), |(_, class)| (*class).to_owned()),
    )
}

/// The nodes of a managed Redis (ElastiCache): one per shard (`cluster` mode) or one, each with
/// its `replicas`; Multi-AZ failover needs a replica, so a Multi-AZ Redis without one gets one.
pub fn cache_nodes(ds: &Datastore) -> u32 {
    let replicas = if ds.multi_az && ds.mode != RedisMode::Standalone { ds.replicas.max(1) } else { ds.replicas };
    let shards = if ds.mode == RedisMode::Cluster { ds.shards.max(1) } else { 1 };
    shards * (1 + replicas)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile;

    fn platform(yaml: &str, env: &str) -> Platform {
        let compiled = compile(yaml);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platform(env).unwrap().clone()
    }

    fn pod(name: &str, cpu_millis: u64, memory_mib: u64) -> Pod {
        Pod { name: name.to_owned(), cpu_millis, memory_bytes: memory_mib * MIB }
    }

    #[test]
    fn allocatable_follows_the_eks_formulas() {
        let t3 = instance_type("t3.medium").unwrap();
        // 2 vCPU: 60m (6 % of core 1) + 10m (1 % of core 2); 11 × 17 + 255 = 442 MiB.
        assert_eq!((t3.reserved_cpu_millis(), t3.reserved_memory_mib()), (70, 442));
        assert_eq!(t3.allocatable(), Resources { cpu_millis: 1930, memory_bytes: (4096 - 442 - 100) * MIB, pods: 17 });
        let m5 = instance_type("m5.xlarge").unwrap();
        // 4 vCPU: 60 + 10 + 2 × 5 = 80m; 11 × 58 + 255 = 893 MiB.
        assert_eq!((m5.reserved_cpu_millis(), m5.reserved_memory_mib()), (80, 893));
        assert_eq!(m5.allocatable().memory_bytes, 15_391 * MIB);
        // 8 vCPU: 80 + 4 × 2.5 = 90m.
        assert_eq!(instance_type("m5.2xlarge").unwrap().reserved_cpu_millis(), 90);
    }

    #[test]
    fn first_fit_decreasing_packs_large_pods_first() {
        let room = Resources { cpu_millis: 1000, memory_bytes: 1000 * MIB, pods: 10 };
        // Sorted by share: a (60 %), b (50 % of memory), c (40 %), d (30 %), e (10 %).
        // Node 1: a, b (300m, 400 MiB left), then d fills its CPU; node 2: c, e.
        let pods = [pod("e", 100, 100), pod("c", 400, 100), pod("a", 600, 100), pod("d", 300, 100), pod("b", 100, 500)];
        assert_eq!(pack(&pods, room), Packing { nodes: 2, oversized: vec![] });
        // Pod slots bind too: three tiny pods on nodes with two slots need two nodes.
        let slots = Resources { pods: 2, ..room };
        assert_eq!(pack(&[pod("x", 1, 1), pod("x", 1, 1), pod("x", 1, 1)], slots).nodes, 2);
        // A pod larger than a node gets its own and is reported.
        assert_eq!(pack(&[pod("huge", 2000, 1)], room), Packing { nodes: 1, oversized: vec!["huge".to_owned()] });
    }

    const SHOP: &str = "plinth: 1\nname: shop\nservices:\n  web:\n    image: ghcr.io/shop/web\n    replicas: 4\n    resources: { cpu: 500m..1, memory: 1Gi..2Gi }\n    autoscale: { max: 8, cpu: 70% }\n  worker:\n    image: ghcr.io/shop/worker\n    replicas: 2\n    interruptible: true\n    resources: { cpu: 1000m, memory: 1Gi }\nenvironments:\n  staging:\n    nodes: { min: 1, max: 10, instance_type: t3.medium }\n  production:\n    multi_az: true\n    nodes: { min: 1, max: 4, instance_type: t3.medium, spot: true }\n";

    #[test]
    fn nodes_at_the_hpa_minimum_and_maximum() {
        let plan = plan(&platform(SHOP, "staging"));
        // A t3.medium offers pods 1930m − 125m (DaemonSets) = 1805m, 3554 MiB and 15 slots.
        // Minimum: web 4 × (500m, 1 GiB), worker 2 × (1000m, 1 GiB), CoreDNS 2 × (100m, 70 MiB).
        // Sorted by share: worker, worker (1000/1805 = 0.55), web × 4 (1024/3554 = 0.29), CoreDNS.
        // Node 1: worker + web (305m left); node 2: worker + web; node 3: web + web; CoreDNS × 2 on node 1.
        let group = &plan.on_demand;
        assert_eq!(group.needed_at_min, Some(3));
        // Maximum: web 8: nodes 1–2 as above, then web × 6 three per node (1500m) on nodes 3–4.
        assert_eq!(group.needed_at_max, Some(4));
        assert_eq!((group.min_nodes, group.max_nodes), (3, 4));
        assert_eq!(
            group.requested_at_min,
            Resources { cpu_millis: 4 * 500 + 2 * 1000 + 2 * 100, memory_bytes: (6 * 1024 + 140) * MIB, pods: 8 }
        );
        assert!(plan.spot.is_none() && plan.notes.is_empty(), "{plan:#?}");
    }

    #[test]
    fn spot_group_zones_and_ceiling() {
        let plan = plan(&platform(SHOP, "production"));
        // On demand: web 4 (+ CoreDNS) → 2 nodes (3 webs + CoreDNS fill node 1), but 3 zones → 3.
        assert_eq!(plan.on_demand.needed_at_min, Some(2));
        assert_eq!(plan.on_demand.min_nodes, 3);
        // At the maximum, web 8 → 3 nodes; within `max: 4`.
        assert_eq!(plan.on_demand.max_nodes, 3);
        // Spot: worker 2 × 1000m → one per node.
        let spot = plan.spot.as_ref().unwrap();
        assert_eq!((spot.min_nodes, spot.max_nodes), (2, 2));
        assert_eq!((plan.min_nodes(), plan.max_nodes()), (5, 5));
    }

    #[test]
    fn a_workload_above_the_ceiling_is_reported() {
        let spec =
            SHOP.replace("autoscale: { max: 8", "autoscale: { max: 40").replace("min: 1, max: 10", "min: 1, max: 5");
        let plan = plan(&platform(&spec, "staging"));
        assert_eq!(plan.on_demand.max_nodes, 5);
        assert!(plan.notes[0].contains("need 15 t3.medium nodes but `nodes.max` is 5"), "{:?}", plan.notes);
    }

    #[test]
    fn unknown_instance_types_keep_the_bounds() {
        let plan = plan(&platform(&SHOP.replace("t3.medium }\n  production", "x9.huge }\n  production"), "staging"));
        assert_eq!((plan.on_demand.min_nodes, plan.on_demand.max_nodes, plan.allocatable), (1, 10, None));
        assert!(plan.notes[0].contains("x9.huge is not in plinth's table"));
    }

    #[test]
    fn in_cluster_datastores_take_node_capacity() {
        let spec = "plinth: 1\nname: pal\nservices:\n  web: { image: ghcr.io/pal/web, replicas: 1, uses: [db] }\ndatastores:\n  db: { engine: postgres, hosting: cluster, resources: { cpu: 1500m, memory: 3Gi } }\nenvironments:\n  staging: { nodes: { min: 1, max: 3, instance_type: t3.medium } }\n";
        let plan = plan(&platform(spec, "staging"));
        // db (1500m, 3 GiB) fills node 1; web (100m, 128 MiB) and CoreDNS fit beside it? 305m and
        // 482 MiB are left: web (100m) + CoreDNS (100m, 100m) need 300m, 268 MiB → all on node 1.
        assert_eq!(plan.on_demand.needed_at_min, Some(1));
        assert_eq!(plan.on_demand.requested_at_min.cpu_millis, 1500 + 100 + 200);
    }

    #[test]
    fn size_words_map_to_classes() {
        let spec = "plinth: 1\nname: s\nservices:\n  web: { image: ghcr.io/s/web, uses: [db, cache] }\ndatastores:\n  db: { engine: postgres, size: medium }\n  cache: { engine: redis, mode: replication, multi_az: true }\n  other: { engine: postgres, size: db.r5.large }\nenvironments:\n  production: {}\n";
        let platform = platform(spec, "production");
        let class = |name: &str| datastore_class(platform.datastore(name).unwrap());
        assert_eq!(class("db").as_deref(), Some("db.t3.large"));
        assert_eq!(class("cache").as_deref(), Some("cache.r6g.large")); // production default `large`
        assert_eq!(class("other").as_deref(), Some("db.r5.large"));
        // Multi-AZ replication without replicas gets one: 2 nodes.
        assert_eq!(cache_nodes(platform.datastore("cache").unwrap()), 2);
    }
}
