//! Fixed-point numbers: decimal strings of any width, and numbers that may be either.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// Parses a fixed-point string (`"0.5600"`, `"0.960"`, `"-54.00"`), naming `field` on failure.
pub fn parse_fixed(field: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim())
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|e| format!("field `{field}`: `{text}` is not a decimal ({e})"))
}

/// A decimal sent either as a JSON string or as a JSON number (Kalshi's `fee_multiplier` is a
/// float in the schema; we keep it exact by reading its text).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FlexDecimal(pub Decimal);

impl<'de> Deserialize<'de> for FlexDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a decimal, got {other}"
                )));
            }
        };
        parse_fixed("number", &text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn any_width_and_sign() {
        assert_eq!(parse_fixed("p", "0.960").unwrap(), dec!(0.96));
        assert_eq!(parse_fixed("p", "0.123456").unwrap(), dec!(0.123456));
        assert_eq!(parse_fixed("d", "-54.00").unwrap(), dec!(-54));
        let err = parse_fixed("price_dollars", "abc").unwrap_err();
        assert!(err.contains("price_dollars"), "{err}");
        let flex: FlexDecimal = serde_json::from_str("0.5").unwrap();
        assert_eq!(flex.0, dec!(0.5));
        let flex: FlexDecimal = serde_json::from_str("\"1.25\"").unwrap();
        assert_eq!(flex.0, dec!(1.25));
        assert!(serde_json::from_str::<FlexDecimal>("true").is_err());
    }
}
