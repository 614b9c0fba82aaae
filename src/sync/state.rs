//! What a host stores between batches and between runs. The connector reads it
//! back on every call, so it holds everything needed to continue: where the
//! current run is, which items the host's copy holds (with their versions, to
//! skip repeats and find deletions), and when the last complete run started.

use crate::errors::{Error, invalid_input};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The layout version of the state; another version starts a fresh full run.
pub const STATE_VERSION: u32 = 1;

/// The stored state.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SyncState {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The fingerprint of the configuration the host's copy was made under.
    pub config: String,
    /// The API base the host's copy came from (the site, or the gateway and
    /// cloud id); a state from another site is refused.
    #[serde(default)]
    pub site: String,
    /// When the last complete run started (Unix seconds): the next run reads
    /// what changed since then, minus the overlap.
    pub since: Option<u64>,
    /// The items the host's copy holds, by stream, with their versions.
    pub known: BTreeMap<String, BTreeMap<String, u64>>,
    /// The run in progress, if any.
    pub run: Option<Run>,
}

/// A run in progress.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Run {
    /// When it started (Unix seconds).
    pub started: u64,
    /// Whether it reads only what changed since the last run.
    pub incremental: bool,
    /// Whether it emits every item again, even those whose version the host
    /// holds (the configuration changed what records contain).
    #[serde(default)]
    pub reemit: bool,
    /// The index of the current phase in the run's plan.
    pub phase: usize,
    /// The next request of the current phase, when it has more pages.
    pub next: Option<String>,
    /// What the current walk (a phase, or one item of a per-item phase) has
    /// fetched, so that a server sending it round in circles is stopped.
    #[serde(default)]
    pub walk: crate::paging::LoopGuard,
    /// Within phases that go item by item (permissions per space, members per
    /// group): the index of the current item.
    pub item: usize,
    /// Ids seen by this run, by stream, to find what disappeared.
    pub seen: BTreeMap<String, BTreeSet<String>>,
    /// The spaces of this run: id and key.
    pub spaces: Vec<(String, String)>,
    /// The groups of this run, by id.
    pub groups: Vec<String>,
    /// Account ids met on content and not yet resolved.
    pub users: BTreeSet<String>,
    /// Labels already emitted in this run.
    pub labels: BTreeSet<String>,
}

impl SyncState {
    /// Reads a stored state; none or empty is a first run.
    pub fn parse(text: Option<&str>) -> Result<SyncState, Error> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(SyncState::default()),
            Some(text) => {
                let state: SyncState = serde_json::from_str(text).map_err(|e| {
                    invalid_input(
                        "state",
                        format!("the state is not one this connector wrote ({e}); pass the state the last batch returned, or none to start over"),
                    )
                })?;
                Ok(if state.version == STATE_VERSION {
                    state
                } else {
                    SyncState::default()
                })
            }
        }
    }

    /// The state as stored.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
