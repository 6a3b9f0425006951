//! `private_dns`: the environment's private hosted zone `<environment>.<application>.internal`,
//! associated with its VPC, in which `rds` and `elasticache` each put their datastore's record
//! (`<datastore>.<environment>.<application>.internal`, the name the Kubernetes backend's
//! ExternalName Services point at). One zone per environment, so it is a module of its own rather
//! than part of a datastore module instantiated once per datastore; the environment gets it when it
//! has a managed PostgreSQL or Redis.
//!
//! A private zone answers only inside the VPC: DNSSEC signing and Route 53 query logging apply to
//! public zones (resolver query logging of the whole VPC would be the private counterpart).

use hcl::{Block, Expression};
use plinth_spec::model::{Engine, Platform};

use super::super::Module;
use super::super::syntax::{expr, output, resource, variable};
use super::datastore::{managed, private_zone};

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("name", "string", "The zone (<environment>.<application>.internal)."),
        variable("vpc_id", "string", "The VPC whose resolver answers for the zone."),
    ];
    let main = vec![
        resource("aws_route53_zone", "this")
            .add_attribute(("name", expr("var.name")))
            .add_attribute(("comment", "Managed datastores of the environment, reached from the cluster"))
            .add_block(Block::builder("vpc").add_attribute(("vpc_id", expr("var.vpc_id"))).build())
            .build(),
    ];
    let outputs = vec![
        output("zone_id", "aws_route53_zone.this.zone_id", "The private hosted zone."),
        output("name", "aws_route53_zone.this.name", "Its domain."),
    ];
    Module { name: "private_dns", variables, main, outputs, skips: Vec::new(), provider_aliases: Vec::new() }
}

/// The zone, when the environment has a managed PostgreSQL or Redis.
pub fn call(platform: &Platform) -> Option<Block> {
    let needed = managed(platform, Engine::Postgres).chain(managed(platform, Engine::Redis)).next().is_some();
    needed.then(|| {
        super::call(
            "private_dns",
            vec![("name", Expression::from(private_zone(platform))), ("vpc_id", expr("module.vpc.vpc_id"))],
        )
    })
}

#[cfg(test)]
mod tests {
    use plinth_spec::model::Hosting;

    use super::super::datastore::private_host;
    use super::*;

    fn platforms(yaml: &str) -> Vec<Platform> {
        let compiled = plinth_spec::compile(yaml);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms
    }

    const SPEC: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\nservices:\n  web: { image: ghcr.io/s/web, uses: [db, cache] }\ndatastores:\n  db: { engine: postgres }\n  cache: { engine: redis }\nenvironments:\n  production: {}\n";

    #[test]
    fn the_records_are_the_names_the_external_name_services_point_at() {
        let platforms = platforms(SPEC);
        let artifacts = crate::render(&platforms);
        let platform = &platforms[0];
        let manifests: String =
            artifacts.iter().filter(|(path, _)| path.ends_with(".yaml")).map(|(_, text)| text).collect();
        let root = artifacts.get("environments/production/terraform/main.tf").expect("a root");
        assert!(root.contains("name   = \"production.shop.internal\""), "{root}");
        for ds in platform.datastores.iter().filter(|ds| ds.hosting == Hosting::Managed) {
            let host = private_host(platform, ds);
            assert!(manifests.contains(&format!("externalName: {host}")), "no ExternalName for {host}");
            assert!(root.contains(&format!("\"{host}\"")), "no record for {host}");
        }
    }

    #[test]
    fn no_zone_without_a_managed_database_or_cache() {
        let spec = SPEC
            .replace("{ engine: postgres }", "{ engine: postgres, hosting: cluster }")
            .replace("{ engine: redis }", "{ engine: redis, hosting: cluster }");
        assert!(call(&platforms(&spec)[0]).is_none());
        assert!(call(&platforms(SPEC)[0]).is_some());
    }
}
