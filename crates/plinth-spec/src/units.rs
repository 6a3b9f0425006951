//! The spec's unit-bearing strings: durations, percentages, CPU and memory quantities, ranges, rates.
//!
//! Each type carries the regular expression the JSON Schema uses for it (so editors and
//! `plinth validate` reject the same strings) and the hint shown when a value does not match.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

/// A unit type: its schema pattern, a description, and how to parse it once the pattern matched.
pub trait Unit: Sized {
    /// ECMA-262 regular expression for the JSON Schema.
    const PATTERN: &'static str;
    /// What the value is, for the schema and for diagnostics ("a duration").
    const WHAT: &'static str;
    /// Valid examples for the hint.
    const EXAMPLES: &'static str;
    /// Parses a string the pattern accepted.
    fn parse(text: &str) -> Option<Self>;
}

/// The hint for a string that does not match `pattern`, if it is one of the unit patterns.
pub fn pattern_help(pattern: &str) -> Option<(&'static str, &'static str)> {
    [
        (Duration::PATTERN, Duration::WHAT, Duration::EXAMPLES),
        (Percent::PATTERN, Percent::WHAT, Percent::EXAMPLES),
        (Cpu::PATTERN, Cpu::WHAT, Cpu::EXAMPLES),
        (Bytes::PATTERN, Bytes::WHAT, Bytes::EXAMPLES),
        (Range::<Cpu>::PATTERN, Range::<Cpu>::WHAT, Range::<Cpu>::EXAMPLES),
        (Range::<Bytes>::PATTERN, Range::<Bytes>::WHAT, Range::<Bytes>::EXAMPLES),
        (Rate::PATTERN, Rate::WHAT, Rate::EXAMPLES),
    ]
    .into_iter()
    .find(|(candidate, _, _)| *candidate == pattern)
    .map(|(_, what, examples)| (what, examples))
}

/// A valid spelling of `text` for the unit described as `what`, if a common slip explains it:
/// `10 minutes` → `10m`, `512MB` → `512Mi`, `70` → `70%`. Returns `text` itself when it is valid.
pub fn unit_suggestion(what: &str, text: &str) -> Option<String> {
    let valid = |candidate: &str| match what {
        Duration::WHAT => Duration::parse(candidate).is_some(),
        Percent::WHAT => Percent::parse(candidate).is_some(),
        Cpu::WHAT => Cpu::parse(candidate).is_some(),
        Bytes::WHAT => Bytes::parse(candidate).is_some(),
        <Range<Cpu>>::WHAT => <Range<Cpu>>::parse(candidate).is_some(),
        <Range<Bytes>>::WHAT => <Range<Bytes>>::parse(candidate).is_some(),
        Rate::WHAT => Rate::parse(candidate).is_some(),
        _ => false,
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut candidates = vec![compact.clone()];
    match what {
        Duration::WHAT => {
            if let Ok(duration) = humantime::parse_duration(text) {
                let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
                candidates.push(Duration(millis).to_string());
            }
        }
        Percent::WHAT => {
            let number = compact.trim_end_matches("percent").trim_end_matches('%');
            candidates.push(format!("{number}%"));
        }
        Bytes::WHAT | <Range<Bytes>>::WHAT => {
            // `512MB`, `1GB`, `512m`: sizes in the Kubernetes spelling.
            let binary = |side: &str| {
                let side = side.trim_end_matches(['B', 'b']);
                let split = side.find(|c: char| !c.is_ascii_digit()).unwrap_or(side.len());
                let (number, suffix) = side.split_at(split);
                let suffix = match suffix.to_ascii_uppercase().as_str() {
                    "K" | "KI" => "Ki",
                    "M" | "MI" => "Mi",
                    "G" | "GI" => "Gi",
                    "T" | "TI" => "Ti",
                    "" => "",
                    _ => return String::new(),
                };
                format!("{number}{suffix}")
            };
            candidates.push(compact.split("..").map(binary).collect::<Vec<_>>().join(".."));
        }
        _ => {}
    }
    candidates.into_iter().find(|candidate| valid(candidate))
}

macro_rules! unit_serde {
    ($ty:ty, $name:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$ty as Unit>::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not {}", <$ty as Unit>::WHAT)))
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": <$ty as Unit>::PATTERN,
                    "description": format!("{} such as {}", <$ty as Unit>::WHAT, <$ty as Unit>::EXAMPLES),
                })
            }
        }
    };
}

/// A length of time, kept in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u64);

impl Duration {
    /// Whole seconds, rounded up.
    pub fn seconds(self) -> u64 {
        self.0.div_ceil(1000)
    }

    /// A duration of `seconds`.
    pub fn from_secs(seconds: u64) -> Self {
        Duration(seconds * 1000)
    }
}

impl Unit for Duration {
    const PATTERN: &'static str = "^([0-9]+(ms|s|m|h|d))+$";
    const WHAT: &'static str = "a duration";
    const EXAMPLES: &'static str = "`30s`, `10m`, `1h30m` or `30d`";

    fn parse(text: &str) -> Option<Self> {
        let mut total: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit())?;
            let number: u64 = rest[..digits].parse().ok()?;
            rest = &rest[digits..];
            let (millis, len) = if rest.starts_with("ms") {
                (1, 2)
            } else {
                let unit = match rest.as_bytes().first()? {
                    b's' => 1_000,
                    b'm' => 60_000,
                    b'h' => 3_600_000,
                    b'd' => 86_400_000,
                    _ => return None,
                };
                (unit, 1)
            };
            total = total.checked_add(number.checked_mul(millis)?)?;
            rest = &rest[len..];
        }
        (!text.is_empty()).then_some(Duration(total))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
            if ms >= size && ms % size == 0 {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        write!(f, "{ms}ms")
    }
}

unit_serde!(Duration, "Duration");

/// A percentage, kept in hundredths of a percent (99.95 % is 9995).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(pub u32);

impl Percent {
    /// The whole percentage, rounded down.
    pub fn whole(self) -> u32 {
        self.0 / 100
    }

    /// The ratio (0.999 for 99.9 %).
    pub fn ratio(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

impl Unit for Percent {
    const PATTERN: &'static str = "^[0-9]+(\\.[0-9]{1,2})?%$";
    const WHAT: &'static str = "a percentage";
    const EXAMPLES: &'static str = "`70%` or `99.9%`";

    fn parse(text: &str) -> Option<Self> {
        let number = text.strip_suffix('%')?;
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let whole: u32 = whole.parse().ok()?;
        let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        whole.checked_mul(100)?.checked_add(frac).map(Percent)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 100 {
            0 => write!(f, "{}%", self.0 / 100),
            frac if frac % 10 == 0 => write!(f, "{}.{}%", self.0 / 100, frac / 10),
            frac => write!(f, "{}.{frac:02}%", self.0 / 100),
        }
    }
}

unit_serde!(Percent, "Percent");

/// CPU in millicores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cpu(pub u64);

impl Unit for Cpu {
    const PATTERN: &'static str = "^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$";
    const WHAT: &'static str = "a CPU quantity";
    const EXAMPLES: &'static str = "`250m`, `0.5` or `2`";

    fn parse(text: &str) -> Option<Self> {
        if let Some(milli) = text.strip_suffix('m') {
            return milli.parse().ok().map(Cpu);
        }
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let whole: u64 = whole.parse().ok()?;
        let frac: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
        whole.checked_mul(1000)?.checked_add(frac).map(Cpu)
    }
}

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 1000 == 0 { write!(f, "{}", self.0 / 1000) } else { write!(f, "{}m", self.0) }
    }
}

unit_serde!(Cpu, "Cpu");

/// A size in bytes (memory, storage), written with a binary or decimal suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

const BYTE_SUFFIXES: [(&str, u64); 8] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("K", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
];

impl Bytes {
    /// The size in whole gibibytes, rounded up (storage is provisioned in GiB).
    pub fn gib(self) -> u64 {
        self.0.div_ceil(1 << 30)
    }
}

impl Unit for Bytes {
    const PATTERN: &'static str = "^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?$";
    const WHAT: &'static str = "a size";
    const EXAMPLES: &'static str = "`512Mi`, `1Gi` or `100G`";

    fn parse(text: &str) -> Option<Self> {
        let (number, multiplier) = BYTE_SUFFIXES
            .iter()
            .find_map(|(suffix, size)| text.strip_suffix(suffix).map(|number| (number, *size)))
            .unwrap_or((text, 1));
        number.parse::<u64>().ok()?.checked_mul(multiplier).map(Bytes)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (suffix, size) in BYTE_SUFFIXES {
            if self.0 >= size && self.0 % size == 0 && suffix.ends_with('i') && self.0 / size < 1024 {
                return write!(f, "{}{suffix}", self.0 / size);
            }
        }
        for (suffix, size) in BYTE_SUFFIXES.iter().rev() {
            if self.0 >= *size && self.0 % size == 0 {
                return write!(f, "{}{suffix}", self.0 / size);
            }
        }
        write!(f, "{}", self.0)
    }
}

unit_serde!(Bytes, "Bytes");

/// `low..high` (a request and a limit, or a size and its growth ceiling); `x` alone means `x..x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range<T> {
    /// The request / initial size.
    pub low: T,
    /// The limit / maximum size.
    pub high: T,
}

impl Unit for Range<Cpu> {
    const PATTERN: &'static str = "^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)(\\.\\.([0-9]+m|[0-9]+(\\.[0-9]{1,3})?))?$";
    const WHAT: &'static str = "a CPU request..limit";
    const EXAMPLES: &'static str = "`100m..500m` or `250m`";

    fn parse(text: &str) -> Option<Self> {
        parse_range(text)
    }
}

impl Unit for Range<Bytes> {
    const PATTERN: &'static str = "^[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?(\\.\\.[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?)?$";
    const WHAT: &'static str = "a size or size range";
    const EXAMPLES: &'static str = "`256Mi..512Mi` or `100Gi..500Gi`";

    fn parse(text: &str) -> Option<Self> {
        parse_range(text)
    }
}

fn parse_range<T: Unit + Copy>(text: &str) -> Option<Range<T>> {
    match text.split_once("..") {
        Some((low, high)) => Some(Range { low: T::parse(low)?, high: T::parse(high)? }),
        None => T::parse(text).map(|low| Range { low, high: low }),
    }
}

unit_serde!(Range<Cpu>, "CpuRange");
unit_serde!(Range<Bytes>, "BytesRange");

/// Requests per window, per client (`100/min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window in seconds.
    pub per_seconds: u32,
}

impl Unit for Rate {
    const PATTERN: &'static str = "^[0-9]+/(s|sec|second|m|min|minute|h|hour)$";
    const WHAT: &'static str = "a request rate";
    const EXAMPLES: &'static str = "`100/min` or `10/s`";

    fn parse(text: &str) -> Option<Self> {
        let (requests, window) = text.split_once('/')?;
        let per_seconds = match window {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            _ => return None,
        };
        Some(Rate { requests: requests.parse().ok()?, per_seconds })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let window = match self.per_seconds {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{window}", self.requests)
    }
}

unit_serde!(Rate, "Rate");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        assert_eq!(Duration::parse("1h30m"), Some(Duration(5_400_000)));
        assert_eq!(Duration::parse("10m").unwrap().to_string(), "10m");
        assert_eq!(Duration::parse("720h").unwrap().to_string(), "30d");
        assert_eq!(Duration::parse("10"), None);
        assert_eq!(Percent::parse("99.9%"), Some(Percent(9990)));
        assert_eq!(Percent(9990).to_string(), "99.9%");
        assert_eq!(Percent(9995).to_string(), "99.95%");
        assert_eq!(Cpu::parse("0.5"), Some(Cpu(500)));
        assert_eq!(Cpu(500).to_string(), "500m");
        assert_eq!(Cpu(1000).to_string(), "1");
        assert_eq!(Bytes::parse("512Mi"), Some(Bytes(512 << 20)));
        assert_eq!(Bytes(1 << 30).to_string(), "1Gi");
        assert_eq!(Bytes(100_000_000_000).to_string(), "100G");
        let range = Range::<Bytes>::parse("256Mi..512Mi").unwrap();
        assert_eq!((range.low, range.high), (Bytes(256 << 20), Bytes(512 << 20)));
        assert_eq!(Rate::parse("100/min"), Some(Rate { requests: 100, per_seconds: 60 }));
    }
}
