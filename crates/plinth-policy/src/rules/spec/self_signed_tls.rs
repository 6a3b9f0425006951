//! PL-SPEC-005: production serves certificates clients trust.

use plinth_spec::model::{Issuer, Platform};

use super::production;
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-005",
        name: "trusted-tls",
        severity: Severity::Error,
        target: Target::Spec,
        summary: "Production serves TLS certificates from a public issuer (ACM or Let's Encrypt)",
        doc: "## What\n\nA production environment with `tls: { issuer: self-signed }`.\n\n## Why\n\nBrowsers \
              and API clients reject self-signed certificates, so users either cannot connect or are \
              taught to click through warnings, which defeats TLS.\n\n## Fix\n\nUse `issuer: acm` behind \
              an ALB or `issuer: letsencrypt` with cert-manager.\n",
        equivalents: &[],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if production(platform) && platform.tls.issuer == Issuer::SelfSigned && !platform.domains.is_empty() {
        hits.push(Hit::new("/tls/issuer", format!("{} serves self-signed certificates", platform.environment.name)));
    }
}

#[cfg(test)]
mod tests {
    use plinth_spec::model::Issuer;

    use super::super::tests::{hits, production};

    #[test]
    fn self_signed_in_production() {
        let mut platform = production("");
        platform.tls.issuer = Issuer::SelfSigned;
        assert_eq!(hits("PL-SPEC-005", &platform), ["/tls/issuer"]);
    }
}
