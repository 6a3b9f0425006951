//! The price book: prices with their source, date and status, and the usage assumptions, parsed
//! from the text of a price file (`prices/aws.yaml`); a second file can be layered over it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether a price was found in a citable source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// From a citable source (AWS, or a dated file of a named repository).
    Verified,
    /// Found only in unattributed code; shown flagged.
    Unverified,
}

/// One price.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// `service/item/region`, what estimate lines cite.
    pub id: String,
    /// Service (`ec2`, `rds-postgres`, `nat`, …).
    pub service: String,
    /// What within the service (`t3.medium`, `gp3-storage`, `data-processed`, …).
    pub item: String,
    /// AWS region, or `global`.
    pub region: String,
    /// What one unit is (`hour`, `GB-month`, `GB`, …).
    pub unit: String,
    /// USD per unit.
    pub usd: f64,
    /// Where the price comes from.
    pub source: String,
    /// The source's date (`2026-07-20`, or `undated`).
    pub date: String,
    /// Verified or not.
    pub status: Status,
}

/// One usage assumption.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// The assumed amount.
    pub value: f64,
    /// What it counts.
    pub unit: String,
    /// Why this amount.
    pub why: String,
}

/// The file as written: every field optional, so that an override file can hold only a few entries.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    hours_per_month: Option<f64>,
    #[serde(default)]
    prices: Vec<Price>,
    #[serde(default)]
    usage: BTreeMap<String, Usage>,
}

/// A price file that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceFileError(pub String);

impl fmt::Display for PriceFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PriceFileError {}

/// Prices and usage assumptions.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    hours_per_month: f64,
    prices: Vec<Price>,
    usage: BTreeMap<String, Usage>,
}

impl PriceBook {
    /// Parses a complete price file (`hours_per_month` required).
    pub fn parse(text: &str) -> Result<Self, PriceFileError> {
        let file = read(text)?;
        let Some(hours_per_month) = file.hours_per_month else {
            return Err(PriceFileError("`hours_per_month` is missing".to_owned()));
        };
        let mut book = PriceBook { hours_per_month, prices: Vec::new(), usage: BTreeMap::new() };
        book.merge(file);
        Ok(book)
    }

    /// Layers the price file `text` over this book: an entry with a known `id` replaces it, others
    /// are added; usage keys and `hours_per_month` replace the book's.
    pub fn overlay(&mut self, text: &str) -> Result<(), PriceFileError> {
        let file = read(text)?;
        self.merge(file);
        Ok(())
    }

    fn merge(&mut self, file: File) {
        if let Some(hours) = file.hours_per_month {
            self.hours_per_month = hours;
        }
        for price in file.prices {
            match self.prices.iter_mut().find(|p| p.id == price.id) {
                Some(existing) => *existing = price,
                None => self.prices.push(price),
            }
        }
        self.usage.extend(file.usage);
    }

    /// Hours in a month (730).
    pub fn hours_per_month(&self) -> f64 {
        self.hours_per_month
    }

    /// Every price, in file order.
    pub fn prices(&self) -> &[Price] {
        &self.prices
    }

    /// The price with this id.
    pub fn get(&self, id: &str) -> Option<&Price> {
        self.prices.iter().find(|p| p.id == id)
    }

    /// The price of `item` of `service` in `region`, or its `global` price.
    pub fn find(&self, service: &str, item: &str, region: &str) -> Option<&Price> {
        let at =
            |region: &str| self.prices.iter().find(|p| p.service == service && p.item == item && p.region == region);
        at(region).or_else(|| at("global"))
    }

    /// The usage assumption called `key`.
    pub fn usage(&self, key: &str) -> Option<&Usage> {
        self.usage.get(key)
    }

    /// Every usage assumption, by key.
    pub fn usages(&self) -> &BTreeMap<String, Usage> {
        &self.usage
    }
}

/// Parses and checks one file: ids are `service/item/region` and unique, amounts are finite and
/// not negative.
fn read(text: &str) -> Result<File, PriceFileError> {
    let file: File = serde_yaml_ng::from_str(text).map_err(|err| PriceFileError(err.to_string()))?;
    if let Some(hours) = file.hours_per_month {
        if !(hours.is_finite() && hours > 0.0) {
            return Err(PriceFileError(format!("`hours_per_month` must be above 0, not {hours}")));
        }
    }
    for (idx, price) in file.prices.iter().enumerate() {
        let expected = format!("{}/{}/{}", price.service, price.item, price.region);
        if price.id != expected {
            return Err(PriceFileError(format!(
                "price `{}`: its id must be `{expected}` (service/item/region)",
                price.id
            )));
        }
        if !(price.usd.is_finite() && price.usd >= 0.0) {
            return Err(PriceFileError(format!("price `{}`: {} is not a price in USD", price.id, price.usd)));
        }
        if file.prices[..idx].iter().any(|p| p.id == price.id) {
            return Err(PriceFileError(format!("price `{}` is listed twice", price.id)));
        }
    }
    for (key, usage) in &file.usage {
        if !(usage.value.is_finite() && usage.value >= 0.0) {
            return Err(PriceFileError(format!("usage `{key}`: {} is not an amount", usage.value)));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::BUILT_IN_PRICES as BUILT_IN;

    #[test]
    fn the_repository_price_file_parses() {
        let book = PriceBook::parse(BUILT_IN).unwrap();
        assert_eq!(book.hours_per_month(), 730.0);
        assert_eq!(book.find("eks", "cluster", "us-east-1").unwrap().usd, 0.10);
        assert_eq!(book.find("route53", "hosted-zone", "ap-south-1").unwrap().id, "route53/hosted-zone/global");
        assert!(book.find("eks", "cluster", "ap-south-1").is_none(), "not found in any source: absent");
        assert_eq!(book.get("ec2/t3.medium/ap-south-1").unwrap().status, Status::Unverified);
        for key in ["nat_data_processed_gb", "alb_lcu", "s3_storage_gb", "node_volume_gb", "rds_backup_daily_change"] {
            assert!(book.usage(key).is_some(), "usage `{key}`");
        }
    }

    #[test]
    fn an_override_replaces_and_adds() {
        let mut book = PriceBook::parse(BUILT_IN).unwrap();
        let count = book.prices().len();
        book.overlay(
            "prices:\n  - { id: eks/cluster/us-east-1, service: eks, item: cluster, region: us-east-1, unit: hour, usd: 0.6, source: extended support, date: '2026-01-01', status: verified }\n  - { id: eks/cluster/ap-south-1, service: eks, item: cluster, region: ap-south-1, unit: hour, usd: 0.1, source: ours, date: '2026-01-01', status: unverified }\nusage:\n  alb_lcu: { value: 3, unit: LCUs, why: busier }\n",
        )
        .unwrap();
        assert_eq!(book.prices().len(), count + 1);
        assert_eq!(book.get("eks/cluster/us-east-1").unwrap().usd, 0.6);
        assert_eq!(book.usage("alb_lcu").unwrap().value, 3.0);
        assert!(book.usage("s3_storage_gb").is_some(), "other usage stays");
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let entry = |id: &str, usd: &str| {
            format!(
                "  - {{ id: {id}, service: eks, item: cluster, region: us-east-1, unit: hour, usd: {usd}, source: s, date: d, status: verified }}\n"
            )
        };
        let file = |entries: &[String]| format!("hours_per_month: 730\nprices:\n{}", entries.concat());
        let good = entry("eks/cluster/us-east-1", "0.1");
        assert!(PriceBook::parse(&file(std::slice::from_ref(&good))).is_ok());
        let error = |entries: &[String]| PriceBook::parse(&file(entries)).unwrap_err().0;
        assert!(error(&[entry("eks-cluster", "0.1")]).contains("must be `eks/cluster/us-east-1`"));
        assert!(error(&[entry("eks/cluster/us-east-1", "-1")]).contains("not a price"));
        assert!(error(&[good.clone(), good]).contains("listed twice"));
        assert!(PriceBook::parse("prices: []\n").unwrap_err().0.contains("hours_per_month"));
        assert!(PriceBook::parse("hours_per_month: 730\nprise: []\n").unwrap_err().0.contains("unknown field"));
    }
}
