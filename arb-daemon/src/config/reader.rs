//! Typed reading of variables from [`ConfigSources`]: each reader parses, checks the range, and
//! records where the value came from. Errors redact secret values.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::database::mask_password;
use super::sources::{ConfigSources, Origin};
use super::vars::{VARIABLES, is_secret};
use super::{ConfigError, Secret};
use crate::secret::REDACTED;

/// One end of a decimal range.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bound {
    /// The value may equal this.
    Inclusive(Decimal),
    /// The value must differ from this.
    Exclusive(Decimal),
    /// No limit on this side.
    Unbounded,
}

/// An accepted decimal range, printed in interval notation (`[0, 1)`, `> 0`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DecimalRange {
    pub(crate) min: Bound,
    pub(crate) max: Bound,
}

impl DecimalRange {
    /// Strictly positive.
    pub(crate) const POSITIVE: Self = Self {
        min: Bound::Exclusive(Decimal::ZERO),
        max: Bound::Unbounded,
    };
    /// Zero or more.
    pub(crate) const NON_NEGATIVE: Self = Self {
        min: Bound::Inclusive(Decimal::ZERO),
        max: Bound::Unbounded,
    };

    fn contains(self, value: Decimal) -> bool {
        let above = match self.min {
            Bound::Inclusive(min) => value >= min,
            Bound::Exclusive(min) => value > min,
            Bound::Unbounded => true,
        };
        let below = match self.max {
            Bound::Inclusive(max) => value <= max,
            Bound::Exclusive(max) => value < max,
            Bound::Unbounded => true,
        };
        above && below
    }
}

impl fmt::Display for DecimalRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Bound::Inclusive(min), Bound::Unbounded) => write!(f, "a decimal >= {min}"),
            (Bound::Exclusive(min), Bound::Unbounded) => write!(f, "a decimal > {min}"),
            (Bound::Unbounded, Bound::Unbounded) => f.write_str("a decimal"),
            (min, max) => {
                let (open, low) = match min {
                    Bound::Inclusive(v) => ("[", v.to_string()),
                    Bound::Exclusive(v) => ("(", v.to_string()),
                    Bound::Unbounded => ("(", "-inf".to_string()),
                };
                let (close, high) = match max {
                    Bound::Inclusive(v) => ("]", v.to_string()),
                    Bound::Exclusive(v) => (")", v.to_string()),
                    Bound::Unbounded => (")", "inf".to_string()),
                };
                write!(f, "a decimal in {open}{low}, {high}{close}")
            }
        }
    }
}

/// Reads variables and remembers the origin of each one read.
pub(crate) struct Reader<'a> {
    sources: &'a ConfigSources,
    origins: BTreeMap<&'static str, Origin>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(sources: &'a ConfigSources) -> Self {
        Self {
            sources,
            origins: BTreeMap::new(),
        }
    }

    /// Where each variable read so far came from.
    pub(crate) fn into_origins(self) -> BTreeMap<&'static str, Origin> {
        self.origins
    }

    /// The trimmed raw value of `var`, recording its origin (`Default` when unset).
    pub(crate) fn raw(&mut self, var: &'static str) -> Option<(&'a str, Origin)> {
        debug_assert!(VARIABLES.contains(&var), "unlisted variable {var}");
        let found = self
            .sources
            .get(var)
            .map(|(value, origin)| (value.trim(), origin));
        self.origins
            .insert(var, found.map_or(Origin::Default, |(_, origin)| origin));
        found
    }

    /// An optional plain string.
    pub(crate) fn string(&mut self, var: &'static str) -> Option<String> {
        self.raw(var).map(|(value, _)| value.to_string())
    }

    /// An optional secret.
    pub(crate) fn secret(&mut self, var: &'static str) -> Option<Secret> {
        self.raw(var).map(|(value, _)| Secret::new(value))
    }

    /// A decimal in `range`, or `default` when unset.
    pub(crate) fn decimal(
        &mut self,
        var: &'static str,
        default: Decimal,
        range: DecimalRange,
    ) -> Result<Decimal, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(default);
        };
        let value =
            Decimal::from_str(text).map_err(|_| malformed(var, origin, text, range.to_string()))?;
        if range.contains(value) {
            Ok(value)
        } else {
            Err(out_of_range(var, origin, text, range.to_string()))
        }
    }

    /// An integer in `min..=max`, or `default` when unset.
    pub(crate) fn integer<T>(
        &mut self,
        var: &'static str,
        default: T,
        min: T,
        max: T,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(default);
        };
        let range = format!("an integer in {min}..={max}");
        match text.parse::<T>() {
            Ok(value) if value >= min && value <= max => Ok(value),
            Ok(_) => Err(out_of_range(var, origin, text, range)),
            Err(_) if text.parse::<i128>().is_ok() => Err(out_of_range(var, origin, text, range)),
            Err(_) => Err(malformed(var, origin, text, range)),
        }
    }

    /// One of the named `options` (case-insensitive), or `default` when unset.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        var: &'static str,
        default: T,
        options: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(default);
        };
        options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
                malformed(var, origin, text, format!("one of {}", names.join(", ")))
            })
    }

    /// A boolean (`true/false`, `1/0`, `yes/no`, `on/off`), or `default` when unset.
    pub(crate) fn boolean(
        &mut self,
        var: &'static str,
        default: bool,
    ) -> Result<bool, ConfigError> {
        self.choice(
            var,
            default,
            &[
                ("true", true),
                ("false", false),
                ("1", true),
                ("0", false),
                ("yes", true),
                ("no", false),
                ("on", true),
                ("off", false),
            ],
        )
    }

    /// A comma-separated list of Discord ids (positive integers); empty when unset.
    pub(crate) fn id_list(&mut self, var: &'static str) -> Result<Vec<u64>, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(Vec::new());
        };
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<u64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        malformed(
                            var,
                            origin,
                            text,
                            "a comma-separated list of numeric ids".into(),
                        )
                    })
            })
            .collect()
    }

    /// An optional Discord id (a positive integer).
    pub(crate) fn id(&mut self, var: &'static str) -> Result<Option<u64>, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(None);
        };
        text.parse::<u64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or_else(|| malformed(var, origin, text, "a numeric id".into()))
    }

    /// A URL with one of `schemes`, or `default` when unset; a trailing `/` is removed.
    pub(crate) fn url(
        &mut self,
        var: &'static str,
        default: &str,
        schemes: &[&str],
    ) -> Result<String, ConfigError> {
        Ok(self
            .optional_url(var, schemes)?
            .unwrap_or_else(|| default.to_string()))
    }

    /// An optional URL with one of `schemes` (a trailing `/` removed); `None` when unset.
    pub(crate) fn optional_url(
        &mut self,
        var: &'static str,
        schemes: &[&str],
    ) -> Result<Option<String>, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(None);
        };
        if is_url(text, schemes) {
            Ok(Some(text.trim_end_matches('/').to_string()))
        } else {
            let schemes: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
            Err(malformed(
                var,
                origin,
                text,
                format!("a URL starting with {} and a host", schemes.join(" or ")),
            ))
        }
    }

    /// A value parsed by `parse` (which returns `None` when malformed), or `None` when unset.
    pub(crate) fn parsed<T>(
        &mut self,
        var: &'static str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        let Some((text, origin)) = self.raw(var) else {
            return Ok(None);
        };
        parse(text)
            .map(Some)
            .ok_or_else(|| malformed(var, origin, text, expected.to_string()))
    }
}

/// Whether `text` is `scheme://host[...]` for one of `schemes`, without whitespace.
fn is_url(text: &str, schemes: &[&str]) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.parse::<u16>().is_ok() {
            name
        } else {
            host
        }
    });
    schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme))
        && !host_name.is_empty()
        && !text.chars().any(char::is_whitespace)
}

/// The value as it may appear in an error: secrets redacted.
fn shown(var: &'static str, text: &str) -> String {
    if is_secret(var) {
        REDACTED.to_string()
    } else if var == "DATABASE_URL" {
        mask_password(text)
    } else {
        text.to_string()
    }
}

/// A [`ConfigError::Malformed`] for `var`.
pub(crate) fn malformed(
    var: &'static str,
    origin: Origin,
    text: &str,
    expected: String,
) -> ConfigError {
    ConfigError::Malformed {
        var,
        origin,
        value: shown(var, text),
        expected,
    }
}

/// A [`ConfigError::OutOfRange`] for `var`.
fn out_of_range(var: &'static str, origin: Origin, text: &str, range: String) -> ConfigError {
    ConfigError::OutOfRange {
        var,
        origin,
        value: shown(var, text),
        range,
    }
}
