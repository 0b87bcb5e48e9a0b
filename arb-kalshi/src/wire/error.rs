//! Error bodies: `{"error":{code,message,details}}`, the unwrapped `{code,message,details}`, and
//! `{"error":"too many requests"}`.

use serde::Deserialize;

/// A venue error, whatever form it came in.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ErrorBody {
    /// Machine code (`invalid_order`…); empty when the venue gave only text.
    pub code: String,
    /// Human message.
    pub message: String,
    /// Extra detail.
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Text(String),
    Object(Fields),
}

/// Just enough of any body to see whether it carries an `error` key (checked even on 2xx).
#[derive(Deserialize)]
pub struct ErrorProbe {
    #[serde(default)]
    error: Option<ErrorField>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

fn details_text(details: Option<serde_json::Value>) -> Option<String> {
    match details? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

impl ErrorProbe {
    /// The wrapped error, if the body has an `error` key.
    #[must_use]
    pub fn wrapped(self) -> Option<ErrorBody> {
        match self.error? {
            ErrorField::Text(message) => Some(ErrorBody {
                code: String::new(),
                message,
                details: None,
            }),
            ErrorField::Object(f) => Some(ErrorBody {
                code: f.code.unwrap_or_default(),
                message: f.message.unwrap_or_default(),
                details: details_text(f.details),
            }),
        }
    }

    /// The error in any of the three forms (used for non-2xx bodies).
    #[must_use]
    pub fn any(self) -> Option<ErrorBody> {
        if self.error.is_some() {
            return self.wrapped();
        }
        if self.code.is_none() && self.message.is_none() {
            return None;
        }
        Some(ErrorBody {
            code: self.code.unwrap_or_default(),
            message: self.message.unwrap_or_default(),
            details: details_text(self.details),
        })
    }
}

impl ErrorBody {
    /// Reads an error from a body in any form; `None` when the body holds none.
    #[must_use]
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<ErrorProbe>(body).ok()?.any()
    }

    /// Reads an `error` key from a successful (2xx) body.
    #[must_use]
    pub fn parse_wrapped(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<ErrorProbe>(body).ok()?.wrapped()
    }
}
