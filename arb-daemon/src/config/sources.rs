//! Where values come from: the process environment, a `.env` file and a TOML file, consulted in
//! that order (the first that sets a variable wins), before the built-in defaults.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::ConfigError;
use super::vars::{VARIABLES, canonical};

/// Where a setting's value came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The process environment.
    Env,
    /// The `.env` file.
    DotEnv,
    /// The TOML file (`--config` or `ARB_CONFIG`).
    Toml,
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Env => "environment",
            Self::DotEnv => ".env",
            Self::Toml => "config file",
            Self::Default => "default",
        })
    }
}

/// The raw values of every layer, keyed by canonical variable name.
///
/// Precedence: environment > `.env` > TOML > defaults. An empty value counts as unset, so a
/// `.env` copied from `.env.example` with blanks falls through to the next layer.
#[derive(Clone, Debug, Default)]
pub struct ConfigSources {
    env: HashMap<&'static str, String>,
    dotenv: HashMap<&'static str, String>,
    toml: HashMap<&'static str, String>,
}

impl ConfigSources {
    /// No values at all: everything takes its default.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The process environment, `dotenv_path` if that file exists, and the TOML file at
    /// `toml_path` if one is given (it must exist). Only known variables are read from the
    /// environment; the process environment is never modified.
    ///
    /// # Errors
    /// A known variable whose value is not UTF-8, or an unreadable or malformed file.
    pub fn from_process(toml_path: Option<&Path>, dotenv_path: &Path) -> Result<Self, ConfigError> {
        let mut env = Vec::new();
        for &var in VARIABLES {
            match std::env::var(var) {
                Ok(value) => env.push((var, value)),
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::NotUnicode { var });
                }
            }
        }
        let mut sources = Self::new().with_env(env);
        if dotenv_path.is_file() {
            sources = sources.with_dotenv_file(dotenv_path)?;
        }
        if let Some(path) = toml_path {
            sources = sources.with_toml_file(path)?;
        }
        Ok(sources)
    }

    /// Adds environment values (unknown names are ignored, as the environment holds much else).
    #[must_use]
    pub fn with_env<K: AsRef<str>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (key, value) in pairs {
            if let Some(var) = canonical_exact(key.as_ref()) {
                self.env.insert(var, value.into());
            }
        }
        self
    }

    /// Reads a `.env` file (dotenv syntax: `KEY=value`, quotes, `#` comments). Unknown names are
    /// ignored, as a `.env` is often shared with other tools.
    ///
    /// # Errors
    /// [`ConfigError::File`] if the file cannot be read or a line is malformed; the message gives
    /// the position, never the line (it may hold a secret).
    pub fn with_dotenv_file(mut self, path: &Path) -> Result<Self, ConfigError> {
        let file_error = |message: String| ConfigError::File {
            path: path.to_path_buf(),
            message,
        };
        let entries = dotenvy::from_path_iter(path).map_err(|e| file_error(dotenv_message(&e)))?;
        for entry in entries {
            let (key, value) = entry.map_err(|e| file_error(dotenv_message(&e)))?;
            if let Some(var) = canonical_exact(&key) {
                self.dotenv.insert(var, value);
            }
        }
        Ok(self)
    }

    /// Reads a TOML file whose top-level keys are variable names (any case), e.g.
    /// `max_trade_size = "250"` or `discord_allowed_user_ids = [1, 2]`.
    ///
    /// # Errors
    /// [`ConfigError::File`] if it cannot be read or parsed, or a value is a table or date;
    /// [`ConfigError::UnknownKey`] for a key that is not a variable.
    pub fn with_toml_file(self, path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        self.with_toml_str(&text, path)
    }

    /// Like [`ConfigSources::with_toml_file`], from text; `path` names it in errors.
    ///
    /// # Errors
    /// As [`ConfigSources::with_toml_file`].
    pub fn with_toml_str(mut self, text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file_error = |message: String| ConfigError::File {
            path: path.to_path_buf(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            match line {
                Some(line) => file_error(format!("line {line}: {}", e.message())),
                None => file_error(e.message().to_string()),
            }
        })?;
        for (key, value) in table {
            let Some(var) = canonical(&key) else {
                return Err(ConfigError::UnknownKey {
                    path: path.to_path_buf(),
                    key,
                });
            };
            let text = toml_scalar(&value).ok_or_else(|| {
                file_error(format!(
                    "`{key}`: expected a string, number, boolean or array of them"
                ))
            })?;
            if self.toml.insert(var, text).is_some() {
                return Err(file_error(format!("`{var}` is set twice")));
            }
        }
        Ok(self)
    }

    /// The value of `var` and where it came from, or `None` if no layer sets it (to a non-blank
    /// value).
    #[must_use]
    pub fn get(&self, var: &str) -> Option<(&str, Origin)> {
        [
            (&self.env, Origin::Env),
            (&self.dotenv, Origin::DotEnv),
            (&self.toml, Origin::Toml),
        ]
        .into_iter()
        .find_map(|(layer, origin)| {
            layer
                .get(var)
                .map(|value| (value.as_str(), origin))
                .filter(|(value, _)| !value.trim().is_empty())
        })
    }
}

/// The known variable spelled exactly `name` (environment and `.env` names are case-sensitive).
fn canonical_exact(name: &str) -> Option<&'static str> {
    VARIABLES.iter().copied().find(|known| *known == name)
}

/// A TOML value as the text an environment variable would hold; arrays become comma lists.
fn toml_scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::Array(_) => None,
                other => toml_scalar(other),
            })
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        toml::Value::Table(_) | toml::Value::Datetime(_) => None,
    }
}

/// A `.env` error without the offending line's text, which may contain a secret.
fn dotenv_message(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(_, index) => {
            format!("malformed line (near character {index} of the line)")
        }
        dotenvy::Error::Io(e) => format!("cannot read: {e}"),
        dotenvy::Error::EnvVar(_) => {
            "a variable substituted in the file is not valid UTF-8".to_string()
        }
        _ => "cannot parse the file".to_string(),
    }
}
