//! PL-SPEC-008: an environment's estimated monthly cost stays within its `budget`.

use std::sync::OnceLock;

use plinth_cost::report::budget_failure;
use plinth_cost::{BUILT_IN_PRICES, PriceBook, estimate};
use plinth_spec::model::Platform;

use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-008",
        name: "within-budget",
        severity: Severity::Warning,
        target: Target::Spec,
        summary: "An environment's estimated monthly cost stays within its budget",
        doc: "## What\n\nAn environment with a `budget` (USD a month) whose estimate — the same one \
              `plinth cost` prints, at plinth's built-in AWS prices, at the top of the autoscaling \
              range — exceeds it. The message names the three largest items.\n\n## Why\n\nA budget \
              written in the design document and never compared with the design drifts: a larger \
              instance class, a Multi-AZ standby or a higher autoscaling ceiling each look harmless \
              alone. Catching the overrun in review is cheaper than on the first invoice.\n\n## Fix\n\n\
              Run `plinth cost --env <env>` to see every line, then shrink what dominates (instance \
              classes, replica ceilings, NAT gateways per zone) or raise the budget deliberately. \
              `plinth cost --prices FILE` prices with your own rates; this rule uses the built-in ones.\n\n\
              ## References\n\n- AWS Well-Architected, Cost Optimization pillar\n",
        equivalents: &[],
    },
    check,
};

/// The built-in price book, parsed once (its parsing is tested in plinth-cost).
fn prices() -> &'static PriceBook {
    static PRICES: OnceLock<PriceBook> = OnceLock::new();
    PRICES
        .get_or_init(|| PriceBook::parse(BUILT_IN_PRICES).expect("the built-in price file parses (plinth-cost tests)"))
}

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if platform.environment.budget.is_none() {
        return;
    }
    if let Some(failure) = budget_failure(&estimate(platform, prices())) {
        let pointer = format!("/environments/{}/budget", plinth_spec::yaml::escape(&platform.environment.name));
        hits.push(Hit::new(pointer, failure));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn over_budget() {
        let mut platform = production("");
        platform.environment.budget = Some(1.0);
        let found = hits("PL-SPEC-008", &platform);
        assert_eq!(found, ["/environments/production/budget"]);
    }

    #[test]
    fn within_or_without_budget() {
        let mut platform = production("");
        assert!(hits("PL-SPEC-008", &platform).is_empty());
        platform.environment.budget = Some(1_000_000.0);
        assert!(hits("PL-SPEC-008", &platform).is_empty());
    }
}
