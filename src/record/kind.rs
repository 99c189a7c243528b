//! The closed vocabularies of a record: kind, status and outcome.

use std::fmt;
use std::str::FromStr;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in the order they are documented.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in a record.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The accepted spellings, for error messages and help.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("unknown {} '{}': use one of {}", $what, text, Self::choices())),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a record remembers.
    Kind, "kind", {
        /// A choice the team made, with its context and consequences.
        Decision => "decision",
        /// An approach that can be reused.
        Pattern => "pattern",
        /// Something that went wrong (or right) and what was learned.
        Lesson => "lesson",
    }
);

vocabulary!(
    /// Where a record stands in its life.
    Status, "status", {
        /// Under discussion.
        Proposed => "proposed",
        /// In force.
        Accepted => "accepted",
        /// Replaced by a newer record (see `superseded_by`).
        Superseded => "superseded",
        /// No longer in force, with nothing replacing it.
        Deprecated => "deprecated",
        /// Considered and turned down.
        Rejected => "rejected",
    }
);

vocabulary!(
    /// How a pattern or lesson turned out when it was used.
    Outcome, "outcome", {
        /// It worked.
        Success => "success",
        /// It failed.
        Failure => "failure",
        /// Partly worked.
        Mixed => "mixed",
        /// Not known yet: what a new pattern or lesson gets when none is given.
        Unknown => "unknown",
    }
);

impl Status {
    /// Whether a record with this status is still in force (not replaced or turned down).
    pub fn is_current(self) -> bool {
        matches!(self, Status::Proposed | Status::Accepted)
    }
}

impl Kind {
    /// The folder under `.datazentr/` that holds records of this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Decision => "decisions",
            Kind::Pattern => "patterns",
            Kind::Lesson => "lessons",
        }
    }

    /// Whether records of this kind carry an `outcome`.
    pub fn has_outcome(self) -> bool {
        !matches!(self, Kind::Decision)
    }

    /// The Markdown skeleton a new record of this kind starts from.
    pub fn body_template(self) -> &'static str {
        match self {
            Kind::Decision => "## Context\n\n\n## Decision\n\n\n## Consequences\n\n",
            Kind::Pattern => "## Problem\n\n\n## Solution\n\n\n## Where it worked\n\n",
            Kind::Lesson => "## What happened\n\n\n## Why\n\n\n## What we do now\n\n",
        }
    }
}
