//! `plinth rollout --dry-run`: compile the spec and print how an update of one service would roll
//! out in one environment (the plan comes from `plinth-rollout`), as a timeline or as JSON.

use anyhow::{Result, bail};
use plinth_rollout::{Action, AnalysisRun, Kind, Plan, Stage, plan};
use plinth_spec::diagnostic::did_you_mean;
use plinth_spec::model::{Platform, Runtime};
use plinth_spec::units::Duration;
use serde::Serialize;
use serde_json::json;

use crate::cli::{Format, RolloutArgs};
use crate::commands::spec::load;
use crate::report::{counts, print_text, to_json};
use crate::{EXIT_INPUT, EXIT_OK};

/// The JSON document: where the plan applies, then the plan.
#[derive(Serialize)]
struct Output<'a> {
    environment: &'a str,
    #[serde(flatten)]
    plan: &'a Plan,
}

/// Runs `plinth rollout`.
pub fn run(args: &RolloutArgs) -> Result<u8> {
    if !args.dry_run {
        eprintln!(
            "error: `plinth rollout` only plans for now: add `--dry-run` to see the plan of {}; the live rollout \
             engine arrives with `plinth up`",
            args.service
        );
        return Ok(EXIT_INPUT);
    }
    let file = &args.spec.file;
    let (source, compiled) = load(file)?;
    if compiled.has_errors() {
        match args.spec.output {
            Format::Json => {
                let diagnostics: Vec<_> = compiled.diagnostics.iter().map(|d| to_json(file, &source, d)).collect();
                println!("{}", serde_json::to_string_pretty(&json!({ "planned": false, "diagnostics": diagnostics }))?);
            }
            Format::Text => {
                print_text(file, &source, &compiled.diagnostics);
                eprintln!("{}: no plan ({})", file.display(), counts(&compiled.diagnostics));
            }
        }
        return Ok(EXIT_INPUT);
    }
    let names = || compiled.platforms.iter().map(|p| p.environment.name.as_str());
    let platform: &Platform = match &args.env {
        Some(env) => match compiled.platform(env) {
            Some(platform) => platform,
            None => bail!("no environment `{env}` in {}: {}", file.display(), did_you_mean(env, names())),
        },
        None => match compiled
            .platforms
            .iter()
            .find(|p| p.environment.runtime == Runtime::Kubernetes)
            .or(compiled.platforms.first())
        {
            Some(platform) => platform,
            None => bail!("{} defines no environment", file.display()),
        },
    };
    let environment = platform.environment.name.as_str();
    let Some(service) = platform.service(&args.service) else {
        bail!(
            "no service `{}` in {} ({environment}): {}",
            args.service,
            file.display(),
            did_you_mean(&args.service, platform.services.iter().map(|s| s.name.as_str()))
        );
    };
    let plan = plan(service);
    match args.spec.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&Output { environment, plan: &plan })?),
        Format::Text => print!("{}", timeline(&plan, environment)),
    }
    Ok(EXIT_OK)
}

/// Where the detail column starts.
const DETAIL: usize = 2 + 8 + 24;

/// The plan as a timeline for people.
fn timeline(plan: &Plan, environment: &str) -> String {
    let mut out = format!("{} in {environment}: {}\n", plan.service, header(plan));
    let mut row = |offset: &str, title: &str, lines: Vec<String>| {
        let mut lines = lines.into_iter();
        let first = lines.next().unwrap_or_default();
        out.push_str(format!("  {offset:<8}{title:<24}{first}").trim_end());
        out.push('\n');
        for line in lines {
            out.push_str(&format!("{:DETAIL$}{line}\n", ""));
        }
    };
    for phase in &plan.phases {
        let (title, lines) = describe(plan, &phase.action);
        row(&format!("+{}", human(phase.start)), &title, lines);
    }
    if let Some(background) = &plan.background {
        let run = &background.analysis;
        let from = if background.after_first_weight { "from the first weight" } else { "from the start" };
        row(
            "",
            "background analysis",
            vec![
                format!("{} every {}, {from} until the promotion", run.templates.join(", "), human(run.interval)),
                format!("{} → {}", failure_rule(run), run.on_failure),
            ],
        );
    }
    out.push_str(&format!("expected duration: {}\n", duration(plan)));
    let deadline = match plan.strategy {
        Kind::Rolling => "marks the Deployment failed",
        _ => "aborts, pauses excepted",
    };
    out.push_str(&format!("progress deadline: {} without progress {deadline}\n", human(plan.progress_deadline)));
    out.push_str(&format!("on failure: {}\n", plan.on_failure));
    for note in &plan.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

fn header(plan: &Plan) -> String {
    let bounds = match (plan.max_surge, plan.max_unavailable) {
        (Some(surge), Some(unavailable)) => format!("max surge {surge}, max unavailable {unavailable}"),
        _ => String::new(),
    };
    match plan.strategy {
        Kind::Canary if plan.traffic_routing => {
            format!("canary, {} replicas, traffic routed by the ingress (exact weights)", plan.replicas)
        }
        Kind::Canary => format!(
            "canary, {} replicas, no traffic routing (weights approximated by pod counts; {bounds})",
            plan.replicas
        ),
        Kind::BlueGreen => format!("blue-green, {} replicas", plan.replicas),
        Kind::Rolling => format!("rolling update, {} replicas, {bounds}", plan.replicas),
    }
}

fn describe(plan: &Plan, action: &Action) -> (String, Vec<String>) {
    let (title, detail) = match action {
        Action::SetWeight { weight, canary_pods, stable_pods } => (
            format!("set weight {weight}%"),
            format!("{canary_pods} canary pod{}, {stable_pods} stable", if *canary_pods == 1 { "" } else { "s" }),
        ),
        Action::Pause { duration: Some(duration) } => (format!("pause {}", human(*duration)), String::new()),
        Action::Pause { duration: None } => ("pause".to_owned(), "until `plinth rollout promote` (manual)".to_owned()),
        Action::Analysis(run) => return analysis(run),
        Action::Promote { pods: count, scale_down_delay } => {
            let old = if *scale_down_delay == Duration(0) {
                "the old pods scale down".to_owned()
            } else {
                format!("the old pods scale down {} later", human(*scale_down_delay))
            };
            ("promote".to_owned(), format!("weight 100%: {} of the new version become stable; {old}", pods(*count)))
        }
        Action::ScalePreview { service, pods: count } => (
            "scale up preview".to_owned(),
            format!("{} of the new version behind {service}; {} still serves the old one", pods(*count), plan.service),
        ),
        Action::AwaitPromotion { after: None } => {
            ("wait for promotion".to_owned(), "until `plinth rollout promote` (manual)".to_owned())
        }
        Action::AwaitPromotion { after: Some(after) } => {
            (format!("wait {}", human(*after)), "then promote automatically".to_owned())
        }
        Action::SwitchActive { service } => {
            ("switch active".to_owned(), format!("{service} selects the new version: all traffic at once"))
        }
        Action::ScaleDownOld { pods: count, delay } => (
            "scale down old".to_owned(),
            format!("{} of the old version, {} later (a fast rollback until then)", pods(*count), human(*delay)),
        ),
        Action::Wave { wave, waves, new_pods, old_pods, max_pods, min_available } => (
            format!("wave {wave}/{waves}"),
            format!("{new_pods} new, {old_pods} old (at most {max_pods} running, at least {min_available} available)"),
        ),
    };
    (title, vec![detail])
}

fn analysis(run: &AnalysisRun) -> (String, Vec<String>) {
    let title = match run.stage {
        Stage::Smoke => "smoke checks",
        Stage::PrePromotion => "pre-promotion analysis",
        Stage::PostPromotion => "post-promotion analysis",
        Stage::Step | Stage::Background => "analysis",
    };
    let mut lines = Vec::new();
    if run.has_smoke() {
        lines.push(format!("{} on the new pods (one Job, at most 5m)", run.smoke_checks.join(", ")));
    }
    let slo: Vec<&str> = run.slo_templates().collect();
    if let (false, Some(count)) = (slo.is_empty(), run.measurements) {
        lines.push(format!(
            "{}: {count} measurements {} apart ({})",
            slo.join(", "),
            human(run.interval),
            human(run.min_duration())
        ));
        lines.push(format!("{} → {}", failure_rule(run), run.on_failure));
    } else {
        lines.push(format!("a failed check → {}", run.on_failure));
    }
    (title.to_owned(), lines)
}

/// When a metric fails: its failed measurements exceed the limit.
fn failure_rule(run: &AnalysisRun) -> String {
    format!("fails on the {} failed measurement", ordinal(run.failure_limit + 1))
}

fn duration(plan: &Plan) -> String {
    match (plan.strategy, plan.manual_gates) {
        (Kind::Rolling, _) => {
            let waves = plan.phases.len();
            format!(
                "{waves} wave{}, each as long as its new pods take to become ready",
                if waves == 1 { "" } else { "s" }
            )
        }
        (_, 0) => format!("{} (plus pod start-up)", human(plan.min_duration)),
        (_, gates) => format!(
            "at least {} plus {gates} manual promotion{} (open-ended; later times assume an immediate promotion)",
            human(plan.min_duration),
            if gates == 1 { "" } else { "s" }
        ),
    }
}

fn pods(count: u32) -> String {
    format!("{count} pod{}", if count == 1 { "" } else { "s" })
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `0m`, `10m`, `4m30s`, `1h10m`, `45s`.
fn human(duration: Duration) -> String {
    let total = duration.seconds();
    if total == 0 {
        return "0m".to_owned();
    }
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    if seconds > 0 {
        out.push_str(&format!("{seconds}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration(0)), "0m");
        assert_eq!(human(Duration::from_secs(600)), "10m");
        assert_eq!(human(Duration::from_secs(270)), "4m30s");
        assert_eq!(human(Duration::from_secs(4200)), "1h10m");
        assert_eq!(human(Duration::from_secs(45)), "45s");
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
    }
}
