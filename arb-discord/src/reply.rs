//! What the bot says, independent of Discord's wire format (rendered by [`crate::render`]).

/// The accent colour of a reply, by meaning.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something succeeded.
    Success,
    /// Needs attention (refusals, bad input, risky differences).
    Warning,
    /// Urgent: unhedged exposure, kill switch, failures.
    Danger,
}

impl Tone {
    /// The embed colour as 0xRRGGBB.
    #[must_use]
    pub const fn rgb(self) -> u32 {
        match self {
            Self::Info => 0x0034_98DB,
            Self::Success => 0x002E_CC71,
            Self::Warning => 0x00E6_7E22,
            Self::Danger => 0x00E7_4C3C,
        }
    }
}

/// A named section of a reply.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Field {
    /// Its heading.
    pub name: String,
    /// Its text.
    pub value: String,
    /// Whether it may sit beside other inline fields.
    pub inline: bool,
}

/// One message's content: a titled embed, optional reactions the bot adds, and whether it pings
/// the configured traders.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reply {
    /// The headline.
    pub title: String,
    /// The body.
    pub description: String,
    /// Sections.
    pub fields: Vec<Field>,
    /// Accent colour.
    pub tone: Tone,
    /// Small print (suggestion messages carry their id here).
    pub footer: Option<String>,
    /// Emoji the bot reacts with after posting (the ✅ / ❌ of suggestions).
    pub reactions: Vec<String>,
    /// Whether the message mentions the configured traders (urgent alerts).
    pub mention_traders: bool,
    /// Whether an interaction reply is shown only to the person who asked (refusals, bad input).
    pub private: bool,
}

impl Reply {
    /// A reply with a title, a body and a tone, and nothing else.
    #[must_use]
    pub fn new(title: impl Into<String>, description: impl Into<String>, tone: Tone) -> Self {
        Self {
            title: title.into(),
            description: description.into(),
            fields: Vec::new(),
            tone,
            footer: None,
            reactions: Vec::new(),
            mention_traders: false,
            private: false,
        }
    }

    /// Adds a section.
    #[must_use]
    pub fn field(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        inline: bool,
    ) -> Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
            inline,
        });
        self
    }

    /// Sets the small print.
    #[must_use]
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    /// Shows an interaction reply only to the person who asked.
    #[must_use]
    pub const fn private(mut self) -> Self {
        self.private = true;
        self
    }

    /// Mentions the configured traders.
    #[must_use]
    pub const fn mention_traders(mut self) -> Self {
        self.mention_traders = true;
        self
    }

    /// The field named `name`, if any (tests and renderers).
    #[must_use]
    pub fn field_value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }
}
