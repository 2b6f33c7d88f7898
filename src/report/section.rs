//! The sections of the claims table: the paper's groups in its order, then our diagnostics.

use crate::claims::Group;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a row of the claims table sits. Serialized as its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// A group of the paper's claims ([`Group`]).
    Paper(Group),
    /// Checks of ours that are not claims of the paper (never in the tally).
    Diagnostics,
}

impl Section {
    /// Every section, in the table's order.
    pub const ALL: [Section; 9] = [
        Section::Paper(Group::Prop21),
        Section::Paper(Group::Prop22),
        Section::Paper(Group::Dynamics),
        Section::Paper(Group::Observations),
        Section::Paper(Group::Figures),
        Section::Paper(Group::AppendixB),
        Section::Paper(Group::AppendixC),
        Section::Paper(Group::Deep),
        Section::Diagnostics,
    ];

    /// Heading.
    pub const fn title(self) -> &'static str {
        match self {
            Section::Paper(g) => g.title(),
            Section::Diagnostics => "Diagnostics of ours (not claims of the paper; never in the tally)",
        }
    }

    /// Position in [`Section::ALL`].
    pub fn position(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).unwrap_or(Section::ALL.len())
    }
}

impl Serialize for Section {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.title())
    }
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let title = String::deserialize(d)?;
        Section::ALL.into_iter().find(|s| s.title() == title).ok_or_else(|| {
            let allowed: Vec<&str> = Section::ALL.iter().map(|s| s.title()).collect();
            serde::de::Error::custom(format!("unknown section {title:?}; allowed: {}", allowed.join(" | ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Section;

    #[test]
    fn every_group_once_and_titles_round_trip() {
        let titles: std::collections::BTreeSet<&str> = Section::ALL.iter().map(|s| s.title()).collect();
        assert_eq!(titles.len(), Section::ALL.len());
        assert_eq!(Section::ALL.len(), crate::claims::Group::ALL.len() + 1);
        for s in Section::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Section>(&json).unwrap(), s);
        }
        assert!(serde_json::from_str::<Section>("\"Appendix Z\"").is_err());
    }
}
