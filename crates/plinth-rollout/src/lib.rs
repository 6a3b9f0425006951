//! Pure decisions of progressive delivery, shared by `plinth rollout --dry-run` and (later) the
//! local rollout engine: the phases an update of a service goes through, the pods each version
//! runs in every phase, how long the strategy makes the update take at least, and what happens
//! on failure. Semantics follow Argo Rollouts (`shared/research/platform-anchors.md` §2) and
//! Kubernetes Deployments for rolling updates; this crate does no IO.
//!
//! Rules implemented:
//! - **Pods at a canary weight.** With traffic routing (the service is exposed through the
//!   ingress) the weight is exact, the canary runs `ceil(replicas × weight / 100)` pods and the
//!   stable version stays fully scaled. Without it the weight is approximated by pod counts
//!   ([`canary_replicas_with_surge`]: nearest share, ties rounded up, total `replicas` or, when a
//!   surge is allowed and strictly closer, `replicas + 1`).
//! - **Surge and unavailability** resolve against `replicas`: `maxSurge` rounds up,
//!   `maxUnavailable` down, both 0 → 1 unavailable ([`fenceposts`]). A rolling update takes
//!   `ceil(replicas / (surge + unavailable))` waves.
//! - **Analysis durations.** Argo takes the first measurement when the run starts and the next
//!   one `interval` after the previous, so `count` measurements take `(count − 1) × interval`
//!   (5 at 1m: 4m). A background analysis measures until the promotion and adds no time. Smoke
//!   checks are one Job (0 minimum, at most 5m). A metric fails when its failed measurements
//!   exceed `failure_limit`, i.e. on failure `failure_limit + 1`.
//! - **Minimum durations** count only what the strategy waits for: timed pauses, analyses and a
//!   timed blue-green promotion. Pod start-up adds to every scaling phase; a manual gate
//!   (`pause: manual`, blue-green without auto promotion) is open-ended and counted as 0, with
//!   the number of gates reported. The old version's scale-down delay comes after the promotion
//!   and is not counted.

mod replicas;

use plinth_spec::model::{Service, Step, Strategy};
use plinth_spec::units::Duration;
use serde::{Serialize, Serializer};

pub use replicas::{
    canary_replicas, canary_replicas_with_surge, fenceposts, rolling_waves, routed_canary_replicas, surge, unavailable,
};

/// The analysis template that runs a service's smoke checks (the renderer's name for it).
pub const SMOKE: &str = "smoke";

/// The longest a smoke-check Job may run (its `activeDeadlineSeconds`).
pub const SMOKE_DEADLINE: Duration = Duration(300_000);

/// Argo's default `scaleDownDelaySeconds` for a canary with traffic routing: the old pods stay
/// this long after the promotion.
pub const CANARY_SCALE_DOWN_DELAY: Duration = Duration(30_000);

/// How a service is updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Kubernetes rolling update.
    Rolling,
    /// Two full versions; the active Service switches at once.
    BlueGreen,
    /// Traffic shifts to the new version in steps.
    Canary,
}

/// The update of one service, phase by phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Service name.
    pub service: String,
    /// Strategy.
    pub strategy: Kind,
    /// Replicas the plan counts with (`spec.replicas`).
    pub replicas: u32,
    /// Canary only: the ingress sets exact weights (the service is exposed).
    pub traffic_routing: bool,
    /// Extra pods allowed during the update, resolved (rolling and basic canary only).
    pub max_surge: Option<u32>,
    /// Pods allowed to be unavailable during the update, resolved (rolling and basic canary only).
    pub max_unavailable: Option<u32>,
    /// The phases in order.
    pub phases: Vec<Phase>,
    /// Canary: the analysis that runs alongside the steps.
    pub background: Option<Background>,
    /// The least time the update takes: the sum of the phases' minimum durations.
    #[serde(rename = "min_duration_seconds", serialize_with = "seconds")]
    pub min_duration: Duration,
    /// Manual gates (each waits for `plinth rollout promote`); with any, the duration is open-ended.
    pub manual_gates: u32,
    /// An update that makes no progress for this long fails (pauses excepted).
    #[serde(rename = "progress_deadline_seconds", serialize_with = "seconds")]
    pub progress_deadline: Duration,
    /// What a failure does.
    pub on_failure: String,
    /// Caveats worth knowing (first deploy, autoscaling, inconclusive measurements, rollback window).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether the duration is open-ended (some phase waits for a human).
    pub fn open_ended(&self) -> bool {
        self.manual_gates > 0
    }
}

/// One phase of an update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// Earliest start after the update begins (manual gates before it counted as 0).
    #[serde(rename = "start_seconds", serialize_with = "seconds")]
    pub start: Duration,
    /// The least time the phase takes.
    #[serde(rename = "min_duration_seconds", serialize_with = "seconds")]
    pub min_duration: Duration,
    /// Manual gates before this phase: its start is that many promotions later.
    pub after_manual_gates: u32,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
}

/// What a phase does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// Canary: send `weight` % of the traffic to the new version.
    SetWeight {
        /// Traffic share of the new version.
        weight: u32,
        /// Pods of the new version.
        canary_pods: u32,
        /// Pods of the stable version.
        stable_pods: u32,
    },
    /// Canary: wait `duration`, or (`None`) until `plinth rollout promote`.
    Pause {
        /// How long; `None` is a manual gate.
        #[serde(rename = "duration_seconds", serialize_with = "optional_seconds")]
        duration: Option<Duration>,
    },
    /// Run an analysis; the phase ends when it succeeds.
    Analysis(AnalysisRun),
    /// Canary: after the last step the new version takes all traffic and becomes stable.
    Promote {
        /// Pods of the new version.
        pods: u32,
        /// The old pods are removed this long after the promotion.
        #[serde(rename = "scale_down_delay_seconds", serialize_with = "seconds")]
        scale_down_delay: Duration,
    },
    /// Blue-green: start the new version behind the preview Service; the active one is untouched.
    ScalePreview {
        /// The preview Service.
        service: String,
        /// Pods of the new version.
        pods: u32,
    },
    /// Blue-green: wait before switching, `after` a delay or (`None`) for `plinth rollout promote`.
    AwaitPromotion {
        /// Automatic promotion delay; `None` is a manual gate.
        #[serde(rename = "after_seconds", serialize_with = "optional_seconds")]
        after: Option<Duration>,
    },
    /// Blue-green: the active Service selects the new version; it takes all traffic at once.
    SwitchActive {
        /// The active Service.
        service: String,
    },
    /// Blue-green: remove the old version `delay` after the promotion completed (the switch, and the
    /// post-promotion analysis if any); until then a rollback is instant.
    ScaleDownOld {
        /// Pods removed.
        pods: u32,
        /// Delay after the promotion completed.
        #[serde(rename = "delay_seconds", serialize_with = "seconds")]
        delay: Duration,
    },
    /// Rolling: one wave of pod replacements.
    Wave {
        /// 1-based wave number.
        wave: u32,
        /// Number of waves.
        waves: u32,
        /// Pods of the new version once the wave is done.
        new_pods: u32,
        /// Pods of the old version left.
        old_pods: u32,
        /// At most this many pods run meanwhile (`replicas + maxSurge`).
        max_pods: u32,
        /// At least this many stay available (`replicas − maxUnavailable`).
        min_available: u32,
    },
}

/// When an analysis runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// A canary step.
    Step,
    /// Canary smoke checks after the first weight.
    Smoke,
    /// Canary: throughout the steps.
    Background,
    /// Blue-green: against the preview, before the switch.
    PrePromotion,
    /// Blue-green: after the switch.
    PostPromotion,
}

/// One AnalysisRun: its templates and how many measurements it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisRun {
    /// When it runs.
    pub stage: Stage,
    /// Templates, `smoke` first when smoke checks run.
    pub templates: Vec<String>,
    /// The smoke checks (`GET /health`) when `smoke` is among the templates.
    pub smoke_checks: Vec<String>,
    /// Measurements of each SLO metric; `None` until the promotion (background), `Some(0)` for
    /// smoke checks alone.
    pub measurements: Option<u32>,
    /// Time between measurements.
    #[serde(rename = "interval_seconds", serialize_with = "seconds")]
    pub interval: Duration,
    /// Failed measurements tolerated; the next one fails the metric.
    pub failure_limit: u32,
    /// What a failure does.
    pub on_failure: String,
}

impl AnalysisRun {
    /// The SLO templates (everything but the smoke checks).
    pub fn slo_templates(&self) -> impl Iterator<Item = &str> {
        self.templates.iter().map(String::as_str).filter(|t| *t != SMOKE)
    }

    /// Whether the smoke checks run.
    pub fn has_smoke(&self) -> bool {
        self.templates.iter().any(|t| t == SMOKE)
    }

    /// The least time it takes to succeed: `(measurements − 1) × interval`; 0 for smoke checks
    /// alone and for a background analysis.
    pub fn min_duration(&self) -> Duration {
        match self.measurements {
            Some(count) if self.slo_templates().next().is_some() => measurement_span(count, self.interval),
            _ => Duration(0),
        }
    }
}

/// The analysis that runs alongside a canary's steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Background {
    /// Offset at which it starts.
    #[serde(rename = "start_seconds", serialize_with = "seconds")]
    pub start: Duration,
    /// It starts once the first weight is set (Argo `startingStep: 1`), not with the update.
    pub after_first_weight: bool,
    /// The run.
    #[serde(flatten)]
    pub analysis: AnalysisRun,
}

/// The time `count` measurements take: the first is immediate, each next one `interval` later.
pub fn measurement_span(count: u32, interval: Duration) -> Duration {
    Duration(interval.0.saturating_mul(u64::from(count.saturating_sub(1))))
}

/// The plan of an update of `service`; traffic routing when the service is exposed through the
/// ingress (as the Kubernetes backend renders it).
pub fn plan(service: &Service) -> Plan {
    plan_with(service, !service.expose.is_empty())
}

/// The plan of an update of `service`, with or without traffic routing for a canary (a local
/// gateway routes every service by exact weights).
pub fn plan_with(service: &Service, traffic_routing: bool) -> Plan {
    let delivery = &service.delivery;
    let mut plan = Plan {
        service: service.name.clone(),
        strategy: Kind::Rolling,
        replicas: service.replicas,
        traffic_routing: false,
        max_surge: None,
        max_unavailable: None,
        phases: Vec::new(),
        background: None,
        min_duration: Duration(0),
        manual_gates: 0,
        progress_deadline: delivery.progress_deadline,
        on_failure: String::new(),
        notes: Vec::new(),
    };
    let mut timeline = Timeline { at: Duration(0), gates: 0, phases: Vec::new() };
    match delivery.strategy {
        Strategy::Rolling => rolling(service, &mut plan, &mut timeline),
        Strategy::BlueGreen => blue_green(service, &mut plan, &mut timeline),
        Strategy::Canary => canary(service, traffic_routing, &mut plan, &mut timeline),
    }
    plan.phases = timeline.phases;
    plan.min_duration = timeline.at;
    plan.manual_gates = timeline.gates;
    plan.notes = notes(service, &plan);
    plan
}

/// Phases with their offsets as they are appended.
struct Timeline {
    at: Duration,
    gates: u32,
    phases: Vec<Phase>,
}

impl Timeline {
    fn push(&mut self, action: Action, min_duration: Duration) {
        let manual = matches!(action, Action::Pause { duration: None } | Action::AwaitPromotion { after: None });
        self.phases.push(Phase { start: self.at, min_duration, after_manual_gates: self.gates, action });
        self.at = Duration(self.at.0.saturating_add(min_duration.0));
        if manual {
            self.gates += 1;
        }
    }

    fn analysis(&mut self, run: AnalysisRun) {
        let min = run.min_duration();
        self.push(Action::Analysis(run), min);
    }
}

fn run(service: &Service, stage: Stage, templates: &[String], on_failure: &str) -> AnalysisRun {
    let settings = &service.delivery.analysis;
    let smoke = templates.iter().any(|t| t == SMOKE);
    let slo = templates.iter().any(|t| t != SMOKE);
    AnalysisRun {
        stage,
        templates: templates.to_vec(),
        smoke_checks: if smoke { service.delivery.smoke.clone() } else { Vec::new() },
        measurements: match stage {
            Stage::Background => None,
            _ if slo => Some(settings.count),
            _ => Some(0),
        },
        interval: settings.interval,
        failure_limit: settings.failure_limit,
        on_failure: on_failure.to_owned(),
    }
}

fn canary(service: &Service, traffic_routing: bool, plan: &mut Plan, timeline: &mut Timeline) {
    let delivery = &service.delivery;
    let replicas = service.replicas;
    plan.strategy = Kind::Canary;
    plan.traffic_routing = traffic_routing;
    let (surge, unavailable) = fenceposts(delivery.max_surge, delivery.max_unavailable, replicas);
    if !traffic_routing {
        plan.max_surge = Some(surge);
        plan.max_unavailable = Some(unavailable);
    }
    let abort = if traffic_routing {
        "abort: weight back to 0, the canary scales down, the rollout is Degraded"
    } else {
        "abort: the canary scales to 0 and the stable version back to full, the rollout is Degraded"
    };
    plan.on_failure = if traffic_routing {
        "abort — traffic returns to the stable version (weight 0), the new ReplicaSet scales down, the rollout is \
         Degraded"
            .to_owned()
    } else {
        format!(
            "abort — the stable version scales back to {replicas} pods and the new ReplicaSet to 0, the rollout is \
             Degraded"
        )
    };
    let first_weight = delivery.first_weight_step();
    for (idx, step) in delivery.steps.iter().enumerate() {
        match step {
            Step::Weight(weight) => {
                let (canary_pods, stable_pods) = if traffic_routing {
                    routed_canary_replicas(replicas, *weight)
                } else {
                    canary_replicas_with_surge(replicas, *weight, surge)
                };
                timeline.push(Action::SetWeight { weight: *weight, canary_pods, stable_pods }, Duration(0));
                // Smoke checks run right after the first step that sets a weight.
                if Some(idx) == first_weight && !delivery.smoke.is_empty() {
                    timeline.analysis(run(service, Stage::Smoke, &[SMOKE.to_owned()], abort));
                }
            }
            Step::Pause(duration) => {
                timeline.push(Action::Pause { duration: *duration }, duration.unwrap_or(Duration(0)));
            }
            Step::Analysis(templates) => timeline.analysis(run(service, Stage::Step, templates, abort)),
        }
    }
    if !delivery.analysis.background.is_empty() {
        plan.background = Some(Background {
            start: Duration(0),
            after_first_weight: first_weight.is_some(),
            analysis: run(service, Stage::Background, &delivery.analysis.background, abort),
        });
    }
    let scale_down_delay = if traffic_routing { CANARY_SCALE_DOWN_DELAY } else { Duration(0) };
    timeline.push(Action::Promote { pods: replicas, scale_down_delay }, Duration(0));
}

fn blue_green(service: &Service, plan: &mut Plan, timeline: &mut Timeline) {
    let delivery = &service.delivery;
    plan.strategy = Kind::BlueGreen;
    plan.on_failure =
        "abort — the active Service stays on (or returns to) the old version, the new ReplicaSet scales down, the \
         rollout is Degraded"
            .to_owned();
    timeline.push(
        Action::ScalePreview { service: format!("{}-preview", service.name), pods: service.replicas },
        Duration(0),
    );
    let mut pre = delivery.analysis.pre_promotion.clone();
    if !delivery.smoke.is_empty() {
        pre.insert(0, SMOKE.to_owned());
    }
    if !pre.is_empty() {
        timeline.analysis(run(
            service,
            Stage::PrePromotion,
            &pre,
            "abort: the active Service stays on the old version, the preview scales down",
        ));
    }
    match (delivery.auto_promote_after, delivery.auto_promote) {
        (Some(after), _) => timeline.push(Action::AwaitPromotion { after: Some(after) }, after),
        (None, false) => timeline.push(Action::AwaitPromotion { after: None }, Duration(0)),
        (None, true) => {}
    }
    timeline.push(Action::SwitchActive { service: service.name.clone() }, Duration(0));
    if !delivery.analysis.post_promotion.is_empty() {
        timeline.analysis(run(
            service,
            Stage::PostPromotion,
            &delivery.analysis.post_promotion,
            "abort: the active Service switches back to the old version",
        ));
    }
    timeline.push(Action::ScaleDownOld { pods: service.replicas, delay: delivery.scale_down_delay }, Duration(0));
}

fn rolling(service: &Service, plan: &mut Plan, timeline: &mut Timeline) {
    let delivery = &service.delivery;
    let replicas = service.replicas;
    plan.strategy = Kind::Rolling;
    let (surge, unavailable) = fenceposts(delivery.max_surge, delivery.max_unavailable, replicas);
    plan.max_surge = Some(surge);
    plan.max_unavailable = Some(unavailable);
    plan.on_failure = format!(
        "no automatic rollback — after {} without progress the Deployment is marked failed \
         (ProgressDeadlineExceeded); the old pods still running keep serving",
        delivery.progress_deadline
    );
    let waves = rolling_waves(replicas, surge, unavailable);
    let batch = surge.saturating_add(unavailable).max(1);
    for wave in 1..=waves {
        let new_pods = wave.saturating_mul(batch).min(replicas);
        timeline.push(
            Action::Wave {
                wave,
                waves,
                new_pods,
                old_pods: replicas - new_pods,
                max_pods: replicas.saturating_add(surge),
                min_available: replicas.saturating_sub(unavailable),
            },
            Duration(0),
        );
    }
}

fn notes(service: &Service, plan: &Plan) -> Vec<String> {
    let delivery = &service.delivery;
    let mut notes =
        vec![format!("the strategy applies to updates; a first deploy starts all {} pods at once", service.replicas)];
    if let Some(autoscale) = &service.autoscale {
        notes.push(format!(
            "the autoscaler keeps {}..{} pods; the counts above assume {}",
            autoscale.min, autoscale.max, service.replicas
        ));
    }
    let measures_slo = plan
        .phases
        .iter()
        .filter_map(|p| match &p.action {
            Action::Analysis(run) => Some(run),
            _ => None,
        })
        .chain(plan.background.as_ref().map(|b| &b.analysis))
        .any(|run| run.slo_templates().next().is_some());
    if measures_slo {
        notes.push(format!(
            "a measurement without data is inconclusive; more than {} inconclusive measurements pause the rollout \
             until `plinth rollout promote` or an abort",
            delivery.analysis.failure_limit
        ));
    }
    if plan.strategy != Kind::Rolling && delivery.rollback_window > 0 {
        notes.push(format!(
            "redeploying one of the last {} revisions skips the steps (rollback window)",
            delivery.rollback_window
        ));
    }
    notes
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.seconds())
}

fn optional_seconds<S: Serializer>(duration: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => serializer.serialize_some(&duration.seconds()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
